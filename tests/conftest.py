"""Shared fixtures and the test database's worlds.

Services a test needs are required under CI=true: a missing one fails the test instead of
skipping it.

Worlds (tests/world.py) are built once per session, not per test: before a test that uses the
database, the database is brought to what the test needs, committed, outside its transaction:

- a test that asks for `<name>_world` (the apps' `world` fixtures do) finds that world there and
  gets its own deep copy of the objects; its transaction is rolled back as usual;
- any other test finds the database empty, as before;
- a transactional test (`transaction=True`, `transactional_db`, `live_server`) starts on an empty
  database and builds what it needs; Django flushes the tables after it.

The database is flushed and a world built only when the next test needs something else, so tests
of one app in a row share one build. Each xdist worker has its own database, media directory and
state."""

import copy
import os

# The audit chain's key, the same in this process and in the workers it spawns (they inherit the
# environment); production requires one, as the tests' settings are not DEBUG.
os.environ.setdefault("AUDIT_KEY", "test-audit-key")

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.backends.signals import connection_created
from django.test.utils import override_settings

from tests.helpers import CHROMIUM, require
from tests.world import BUILDERS

WORLD_FIXTURES = {f"{name}_world": name for name in BUILDERS}
DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def _allow_flushing_the_audit_tables(sender, connection, **kwargs):
    """The audit tables refuse TRUNCATE (audit/migrations/0002), which is how Django flushes a
    PostgreSQL test database; a superuser's session may allow it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET audit.allow_truncate = on")


connection_created.connect(_allow_flushing_the_audit_tables)


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


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory):
    """For the whole session (the worlds are built outside any test): a fast password hasher
    (the production one is slow on purpose) and a media directory of this process's own."""
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        AUDIT_KEY=os.environ["AUDIT_KEY"],
    ):
        yield


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


@pytest.fixture(autouse=True)
def eager_celery(request):
    """Tasks run in-process unless the test is marked redis, whatever REDIS_URL says, so the
    suite behaves the same with and without a broker and leaves no message in Redis (the redis
    tests consume what they send)."""
    from tests.helpers import celery_mode

    if request.node.get_closest_marker("redis"):
        yield
        return
    with celery_mode(eager=True):
        yield


@pytest.fixture
def api():
    """An API client (the documents' tests make one per user instead)."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def client_for(client):
    """The pages' test client logged in as a user, reading Vietnamese unless told otherwise
    (as a fixture; tests.helpers.client_for is the API's)."""

    def login(user, language="vi"):
        client.force_login(user)
        client.cookies["django_language"] = language
        return client

    return login


# --- Worlds -----------------------------------------------------------------------------------


class _Database:
    """What is committed in this process's test database: None (nothing) or a world's name."""

    world_name: str | None = None
    world = None


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    return bool(
        (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
        or {"transactional_db", "live_server", "django_db_reset_sequences"} & set(names)
    )


def _prepare_database(request, django_db_blocker):
    if not (
        request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("django_db_setup")
    wanted = [WORLD_FIXTURES[name] for name in request.fixturenames if name in WORLD_FIXTURES]
    target = None if _is_transactional(request) or not wanted else wanted[0]
    if _Database.world_name == target:
        return
    with django_db_blocker.unblock():
        if _Database.world_name is not None:
            call_command("flush", interactive=False, verbosity=0)
        _Database.world_name, _Database.world = None, None
        if target is not None:
            with transaction.atomic():
                _Database.world = BUILDERS[target]()
            _Database.world_name = target


@pytest.fixture(autouse=True)
def _django_db_marker(request, django_db_blocker):
    """Overrides pytest-django's fixture of this name, which every test runs first: bring the
    database to what the test needs before its transaction begins, then apply the django_db
    marker as pytest-django does."""
    _prepare_database(request, django_db_blocker)
    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("_django_db_helper")


def _world_fixture(name):
    @pytest.fixture(name=f"{name}_world")
    def fixture(request):
        if _is_transactional(request):
            request.getfixturevalue("transactional_db")
            return BUILDERS[name]()
        request.getfixturevalue("db")
        assert _Database.world_name == name, (name, _Database.world_name)
        return copy.deepcopy(_Database.world)

    fixture.__doc__ = f"The {name} world of tests/world.py: built once, a fresh copy per test."
    return fixture


registry_world = _world_fixture("registry")
workflow_world = _world_fixture("workflow")
letters_world = _world_fixture("letters")
reports_world = _world_fixture("reports")
demo_world = _world_fixture("demo")
