#!/usr/bin/env bash
# `npm run local`: Pacer on this machine, on the local Mesos cluster. Brings up Postgres, Redis and
# ZooKeeper (installing what is missing), applies migrations, starts local-mesos and Pacer on
# HTTP_PORT (8080), prints where to look, and on Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
HTTP_PORT=${HTTP_PORT:-8080}
MESOS_PORT=${LOCAL_MESOS_PORT:-5050}
export HTTP_PORT
export LOG_PRETTY=${LOG_PRETTY:-true}

log() { printf '[local] %s\n' "$*" >&2; }

before=$(bash scripts/services.sh started | tr '\n' ' ')
bash scripts/services.sh up
after=$(bash scripts/services.sh started | tr '\n' ' ')
ours=()
for s in $after; do [[ " $before " == *" $s "* ]] || ours+=("$s"); done

pids=()
cleanup() {
  trap - INT TERM EXIT
  log "stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # Bounded wait for a clean exit, then force.
  for _ in $(seq 1 50); do
    alive=0; for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break; sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if [ ${#ours[@]} -gt 0 ]; then bash scripts/services.sh down "${ours[@]}"; fi
  log "stopped"
}
trap cleanup INT TERM EXIT

log "building"
bash scripts/gen-proto.sh
npx tsc -p tsconfig.build.json
log "applying migrations"
node dist/src/persistence/migrate.js

if [ -z "${MESOS_MASTER:-}" ]; then
  log "starting local-mesos on 127.0.0.1:$MESOS_PORT"
  node dist/local-mesos/main.js --port "$MESOS_PORT" --agents "${LOCAL_MESOS_AGENTS:-3}" &
  pids+=($!)
  export MESOS_MASTER="http://127.0.0.1:$MESOS_PORT"
fi

node dist/src/main.js &
pids+=($!)
deadline=$((SECONDS + 60))
until curl -fsS "http://127.0.0.1:$HTTP_PORT/ping" >/dev/null 2>&1; do
  if ! kill -0 "${pids[-1]}" 2>/dev/null; then log "pacer exited during start-up"; exit 1; fi
  ((SECONDS < deadline)) || { log "pacer did not answer within 60s"; exit 1; }
  sleep 0.2
done
cat <<MSG

  Pacer is running.
    Swagger UI:  http://localhost:$HTTP_PORT/docs
    Mesos:       $MESOS_MASTER
  Try:
    curl -X POST http://localhost:$HTTP_PORT/v2/apps -H 'Content-Type: application/json' \\
      -d '{"id": "/hello", "cmd": "python3 -m http.server \$PORT0", "cpus": 0.1, "mem": 32, "instances": 2}'
    curl http://localhost:$HTTP_PORT/v2/apps/hello

  Ctrl-C stops everything this command started.

MSG
wait -n "${pids[@]}" || true
