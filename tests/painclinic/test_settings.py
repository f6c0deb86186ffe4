"""Settings read the environment strictly; the quick-start configuration works on SQLite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from painclinic.envparse import EnvError, env_bool, env_int, env_str, env_url

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("word", "value"), [("1", True), ("true", True), ("On", True), ("0", False), ("no", False)]
)
def test_booleans_read_the_usual_words(word, value):
    assert env_bool("X", default=not value, environ={"X": word}) is value


@pytest.mark.parametrize("typo", ["ture", "yes please", "2", "flase"])
def test_a_misspelt_boolean_is_an_error_not_a_default(typo):
    with pytest.raises(EnvError, match="is not a boolean"):
        env_bool("DJANGO_DEBUG", default=False, environ={"DJANGO_DEBUG": typo})


def test_an_empty_value_counts_as_unset():
    assert env_str("DATABASE_URL", "fallback", environ={"DATABASE_URL": "  "}) == "fallback"
    assert env_url("DATABASE_URL", schemes=("postgres",), environ={"DATABASE_URL": ""}) == ""


def test_a_database_url_of_the_wrong_kind_is_refused():
    with pytest.raises(EnvError, match="must start with"):
        env_url(
            "DATABASE_URL", schemes=("postgres", "sqlite"), environ={"DATABASE_URL": "mysql://x"}
        )


def test_numbers_are_checked():
    with pytest.raises(EnvError):
        env_int("N", 1, environ={"N": "many"})
    with pytest.raises(EnvError, match="below the minimum"):
        env_int("N", 1, minimum=1, environ={"N": "0"})


def _run(code: str, **env_changes) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "REQUIRE_POSTGRES")
    }
    env.update(env_changes)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def test_settings_refuse_to_start_with_a_misspelt_debug_flag():
    result = _run(
        "import django; django.setup()",
        DJANGO_SETTINGS_MODULE="painclinic.settings",
        DJANGO_DEBUG="ture",
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG='ture' is not a boolean" in result.stderr


def test_quick_start_without_database_or_redis_migrates_sqlite_and_serves_the_login_page(tmp_path):
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.core.management import call_command\n"
        "from django.test import Client\n"
        "from painclinic.celery import app\n"
        "assert settings.DATABASES['default']['ENGINE'] == 'django.db.backends.sqlite3'\n"
        "assert app.conf.task_always_eager\n"
        "call_command('migrate', verbosity=0)\n"
        "response = Client().get('/login/')\n"
        "assert response.status_code == 200, response.status_code\n"
        "assert b'Log in to painclinic' in response.content\n"
        "print('ok')\n"
    )
    result = _run(
        code,
        DJANGO_SETTINGS_MODULE="painclinic.settings",
        DJANGO_DEBUG="1",
        DATABASE_URL="",  # empty means unset: the embedded SQLite file
        DJANGO_SQLITE_PATH=str(tmp_path / "quickstart.sqlite3"),
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")
    assert (tmp_path / "quickstart.sqlite3").exists()


def test_production_settings_pass_check_deploy():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            # DJANGO_ALLOW_ASYNC_UNSAFE is set for the browser tests only; a deployment never has it.
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("DJANGO_SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE")
            },
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-9876",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _manage(*argv: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DJANGO_SECRET_KEY",
            "DJANGO_DEBUG",
            "DATABASE_URL",
            "REDIS_URL",
            "REQUIRE_POSTGRES",
        )
    }
    return subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=REPO,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_scoring_needs_no_secret_key_but_serving_and_checking_still_do():
    scored = _manage("score", "peg", stdin='{"1": 6, "2": 7, "3": 8}')
    assert scored.returncode == 0, scored.stderr[-2000:]
    assert '"total": 7' in scored.stdout
    for command in (["runserver", "--noreload", "127.0.0.1:0"], ["check"], ["migrate", "--plan"]):
        refused = _manage(*command)
        assert refused.returncode != 0
        assert "DJANGO_SECRET_KEY must be set" in refused.stderr
