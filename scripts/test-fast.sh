#!/usr/bin/env bash
# `make test-fast`: the inner loop. The suite without browser tests (e2e), real Celery workers
# (worker) and fault injection (faults), on the PostgreSQL and Redis of your environment
# (DATABASE_URL, REDIS_URL), no checks step. Extra arguments go to pytest: `--lf` reruns what failed
# last time, `tests/sced` narrows it, `-n 2` spreads it over two processes (pytest-xdist).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
. .venv/bin/activate
export REQUIRE_POSTGRES="${REQUIRE_POSTGRES:-1}" DJANGO_DEBUG="${DJANGO_DEBUG:-0}"
export DJANGO_SECURE_SSL_REDIRECT="${DJANGO_SECURE_SSL_REDIRECT:-0}"
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-test-fast-$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/painclinic}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/15}"
python manage.py collectstatic --noinput -v0   # pages render through the static manifest
python manage.py compilemessages -v0            # the patient pages' Dutch (needs gettext's msgfmt)
exec python -m pytest -m "not e2e and not worker and not faults" "$@"
