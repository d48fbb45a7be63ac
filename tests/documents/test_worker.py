"""A real Celery worker against Redis, on the test's PostgreSQL database: it renders what is
issued, and nothing is lost when Redis is down during the issue or a worker is killed
mid-render (Redis keeps nothing on disk; the database is the source of truth)."""

import hashlib
import os
import signal
import time

import pytest
from django.db import transaction
from django.utils import timezone

from config.celery import app as celery_app
from documents import services
from documents.models import Decision
from tests.documents.processes import RedisServer, running_worker, wait_for, worker_env
from tests.helpers import celery_mode, free_port
from tests.world import build_letters_world as build_world
from tests.world import make_proposal

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def own_redis():
    server = RedisServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _issue(w) -> Decision:
    with transaction.atomic():
        return services.decision_issue(proposal=make_proposal(w), signer=w.chair, issued_by=w.clerk)


def _status(decision) -> str:
    decision.refresh_from_db()
    return decision.status


def _one_file(media, decision):
    files = sorted((media / "decisions").iterdir())
    assert [f.name for f in files] == [f"{decision.verify_code}.pdf"]
    assert hashlib.sha256(files[0].read_bytes()).hexdigest() == decision.sha256


def test_a_real_worker_renders_and_delivers_an_issued_decision(media, tmp_path):
    redis_url = os.environ["REDIS_URL"]
    w = build_world()
    with celery_mode(eager=False, broker_url=redis_url):
        celery_app.control.purge()
        with running_worker(worker_env(redis_url=redis_url, media=media), tmp_path / "worker.log"):
            decision = _issue(w)

            wait_for(lambda: _status(decision) == "ready", timeout=60, what="the PDF")
            wait_for(
                lambda: Decision.objects.filter(
                    pk=decision.pk, delivered_at__isnull=False
                ).exists(),
                timeout=30,
                what="the delivery",
            )

    decision.refresh_from_db()
    _one_file(media, decision)
    assert decision.render_attempts == 1
    assert decision.deliveries.filter(recipient=w.subject_user).exists()


def test_an_issue_while_redis_is_down_is_rendered_after_redis_returns(
    media, tmp_path, own_redis, caplog
):
    # Given a worker listening on our own Redis,
    w = build_world()
    env = worker_env(redis_url=own_redis.url, media=media)
    with (
        celery_mode(eager=False, broker_url=own_redis.url),
        running_worker(env, tmp_path / "worker.log"),
    ):
        # when Redis goes down and the office issues a decision,
        own_redis.stop()
        decision = _issue(w)

        # the issue is committed and the decision waits, unqueued, the failure logged;
        assert _status(decision) == "pending"
        assert decision.number == 1
        assert "the sweep will queue it again" in caplog.text

        # when Redis is back (empty: it keeps nothing) and the sweep runs,
        own_redis.start()
        wait_for(
            lambda: services.documents_sweep(older_than=0)["decisions"] == 1,
            timeout=30,
            interval=1,
            what="the sweep to queue the decision",
        )

        # then the worker, reconnected, renders it.
        wait_for(lambda: _status(decision) == "ready", timeout=90, what="the PDF")

    _one_file(media, decision)


def test_a_worker_process_killed_mid_render_loses_nothing(media, tmp_path, own_redis):
    w = build_world()
    # Rendering sleeps 3 s after its claim (tests/documents/slow_render.py); a claim is stale
    # after 4 s.
    env = worker_env(
        redis_url=own_redis.url, media=media, SLOW_RENDER_SECONDS=3, DOCUMENT_RENDER_STALE_SECONDS=4
    )
    with (
        celery_mode(eager=False, broker_url=own_redis.url),
        running_worker(env, tmp_path / "worker.log") as worker,
    ):
        decision = _issue(w)
        wait_for(lambda: _status(decision) == "rendering", timeout=30, what="the claim")
        [child] = worker.children()

        # The pool process rendering it is killed outright.
        os.kill(child, signal.SIGKILL)
        time.sleep(0.5)
        assert _status(decision) == "rendering"

        # The redelivered message (reject_on_worker_lost) or the sweep, once the claim is
        # stale, gets it rendered by a fresh pool process.
        def ready_or_sweep():
            if _status(decision) == "ready":
                return True
            if (
                decision.status == "rendering"
                and (timezone.now() - decision.render_started_at).total_seconds() > 4.5
            ):
                services.documents_sweep(older_than=4)
            return False

        wait_for(ready_or_sweep, timeout=90, interval=0.5, what="the PDF after the kill")
        assert worker.proc.poll() is None

    decision.refresh_from_db()
    assert decision.render_attempts >= 2
    _one_file(media, decision)


def test_a_worker_killed_outright_is_recovered_by_a_new_worker_and_the_sweep(
    media, tmp_path, own_redis
):
    w = build_world()
    env = worker_env(
        redis_url=own_redis.url, media=media, SLOW_RENDER_SECONDS=3, DOCUMENT_RENDER_STALE_SECONDS=4
    )
    with celery_mode(eager=False, broker_url=own_redis.url):
        with running_worker(env, tmp_path / "first.log") as first:
            decision = _issue(w)
            wait_for(lambda: _status(decision) == "rendering", timeout=30, what="the claim")
            # The whole worker dies: its unacknowledged message stays invisible in Redis.
            first.kill_outright()
        assert _status(decision) == "rendering"

        with running_worker(env, tmp_path / "second.log"):
            time.sleep(4.5)
            assert services.documents_sweep(older_than=4)["decisions"] == 1
            wait_for(lambda: _status(decision) == "ready", timeout=60, what="the PDF")

    decision.refresh_from_db()
    assert decision.render_attempts == 2
    _one_file(media, decision)
