"""Shared fixtures. Services a test needs are required under CI=true: a missing one fails the
test instead of skipping it."""

import os

import pytest
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = "/usr/bin/chromium"


def require(condition: bool, what: str):
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available", pytrace=False)
    pytest.skip(f"{what} is not available")


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        require(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL)")
    if item.get_closest_marker("redis"):
        require(_redis_reachable(), "Redis (set REDIS_URL)")
    if item.get_closest_marker("browser"):
        require(os.access(CHROMIUM, os.X_OK), f"Chromium at {CHROMIUM} (apt-get install chromium)")


def _redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    """Pages render {% static %} and WhiteNoise serves the files from the app directories, as in
    development, so tests need no collectstatic; tests/web/test_static_files.py checks the
    production storage once."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's language: a request in English (LocaleMiddleware) would
    otherwise leave English active for the tests after it."""
    from django.utils import translation

    with translation.override("vi"):
        yield
