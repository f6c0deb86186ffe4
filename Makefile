.PHONY: run test test-fast faults services worker beat lint format bench bench-ab clean audit-deps messages

run:        ## venv + deps + migrate + demo data + server on http://127.0.0.1:8000
	bash scripts/run-demo.sh

test:       ## the whole suite on PostgreSQL + Redis (started if needed), browser tests included
	bash scripts/test.sh

test-fast:  ## the inner loop: no browser, no real worker, no fault injection; `make test-fast ARGS="--lf"`
	bash scripts/test-fast.sh $(ARGS)

faults:     ## only the fault-injection suite (own Redis, real workers, dropped connections)
	bash scripts/test.sh -m faults -s

services:   ## start local PostgreSQL and Redis where they are not running
	bash scripts/services.sh

worker:     ## a Celery worker on both queues, the default and its plots queue (needs DATABASE_URL and REDIS_URL)
	q=$${CELERY_QUEUE:-painclinic}; .venv/bin/celery -A painclinic worker -Q "$$q,$$q-plots" -l info --concurrency $${CELERY_WORKER_CONCURRENCY:-1}

beat:
	.venv/bin/celery -A painclinic beat -l info

audit-deps: ## known vulnerabilities in requirements.txt (pip-audit; needs the network; fails if any package could not be checked)
	bash scripts/audit-deps.sh

lint:       ## ruff, the import contracts and mypy
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports && .venv/bin/mypy

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

clean:
	rm -rf db.sqlite3 staticfiles test-artifacts

messages:   ## refresh the translation catalogues (locale/) from the code, then compile them (README "Translations")
	.venv/bin/python manage.py makemessages -l nl && .venv/bin/python manage.py compilemessages

bench:      ## benchmark: own PostgreSQL DB, bulk seed (BENCH_PATIENTS, default 10000), gunicorn + worker, wrk; prints the table
	bash scripts/bench.sh

bench-ab:   ## two revisions side by side on one seeded DB: `make bench-ab BASE=<rev>` (this checkout against BASE), wrk in turn
	BASE=$(BASE) bash scripts/bench_ab.sh
