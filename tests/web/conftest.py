"""The browser harness: Debian's Chromium driven by Playwright for Python against pytest-django's
live server. Never `playwright install`: the tests use the system browser.

- `browser`: one Chromium for the session;
- `page`: a fresh context and tab on the live server, 1366×768 unless a test parametrizes it
  indirectly with a viewport (`PHONE`); failed requests and console errors are collected in
  `page_problems`;
- `world`: the `registry` world of tests/world.py; `demo_data`: the demo (SPEC §10).

The helpers (`login`, `screenshot`, viewports) are in tests/helpers.py.
"""

import io
import os

import pytest
from django.core.management import call_command

from tests.helpers import CHROMIUM, DESKTOP

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API keeps an event loop running in this thread, and Django refuses ORM
    # calls next to a running loop; the test code is still synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page_problems():
    """Requests that failed (4xx/5xx or no answer) and console errors seen by `page`."""
    return []


@pytest.fixture
def page(request, browser, live_server, page_problems):
    viewport = getattr(request, "param", DESKTOP)
    context = browser.new_context(
        base_url=live_server.url,
        viewport=viewport,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        device_scale_factor=1,
    )
    tab = context.new_page()
    tab.set_default_timeout(15_000)

    def on_response(response):
        if response.status >= 400:
            page_problems.append(f"HTTP {response.status} {response.url}")

    def on_request_failed(request):
        # ERR_ABORTED is a request cut short by the next navigation (a favicon, say), not a fault.
        if request.failure != "net::ERR_ABORTED":
            page_problems.append(f"failed {request.url}: {request.failure}")

    def on_console(message):
        if message.type == "error":
            page_problems.append(f"console: {message.text}")

    tab.on("response", on_response)
    tab.on("requestfailed", on_request_failed)
    tab.on("console", on_console)
    tab.on("pageerror", lambda error: page_problems.append(f"page error: {error}"))
    yield tab
    context.close()


@pytest.fixture
def world(registry_world):
    """The registry world (personas, units, posts), for page tests."""
    return registry_world


# The demo as seed_demo builds it, dumped once per process: each browser test starts on a flushed
# database (the live server needs committed data), and loading the dump takes a second where
# building the demo through the services again takes ten.
_DEMO = {}
_NOT_DUMPED = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]


@pytest.fixture
def demo_data(transactional_db, settings, tmp_path_factory):
    """The demo registry and accounts of SPEC §10 (password "demo"); the letters it renders go to
    a temporary MEDIA_ROOT of this process, not the repository's media/."""
    settings.DEMO_MODE = True
    if "dump" not in _DEMO:
        _DEMO["media"] = tmp_path_factory.mktemp("demo-media")
        settings.MEDIA_ROOT = _DEMO["media"]
        call_command("seed_demo", stdout=io.StringIO())
        dump = io.StringIO()
        call_command(
            "dumpdata",
            exclude=_NOT_DUMPED,
            natural_foreign=True,
            format="xml",  # keeps the microseconds the audit chain hashes
            stdout=dump,
        )
        _DEMO["dump"] = _DEMO["media"] / "demo.xml"
        _DEMO["dump"].write_text(dump.getvalue(), encoding="utf-8")
        return
    settings.MEDIA_ROOT = _DEMO["media"]
    call_command("loaddata", str(_DEMO["dump"]), verbosity=0)
