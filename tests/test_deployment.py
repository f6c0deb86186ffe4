"""The compose file describes the deployment of DESIGN.md (no Docker engine here, so we read it)."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def _compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_compose_has_web_worker_beat_postgres_and_redis_with_health_checks():
    services = _compose()["services"]
    assert {"web", "worker", "beat", "db", "redis", "migrate"} <= set(services)
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in services[name], f"{name} has no health check"
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert services["worker"]["command"][:3] == ["celery", "-A", "painclinic"]


def test_workers_can_scale_because_no_worker_pins_a_name_or_port():
    worker = _compose()["services"]["worker"]
    assert "container_name" not in worker
    assert "ports" not in worker


def test_data_lives_in_volumes_and_redis_keeps_queued_jobs():
    compose = _compose()
    assert {"pgdata", "redisdata", "media"} <= set(compose["volumes"])
    assert "--appendonly" in compose["services"]["redis"]["command"]


def test_secrets_are_required_not_defaulted():
    text = (REPO / "docker-compose.yml").read_text()
    assert "${DJANGO_SECRET_KEY:?" in text
    assert "${POSTGRES_PASSWORD:?" in text


def test_the_app_runs_as_a_role_that_does_not_own_the_tables():
    """Migrations run as the owner, then grant the app role row access only; web, worker and beat
    connect as the app role (issue #15; tests/painclinic/test_app_role.py shows its limits)."""
    services = _compose()["services"]
    migrate = services["migrate"]
    assert "grant_app_role" in " ".join(migrate["command"])
    assert migrate["environment"]["DATABASE_URL"].startswith("postgres://painclinic:")
    assert migrate["environment"]["APP_DATABASE_URL"].startswith("postgres://painclinic_app:")
    for name in ("web", "worker", "beat"):
        url = services[name]["environment"]["DATABASE_URL"]
        assert url.startswith("postgres://painclinic_app:"), name
        assert "APP_DATABASE_URL" not in services[name]["environment"]


def test_beat_runs_the_sweep_of_lost_jobs_and_workers_answer_its_ping_mid_job():
    """Issue #15: Celery beat sends the sweep (settings.CELERY_BEAT_SCHEDULE); the sweep takes a
    worker that does not answer a ping for gone, so workers must not run the solo pool (whose
    only process is busy computing and cannot answer)."""
    from django.conf import settings

    services = _compose()["services"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "painclinic", "beat"]
    assert "deploy" not in services["beat"]  # one beat: two would send every sweep twice
    worker = " ".join(services["worker"]["command"])
    assert "solo" not in worker
    assert "threads" not in worker
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "sced.sweep_analysis_runs" in tasks


def test_web_scales_behind_the_proxy_because_only_the_proxy_has_a_host_port():
    """`docker compose up --scale web=2 --scale worker=3`: two web replicas cannot both bind the
    host port, so the proxy owns it and forwards to the service name (every replica)."""
    services = _compose()["services"]
    assert "ports" not in services["web"]
    assert "container_name" not in services["web"]
    proxy = services["proxy"]
    assert proxy["ports"]
    assert any("nginx.conf" in v for v in proxy["volumes"])
    conf = (REPO / "deploy" / "nginx.conf").read_text()
    assert "http://web:8000" in conf
    assert "resolver 127.0.0.11" in conf
