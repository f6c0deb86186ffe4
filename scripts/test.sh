#!/usr/bin/env bash
# `make test`: the whole suite on PostgreSQL and Redis, browser tests included.
# Starts PostgreSQL/Redis where they are not running; installs Debian's chromium if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
t0=$SECONDS; step() { echo "== [$((SECONDS - t0))s] $*"; }

need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server  >/dev/null 2>&1 || need+=(redis-server)
command -v chromium      >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext     >/dev/null 2>&1 || need+=(poppler-utils)   # reads the PDFs in tests
command -v msgfmt        >/dev/null 2>&1 || need+=(gettext)         # compilemessages (locale/)
# WeasyPrint (PDF letters) needs pango; Debian 12 usually has it, a slim image may not.
dpkg -s libpango-1.0-0 libpangoft2-1.0-0 >/dev/null 2>&1 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
if ((${#need[@]})); then
  step "apt-get install ${need[*]}"
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi
step services; bash scripts/services.sh
step venv; bash scripts/venv.sh requirements-dev.txt
# shellcheck disable=SC1091
. .venv/bin/activate

# The suite always runs on PostgreSQL and Redis (never SQLite: stack.md "SQLite versus PostgreSQL").
export DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/painclinic}"
export REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
export REQUIRE_POSTGRES=1 DJANGO_DEBUG=0 DJANGO_SECURE_SSL_REDIRECT=0
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-test-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')}"
psql -w -h 127.0.0.1 -U postgres -d postgres -tAc "select 1 from pg_database where datname='painclinic'" \
  | grep -q 1 || createdb -w -h 127.0.0.1 -U postgres painclinic
# The role the app runs as in production, without ownership or trigger control: tests connect as
# it to prove each bypass of the append-only rules is refused (tests/painclinic/test_app_role.py
# grants it on the test database with `manage.py grant_app_role`).
psql -w -h 127.0.0.1 -U postgres -d postgres -tAc "select 1 from pg_roles where rolname='painclinic_app_test'" \
  | grep -q 1 || psql -w -h 127.0.0.1 -U postgres -d postgres -qc \
  "create role painclinic_app_test login nosuperuser nocreatedb nocreaterole nobypassrls"

step "checks: ruff, lint-imports (layers), mypy, manage.py check (+ --deploy), migrations"
ruff check .
ruff format --check . >/dev/null || { echo "ruff format would change files: run 'make lint'"; ruff format --check .; }
lint-imports   # the import contracts in pyproject.toml: every arrow points down (ARCHITECTURE.md)
mypy           # django-stubs; strict on the pure cores (pyproject.toml [tool.mypy])
python manage.py check --fail-level WARNING
DJANGO_SECURE_SSL_REDIRECT=1 python manage.py check --deploy --fail-level WARNING
python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "a model change has no migration: run 'manage.py makemigrations'"; exit 1; }
python manage.py collectstatic --noinput -v0
# The translations (locale/*/LC_MESSAGES/django.po) compiled to .mo: never committed, built here.
python manage.py compilemessages -v0

step pytest
mkdir -p test-artifacts
set +e
python -m pytest "$@"
rc=$?
set -e
[ "$rc" -eq 5 ] && { echo "pytest collected no tests"; rc=1; }
exit "$rc"
