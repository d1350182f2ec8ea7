#!/usr/bin/env bash
# Brings up the services Pacer needs on loopback: PostgreSQL, Redis and ZooKeeper.
# Idempotent: a service that already answers is left alone; a missing one is installed from
# Debian's packages (only when its binary is absent) and started. Creates Pacer's databases.
#
#   scripts/services.sh up     # install what is missing, start what is stopped, create databases
#   scripts/services.sh down   # stop only the services this script started (recorded in $STATE_DIR)
#   scripts/services.sh status
set -euo pipefail

PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
ZK_PORT=${ZK_PORT:-2181}
PG_USER=${PG_USER:-postgres}
PG_PASSWORD=${PG_PASSWORD:-postgres}
DATABASES=${PACER_DATABASES:-"pacer pacer_test"}
# Outside the work tree on purpose: a clone may be deleted while the services keep running.
STATE_DIR=${PACER_SERVICES_DIR:-/var/tmp/pacer-services}
mkdir -p "$STATE_DIR"

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] error: %s\n' "$*" >&2; exit 1; }

# Every wait is bounded: poll a check every 0.2 s for at most N seconds.
wait_for() { # seconds description command...
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "$what did not come up within ${limit}s"
    sleep 0.2
  done
}

tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found; install $* by hand"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "installing $*"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sudo -u postgres sh -c "$*"; fi
}

pg_ready() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; }
pg_login() { PGPASSWORD="$PG_PASSWORD" psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc 'select 1' ; }

postgres_up() {
  if command -v pg_isready >/dev/null && pg_ready; then
    log "postgres already answers on 127.0.0.1:$PG_PORT"
  else
    if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then apt_install postgresql postgresql-client; fi
    if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
      local ver; ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
      as_postgres "pg_createcluster $ver main" >/dev/null
    fi
    local ver; ver=$(pg_lsclusters -h | awk 'NR==1{print $1}')
    log "starting postgres $ver"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
    touch "$STATE_DIR/postgres.started"
    wait_for 30 postgres pg_ready
  fi
  # Password login over TCP must work (a fresh Debian cluster uses scram on 127.0.0.1, this
  # machine's uses trust): give the postgres role a known password when it does not.
  if ! pg_login >/dev/null 2>&1; then
    as_postgres "psql -q -c \"ALTER USER $PG_USER PASSWORD '$PG_PASSWORD'\"" >/dev/null
    pg_login >/dev/null || die "cannot log in to postgres as $PG_USER"
  fi
  for db in $DATABASES; do
    if [ "$(PGPASSWORD="$PG_PASSWORD" psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc "select 1 from pg_database where datname='$db'")" != 1 ]; then
      log "creating database $db"
      PGPASSWORD="$PG_PASSWORD" psql -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null
    fi
  done
}

redis_ready() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }
redis_up() {
  if command -v redis-cli >/dev/null && redis_ready; then log "redis already answers on 127.0.0.1:$REDIS_PORT"; return; fi
  command -v redis-server >/dev/null || apt_install redis-server
  log "starting redis"
  mkdir -p "$STATE_DIR/redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$STATE_DIR/redis" --logfile "$STATE_DIR/redis/redis.log" --pidfile "$STATE_DIR/redis/redis.pid"
  touch "$STATE_DIR/redis.started"
  wait_for 15 redis redis_ready
}

ZK_HOME=/usr/share/zookeeper
zk_ready() {
  # `srvr` is the one four-letter command ZooKeeper 3.5+ allows by default.
  local reply
  reply=$(exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$ZK_PORT" && printf 'srvr' >&3 && timeout 2 cat <&3) || return 1
  grep -q 'Mode: standalone\|Mode: leader\|Mode: follower' <<<"$reply"
}
zookeeper_up() {
  if zk_ready; then log "zookeeper already answers on 127.0.0.1:$ZK_PORT"; return; fi
  if [ ! -x "$ZK_HOME/bin/zkServer.sh" ]; then apt_install zookeeper default-jre-headless; fi
  command -v java >/dev/null || apt_install default-jre-headless
  local dir="$STATE_DIR/zookeeper"
  mkdir -p "$dir/data" "$dir/log"
  cat >"$dir/zoo.cfg" <<EOF
tickTime=2000
dataDir=$dir/data
clientPort=$ZK_PORT
clientPortAddress=127.0.0.1
maxClientCnxns=200
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok,stat
EOF
  log "starting zookeeper"
  ZOO_LOG_DIR="$dir/log" ZOOPIDFILE="$dir/zookeeper.pid" "$ZK_HOME/bin/zkServer.sh" start "$dir/zoo.cfg" >/dev/null 2>&1 || true
  touch "$STATE_DIR/zookeeper.started"
  wait_for 60 zookeeper zk_ready
}

# down [names...]: stop the services this script started (all, or only the named ones).
down() {
  local only=" ${*:-postgres redis zookeeper} "
  if [[ "$only" == *" zookeeper "* ]] && [ -f "$STATE_DIR/zookeeper.started" ]; then
    ZOO_LOG_DIR="$STATE_DIR/zookeeper/log" ZOOPIDFILE="$STATE_DIR/zookeeper/zookeeper.pid" \
      "$ZK_HOME/bin/zkServer.sh" stop "$STATE_DIR/zookeeper/zoo.cfg" >/dev/null 2>&1 || true
    rm -f "$STATE_DIR/zookeeper.started"; log "zookeeper stopped"
  fi
  if [[ "$only" == *" redis "* ]] && [ -f "$STATE_DIR/redis.started" ]; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    rm -f "$STATE_DIR/redis.started"; log "redis stopped"
  fi
  if [[ "$only" == *" postgres "* ]] && [ -f "$STATE_DIR/postgres.started" ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(pg_lsclusters -h | awk 'NR==1{print $1}')" main stop || true
    rm -f "$STATE_DIR/postgres.started"; log "postgres stopped"
  fi
}

status() {
  pg_ready && echo "postgres: up" || echo "postgres: down"
  redis_ready && echo "redis: up" || echo "redis: down"
  zk_ready && echo "zookeeper: up" || echo "zookeeper: down"
}

case "${1:-up}" in
  up) postgres_up; redis_up; zookeeper_up; log "all services up" ;;
  down) shift; down "$@" ;;
  started) ls "$STATE_DIR" | sed -n 's/\.started$//p' ;;
  status) status ;;
  *) die "usage: $0 up|down|status" ;;
esac
