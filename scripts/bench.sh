#!/usr/bin/env bash
# `npm run bench [-- name...]`: builds, brings up services, runs the named benchmarks from bench/
# (all when none is named). Each prints its figures and saves JSON under bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh up
bash scripts/gen-proto.sh
npx tsc -p tsconfig.build.json
mkdir -p bench/results
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in bench/*.ts; do names+=("$(basename "$f" .ts)"); done
fi
for n in "${names[@]}"; do
  echo "== bench $n"
  node "dist/bench/$n.js"
done
