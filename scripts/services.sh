#!/usr/bin/env bash
# Start PostgreSQL and Redis on 127.0.0.1 where they are not running (no-op otherwise).
# Verified on Debian 12 without systemd (shared/reference/stack.md, "scripts/services.sh").
set -euo pipefail
PGPORT="${PGPORT:-5432}"; REDIS_PORT="${REDIS_PORT:-6379}"; export PGCONNECT_TIMEOUT=5
log() { echo "[services] $*" >&2; }
need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server  >/dev/null 2>&1 || need+=(redis-server)
if ((${#need[@]})); then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi
pgver() { ls /usr/lib/postgresql | sort -V | tail -1; }
ensure_trust() {   # mirror developer/CI machines: trust on loopback + local socket
  local hba="/etc/postgresql/$1/main/pg_hba.conf"
  grep -q '^# services.sh: trust' "$hba" && return 0
  { echo '# services.sh: trust'; echo 'local all all trust'
    echo 'host  all all 127.0.0.1/32 trust'; echo 'host  all all ::1/128 trust'
    cat "$hba"; } > "$hba.new"
  chown postgres:postgres "$hba.new" && mv "$hba.new" "$hba"
}
pg_ok() { psql -w -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; }
if pg_isready -q -h 127.0.0.1 -p "$PGPORT"; then
  log "postgres already accepting connections on 127.0.0.1:$PGPORT"
else
  ver="$(pgver)"
  pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$ver main" \
    || pg_createcluster "$ver" main --port "$PGPORT" >/dev/null
  ensure_trust "$ver"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PGPORT" && break; sleep 1; done
fi
if ! pg_ok; then   # running but asks for a password: our own Debian cluster -> trust + reload
  ver="$(pgver)"
  if [ -f "/etc/postgresql/$ver/main/pg_hba.conf" ]; then
    ensure_trust "$ver" && pg_ctlcluster --skip-systemctl-redirect "$ver" main reload; sleep 1
  fi
fi
pg_ok || { log "cannot connect as postgres@127.0.0.1:$PGPORT"; exit 1; }
if [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" != "PONG" ]; then
  log "starting redis on 127.0.0.1:$REDIS_PORT"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --dir /tmp --logfile "/tmp/redis-$REDIS_PORT.log" --pidfile "/tmp/redis-$REDIS_PORT.pid"
  for _ in $(seq 1 50); do [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break; sleep 0.2; done
  [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
fi
log "postgres and redis are up"
