"""Browser tests: pytest-playwright driving Debian's chromium against live_server.

Recipe and pitfalls: shared/reference/stack.md ("Browser end-to-end").
"""

from __future__ import annotations

import contextlib
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


@pytest.fixture(autouse=True)
def _requests_settle_before_the_database_is_flushed(page):
    """A page may still be loading its charts (each its own request, which audits a view) when a
    test's last assertion passes; the database flush of a transactional test would then race
    those requests (a refused TRUNCATE, rows left for the next test). Set up after ``page`` and
    after the database marker, this tears down first: it waits for the page to go quiet."""
    yield
    with contextlib.suppress(Exception):  # a closed or crashed page has nothing in flight
        page.wait_for_load_state("networkidle", timeout=15_000)


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


def authenticator_code(username: str) -> str:
    """The code the user's phone would show now: for users who must use MFA (team leads,
    programme admins) a test authenticator is set up first. A code's time step is never used
    twice (django-otp refuses it), so a second log-in within 30 s takes the next step's code,
    which the 30-s tolerance accepts, or waits for it."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from painclinic.models import User

    user = User.objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step = max(clock.t(), device.last_t + 1)
    while step > clock.t() + device.tolerance:
        time.sleep(0.5)
    clock.drift = step - clock.t()
    return f"{clock.token():06d}"


@pytest.fixture
def login(page, live_server):
    """Log a cast member in through the real login form, and through the second step
    (two-step verification, issue #15) when their role requires it."""

    def as_user(username: str, password: str = "correct horse battery staple") -> None:
        from painclinic import mfa
        from painclinic.models import User

        code = None
        if mfa.mfa_required(User.objects.get(username=username)):
            code = authenticator_code(username)
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        if code is not None:
            page.wait_for_url(lambda url: "/mfa/verify/" in url)
            page.get_by_label("Code").fill(code)
            page.get_by_role("button", name="Verify").click()
            page.wait_for_url(lambda url: "/mfa/" not in url)
        # Clinicians and team leads land on their caseload, programme admins on the programmes.

    return as_user


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError("condition not met in time")
