#!/usr/bin/env bash
# `make bench`: own PostgreSQL database, bulk seed, gunicorn (production settings, 2 sync
# workers), the floor server (bare Django view), a Celery worker; wrk + saves on loopback; the
# table; then every process it started is stopped and the database dropped (trap on exit).
#   BENCH_PATIENTS (10000)  BENCH_SECONDS (10 per run)  BENCH_SAVES (40 per path and level)
#   BENCH_PORT (8091; floor server +1)  BENCH_REDIS_URL (redis://127.0.0.1:6379/9)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${BENCH_PATIENTS:-10000}"; SECS="${BENCH_SECONDS:-10}"; SAVES="${BENCH_SAVES:-40}"
PORT="${BENCH_PORT:-8091}"; BARE_PORT=$((PORT + 1))
PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
DB="pc_bench_run_$$"
WORK="$(mktemp -d /tmp/painclinic-bench.XXXXXX)"
# wrk drives the page load (Debian's package, as make test installs its own; root or sudo).
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } \
  || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
[ -x .venv/bin/python ] || bash scripts/venv.sh requirements-dev.txt
export DATABASE_URL="$PG/$DB" REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/9}"
export DJANGO_DEBUG=0 DJANGO_SECURE_SSL_REDIRECT=0 REQUIRE_POSTGRES=1 PYTHONUNBUFFERED=1
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-bench-$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')}"
export DJANGO_STATIC_ROOT="$WORK/static" DJANGO_MEDIA_ROOT="$WORK/media" CHART_CACHE_DIR="$WORK/chart-cache"
PY=.venv/bin/python

. scripts/bench_common.sh
cleanup() {
  stop_pidfiles "$WORK"
  dropdb -h 127.0.0.1 -U postgres --if-exists --force "$DB" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

step "database $DB"
createdb -h 127.0.0.1 -U postgres "$DB"
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
step "seed $N patients (bulk_create; jobs of the one template patient run in-process)"
REDIS_URL= $PY manage.py bench_seed --patients "$N"
step "gunicorn (2 sync workers, production settings), floor server, Celery worker"
.venv/bin/gunicorn painclinic.wsgi -w 2 --timeout 60 -b "127.0.0.1:$PORT" --pid "$WORK/web.pid" \
  --log-level warning >"$WORK/web.log" 2>&1 &
DJANGO_SETTINGS_MODULE=demo.bench.settings_bare .venv/bin/gunicorn painclinic.wsgi -w 2 \
  -b "127.0.0.1:$BARE_PORT" --pid "$WORK/bare.pid" --log-level warning >"$WORK/bare.log" 2>&1 &
.venv/bin/celery -A painclinic worker -Q "${CELERY_QUEUE:-painclinic},${CELERY_QUEUE:-painclinic}-plots" --concurrency 1 \
  -l warning --pidfile "$WORK/worker.pid" -n "bench-$$@%h" >"$WORK/worker.log" 2>&1 &
for p in "$PORT" "$BARE_PORT"; do
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$p/login/" && break; sleep 0.2; done
  # Warm every worker, not just the one that answered: a worker's first request imports the
  # views (measured 15 s on a loaded machine), which the first page's run would otherwise time.
  # (wait on the curls only: the servers are background jobs of this shell too.)
  warm=(); for _ in 1 2 3 4 5 6 7 8; do curl -s -o /dev/null -m 60 "http://127.0.0.1:$p/login/" & warm+=($!); done
  wait "${warm[@]}" || true
done
for _ in $(seq 1 100); do [ -f "$WORK/worker.pid" ] && break; sleep 0.2; done
step "load (wrk for pages, Python threads for saves)"
$PY manage.py bench_run --port "$PORT" --bare-port "$BARE_PORT" --seconds "$SECS" --saves "$SAVES"
step "done; stopping servers and dropping $DB"
