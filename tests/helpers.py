"""Helpers the tests share: dates, services a test requires, API clients, PDF text, Celery modes
and the browser's login and screenshots."""

import contextlib
import datetime as dt
import os
import socket
import subprocess
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from kombu import pools as kombu_pools
from rest_framework.test import APIClient

from config.celery import app as celery_app
from lib.errors import AppError
from tests.factories import PASSWORD, SINCE  # noqa: F401 - re-exported for the tests

D = dt.date
TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = "/usr/bin/chromium"


def require(condition: bool, what: str):
    """Skip the test when `what` is missing, or fail it under CI=true."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available", pytrace=False)
    pytest.skip(f"{what} is not available")


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    """An aware datetime on `day` in the project's time zone."""
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def at_once(count: int, action, *, timeout: float = 120) -> list:
    """Run action(i) in `count` threads released together, each on its own database connection
    (closed at the end); return what each one returned."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def worker(i):
        try:
            barrier.wait(timeout=30)
            results[i] = action(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results


def outcomes_at_once(count: int, action) -> list:
    """at_once, with what each thread got as ("ok", result), (HTTP status, error code) for an
    application error, or ("crash", repr) for anything else (which would be a 500)."""

    def outcome(i):
        try:
            return ("ok", action(i))
        except AppError as exc:
            return (exc.status, exc.code)
        except Exception as exc:
            return ("crash", repr(exc))

    return at_once(count, outcome)


def page_client(user=None) -> Client:
    """A client for the pages, logged in as `user` (if any)."""
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def pdf_text(path, *, layout: bool = True) -> str:
    """The PDF's text as poppler reads it: laid out like the page, or block by block (table
    cells whole, for reading tables)."""
    args = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def celery_mode(*, eager: bool, broker_url: str | None = None):
    """Switch this process's Celery app to eager, or to a real broker at `broker_url`."""
    conf = celery_app.conf
    previous = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager = eager
    if broker_url:
        conf.broker_url = broker_url
        _drop_broker_connections()
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url = previous
        if broker_url:
            _drop_broker_connections()


def _drop_broker_connections():
    # Pooled connections point at the old URL: close them all (kombu keeps a registry of pools
    # per URL) so that the next publish opens new ones.
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


# --- The browser ----------------------------------------------------------------------------

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 812}
# The marks of a test in a real browser with the demo data. The live server starts before the
# tests' settings point WhiteNoise at the app directories; it serves static files through
# Django's handler, so the empty STATIC_ROOT does not matter.
IN_BROWSER = [
    pytest.mark.browser,
    pytest.mark.usefixtures("demo_data"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]
VIEWPORTS = pytest.mark.parametrize("page", [DESKTOP, PHONE], indirect=True, ids=["1366", "375"])
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
DEMO_PASSWORD = "demo"


def viewport_name(page) -> str:
    return f"{page.viewport_size['width']}"


def login(page, username: str, password: str = DEMO_PASSWORD):
    """Log in through the login form and wait for the page it leads to."""
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.click('form[action="/accounts/login/"] button[type="submit"]')
    assert "/accounts/login/" not in page.url, f"login as {username} failed"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
