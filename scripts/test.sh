#!/usr/bin/env bash
# `npm test`: every check CI runs, from a fresh clone. Brings up the services the tests need
# (scripts/services.sh installs and starts what is missing), then lint, types, the OpenAPI
# freshness check, and the three test tiers.
set -euo pipefail
cd "$(dirname "$0")/.."
export PACER_SERVICES_READY=1
bash scripts/services.sh up
echo "== lint"; npx eslint . --max-warnings 0
echo "== proto"; bash scripts/gen-proto.sh
echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
echo "== build"; npx tsc -p tsconfig.build.json
echo "== openapi is current"; node dist/scripts/sync-openapi.js --check
echo "== unit"; npx jest --ci --selectProjects unit
echo "== integration + e2e"; npx jest --ci --selectProjects integration e2e --runInBand
