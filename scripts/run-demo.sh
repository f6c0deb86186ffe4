#!/usr/bin/env bash
# `make run`: virtualenv, dependencies, migrations, demo data, server on http://127.0.0.1:8000.
# Without DATABASE_URL it uses an embedded SQLite file; without REDIS_URL a Celery worker runs the
# jobs off the request on an embedded broker (a folder, kombu's filesystem transport), started
# here and stopped when the server stops (issue #16).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh requirements.txt
export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
.venv/bin/python manage.py migrate --noinput -v0
# The patient pages' translations (locale/): compiled here, never committed. Needs gettext's msgfmt.
if command -v msgfmt >/dev/null 2>&1; then
  .venv/bin/python manage.py compilemessages -v0
else
  echo "  gettext is not installed (apt-get install gettext): patient pages stay in English." >&2
fi
.venv/bin/python manage.py seed_demo --patients "${DEMO_PATIENTS:-60}"
.venv/bin/python manage.py seed_clinical_demo
.venv/bin/python manage.py seed_safety_demo
.venv/bin/python manage.py seed_pmp
# DEMO ONLY: known authenticator secret for the users who must use MFA (printed below).
MFA_NOTE="$(.venv/bin/python manage.py seed_demo_mfa)"
cat <<MSG

  painclinic is starting on http://127.0.0.1:${PORT:-8000}/
  Demo logins (password for all: painclinic-demo):
    ana      clinician (physiotherapist), North: leads Jannick, on Susan's care team
             (one of her caseload answered a self-harm question by link: see Notifications)
    dina     clinician (psychologist), North: leads Susan, on Jannick's care team
    emil     clinician (doctor), North: on Susan's care team
    bob      team lead, North: every North patient, team review, audit log
    charlie  clinician, South (cannot see Jannick or Susan); gus likewise; fay leads South
    priya    programme admin, North: PMP programmes and cohorts, no clinical record
    admin    Django admin (/admin/): accounts, teams, configuration
${MFA_NOTE}
  Database: ${DATABASE_URL:-SQLite file db.sqlite3}   Workers: ${REDIS_URL:-a local worker on an embedded broker (no REDIS_URL)}

MSG
WORKER_PID=""
if [ -z "${REDIS_URL:-}" ]; then
  export CELERY_EMBEDDED_BROKER_DIR="${CELERY_EMBEDDED_BROKER_DIR:-$PWD/.broker}"
  mkdir -p "$CELERY_EMBEDDED_BROKER_DIR"
  .venv/bin/celery -A painclinic worker -Q "${CELERY_QUEUE:-painclinic},${CELERY_QUEUE:-painclinic}-plots" --concurrency 1 \
    -l warning -n "quickstart-$$@%h" >"$CELERY_EMBEDDED_BROKER_DIR/worker.log" 2>&1 &
  WORKER_PID=$!
  echo "  Background jobs: a worker (pid $WORKER_PID) on $CELERY_EMBEDDED_BROKER_DIR"
fi
stop_worker() { [ -n "$WORKER_PID" ] && kill "$WORKER_PID" 2>/dev/null && wait "$WORKER_PID" 2>/dev/null; true; }
trap stop_worker EXIT INT TERM
.venv/bin/python manage.py runserver "127.0.0.1:${PORT:-8000}"
