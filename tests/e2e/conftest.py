"""Browser tests: pytest-playwright driving Debian's chromium against live_server.

Recipe and pitfalls: shared/reference/stack.md ("Browser end-to-end").
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio loop running in the main thread; the ORM would refuse
# to run in test code without this (stack.md gotcha 2). Set only for the browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # This machine's closed network refuses Chromium's background connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _static_files_from_finders(settings) -> None:
    """The live server serves /static/ through the staticfiles finders, which know unhashed names
    only; the production manifest storage would make every stylesheet a 404 in the browser."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM:
        pytest.fail("chromium is not installed: apt-get install -y chromium (make test does this)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot as a test artifact: test-artifacts/screenshots/NAME.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(page, live_server):
    """Log a cast member in through the real login form."""

    def as_user(username: str, password: str = "correct horse battery staple") -> None:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        # Clinicians and team leads land on their caseload, programme admins on the programmes.
        page.wait_for_url(lambda url: "/login/" not in url)

    return as_user


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError("condition not met in time")
