#!/usr/bin/env bash
# Compiles Pacer's own Mesos .proto files (src/mesos/proto/) into typed static code with protobufjs:
# src/mesos/proto/generated/mesos.{js,d.ts} (gitignored; tsc and jest read it from there). tsc does
# not copy .js files, so the module is also placed where the compiled driver requires it (dist/).
# --keep-case: field names stay snake_case, as in Mesos' JSON mapping. --force-number: int64 fields
# are plain numbers (nanosecond timestamps lose sub-µs precision, harmless; reference §3.9).
set -euo pipefail
cd "$(dirname "$0")/.."
src=src/mesos/proto
out=$src/generated
mkdir -p "$out" "dist/$out"
npx pbjs -t static-module -w commonjs --keep-case --force-number --no-delimited --no-verify --no-typeurl --no-service \
  -p "$src" -o "$out/mesos.js" mesos/v1/mesos.proto mesos/v1/scheduler/scheduler.proto
npx pbts --no-comments -o "$out/mesos.d.ts" "$out/mesos.js"
cp "$out/mesos.js" "$out/mesos.d.ts" "dist/$out/"
