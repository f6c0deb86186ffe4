#!/usr/bin/env bash
# `make bench-ab BASE=<rev>`: the code at BASE and the code of this checkout served side by side
# (gunicorn, 2 sync workers each, production settings) on one seeded database, with the floor, and
# loaded in turn by wrk, page by page, round after round (which of the two goes first alternates).
# A slow or busy machine moves both alike, so their difference is the code's (issue #16: a
# machine whose floor moved from 13.5 to 25 ms p50 between sessions hid the changes in `make bench`).
# Prints p50/p90 and req/s per page, revision and round, then the median of the rounds.
#
# The database is migrated and seeded by this checkout's code; BASE runs on it as it is, so compare
# revisions whose schema only gained tables or columns in between (no rename or drop).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE="${BASE:?name the revision to compare with: make bench-ab BASE=<rev>}"
N="${BENCH_PATIENTS:-10000}"; SECS="${BENCH_SECONDS:-8}"; ROUNDS="${BENCH_ROUNDS:-3}"
PORT="${BENCH_PORT:-8191}"
PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
DB="pc_bench_ab_$$"
WORK="$(mktemp -d /tmp/painclinic-bench-ab.XXXXXX)"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
[ -x .venv/bin/python ] || bash scripts/venv.sh requirements-dev.txt
HERE="$PWD"; PY="$HERE/.venv/bin/python"
export DATABASE_URL="$PG/$DB" REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/9}"
export DJANGO_DEBUG=0 DJANGO_SECURE_SSL_REDIRECT=0 REQUIRE_POSTGRES=1 PYTHONUNBUFFERED=1
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-bench-$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')}"
export DJANGO_MEDIA_ROOT="$WORK/media" CHART_CACHE_DIR="$WORK/chart-cache"

. scripts/bench_common.sh
cleanup() {
  stop_pidfiles "$WORK"
  git -C "$HERE" worktree remove --force "$WORK/base" 2>/dev/null || true
  dropdb -h 127.0.0.1 -U postgres --if-exists --force "$DB" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

step "BASE $(git rev-parse --short "$BASE") beside this checkout ($(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ', with uncommitted changes'))"
git worktree add --detach -q "$WORK/base" "$BASE"
ln -s "$HERE/.venv" "$WORK/base/.venv"
createdb -h 127.0.0.1 -U postgres "$DB"
$PY manage.py migrate --noinput -v0
DJANGO_STATIC_ROOT="$WORK/static" $PY manage.py collectstatic --noinput -v0
(cd "$WORK/base" && DJANGO_STATIC_ROOT="$WORK/static-base" "$PY" manage.py collectstatic --noinput -v0)
step "seed $N patients"
REDIS_URL= $PY manage.py bench_seed --patients "$N"

serve() {  # name dir static port [settings]
  (cd "$2" && DJANGO_STATIC_ROOT="$3" DJANGO_SETTINGS_MODULE="${5:-painclinic.settings}" \
    "$HERE/.venv/bin/gunicorn" painclinic.wsgi -w 2 --timeout 60 -b "127.0.0.1:$4" \
    --pid "$WORK/$1.pid" --log-level warning >"$WORK/$1.log" 2>&1 &)
}
step "gunicorn: BASE :$PORT, this checkout :$((PORT + 1)), floor :$((PORT + 2))"
serve base "$WORK/base" "$WORK/static-base" "$PORT"
serve head "$HERE" "$WORK/static" "$((PORT + 1))"
serve floor "$HERE" "$WORK/static" "$((PORT + 2))" demo.bench.settings_bare
wait_for_ports "$PORT" "$((PORT + 1))" "$((PORT + 2))"
read -r ANA BOB RECORD < <($PY - <<'PY'
import os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "painclinic.settings")
django.setup()
from django.urls import reverse
from demo.management.commands.bench_run import _session_for
from painclinic.models import User
from patients.models import Patient
ana, bob = (User.objects.get(username=name) for name in ("ana", "bob"))
jannick = Patient.objects.get(identifier="DEMO-JANNICK")
print(_session_for(ana), _session_for(bob), reverse("patients:detail", args=[jannick.pk]))
PY
)
PAGES=("floor|/bench/bare/|$ANA" "caseload|/caseload/|$ANA" "patient list|/patients/|$BOB"
       "record|$RECORD|$ANA" "team review|/team/|$BOB" "audit log|/audit/|$BOB")

load() {  # revision port path cookie -> "p50_ms p90_ms req/s"
  for _ in 1 2 3 4; do curl -s -o /dev/null -H "Cookie: $4" "http://127.0.0.1:$2$3"; done
  wrk -t1 -c1 -d"${SECS}s" --latency -H "Cookie: $4" "http://127.0.0.1:$2$3" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; return v * 1000 }
    / 50%/ { p50 = ms($2) } / 90%/ { p90 = ms($2) } /Requests\/sec/ { rps = $2 }
    /Non-2xx/ { bad = 1 } END { if (bad) print "non-2xx"; else printf "%.1f %.1f %.1f\n", p50, p90, rps }'
}
step "load: $ROUNDS rounds of $SECS s a page and revision (wrk, 1 connection)"
RESULTS="$WORK/results"
for round in $(seq 1 "$ROUNDS"); do
  for spec in "${PAGES[@]}"; do
    IFS='|' read -r label path cookie <<<"$spec"
    if [ "$label" = floor ]; then order=(floor); elif [ $((round % 2)) = 1 ]; then order=(base head); else order=(head base); fi
    for rev in "${order[@]}"; do
      case $rev in base) p=$PORT ;; head) p=$((PORT + 1)) ;; floor) p=$((PORT + 2)) ;; esac
      printf '%s|%s|%s|%s\n' "$label" "$rev" "$round" "$(load "$rev" "$p" "$path" "$cookie")" | tee -a "$RESULTS"
    done
  done
done
echo
$PY - "$RESULTS" "$(git rev-parse --short "$BASE")" <<'PY'
import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)
for line in open(sys.argv[1]):
    label, rev, _round, figures = line.rstrip("\n").split("|")
    if figures != "non-2xx":
        runs[label, rev].append([float(x) for x in figures.split()])
print(f"| page | BASE {sys.argv[2]} p50 ms (rounds) | this checkout p50 ms (rounds) | median change |")
print("|---|---|---|---|")
floor = runs.get(("floor", "floor"), [])
if floor:
    print(f"| floor | {' / '.join(f'{r[0]:.1f}' for r in floor)} | | |")
for label in dict.fromkeys(label for label, rev in runs if rev != "floor"):
    base, head = runs.get((label, "base"), []), runs.get((label, "head"), [])
    if not base or not head:
        print(f"| {label} | a run answered other than 200 | | |")
        continue
    b, h = statistics.median(r[0] for r in base), statistics.median(r[0] for r in head)
    print(
        f"| {label} | {' / '.join(f'{r[0]:.1f}' for r in base)} | "
        f"{' / '.join(f'{r[0]:.1f}' for r in head)} | {100 * (h - b) / b:+.0f} % |"
    )
PY
step "done; stopping servers, removing the BASE worktree, dropping $DB"
