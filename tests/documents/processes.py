"""Real processes for the worker tests: a Celery worker on the test database, and a Redis server
of our own that a test may stop and start (never the shared one). Every process is ended by its
own id (its process group, which only it and its children are in)."""

import contextlib
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
CELERY = ROOT / ".venv" / "bin" / "celery"


def wait_for(predicate, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def shared_database_url() -> str:
    """The URL of the database this test runs on (test_<name>), for a worker to share it."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(*, redis_url: str, media: Path, **extra) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": shared_database_url(),
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(media),
        "SITE_URL": settings.SITE_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    env.update({key: str(value) for key, value in extra.items()})
    return env


class Worker:
    """`celery -A config worker` in its own process group, logging to a file."""

    def __init__(self, env: dict, log: Path, *, concurrency: int = 1):
        self.log = log
        self.name = f"test-{uuid.uuid4().hex[:8]}@%h"
        self._log_file = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "config",
                "worker",
                "--loglevel=INFO",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                self.name,
                # Test-only patches (the slow render of the kill tests), never in production.
                "--include=tests.documents.slow_render",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60):
        wait_for(
            lambda: (
                " ready." in self.log.read_text(errors="replace") or self.proc.poll() is not None
            ),
            timeout=timeout,
            what="the Celery worker to start",
        )
        assert self.proc.poll() is None, self.log.read_text(errors="replace")[-3000:]

    def children(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def kill_outright(self):
        """SIGKILL the worker and its pool: nothing gets to clean up or acknowledge."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill_outright()
        self._log_file.close()


@contextlib.contextmanager
def running_worker(env: dict, log: Path, **kwargs):
    worker = Worker(env, log, **kwargs)
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()


class RedisServer:
    """A throw-away redis-server on `port`: nothing on disk, so a restart starts empty, like the
    production Redis that keeps nothing."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        wait_for(self._pings(client), timeout=10, what=f"redis on port {self.port}")

    @staticmethod
    def _pings(client):
        def check():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        return check

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None
