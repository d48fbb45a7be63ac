"""A real Celery worker against Redis, on the test's PostgreSQL database: it renders what is
issued, and nothing is lost when Redis is down during the issue or a worker is killed
mid-render (Redis keeps nothing on disk; the database is the source of truth)."""

import hashlib
import os
import signal

import pytest
from django.db import transaction

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


STALE = 8  # seconds after which a claim is taken to belong to a dead worker


def _paused_env(own_redis, media, tmp_path, at):
    """A worker whose first render pauses at `at` (tests/documents/slow_render.py)."""
    mark = tmp_path / f"paused-at-{at}"
    env = worker_env(
        redis_url=own_redis.url,
        media=media,
        SLOW_RENDER_AT=at,
        SLOW_RENDER_MARK=mark,
        DOCUMENT_RENDER_STALE_SECONDS=STALE,
    )
    return env, mark


def _recovered_by_the_sweep(decision):
    """The beat sweep, once the claim is stale, queues the render again; a worker re-claims it."""
    wait_for(
        lambda: services.documents_sweep(older_than=STALE)["decisions"] == 1,
        timeout=STALE + 30,
        interval=0.5,
        what="the sweep to find the stale claim",
    )
    wait_for(lambda: _status(decision) == "ready", timeout=60, what="the PDF after the kill")


@pytest.mark.parametrize("at", ["write_pdf", "store"])
def test_a_pool_process_killed_mid_render_is_recovered_by_the_sweep(media, tmp_path, own_redis, at):
    # Killed inside WeasyPrint's write_pdf (the PDF built, not yet returned), or while the file
    # is being written (half of it on disk).
    w = build_world()
    env, mark = _paused_env(own_redis, media, tmp_path, at)
    log = tmp_path / "worker.log"
    with (
        celery_mode(eager=False, broker_url=own_redis.url),
        running_worker(env, log) as worker,
    ):
        decision = _issue(w)
        wait_for(mark.exists, timeout=60, what=f"the render to reach {at}")
        [child] = worker.children()
        assert int(mark.read_text()) == child
        assert _status(decision) == "rendering"
        partial = media / decision.file_name
        if at == "store":
            assert partial.exists()  # begun, not finished
        else:
            assert not partial.exists()

        os.kill(child, signal.SIGKILL)

        # Path 1, the message: redelivered at once (acks_late, reject_on_worker_lost) to a fresh
        # pool process, it finds the claim fresh and does nothing (it cannot tell a dead worker
        # from a slow one yet) ...
        wait_for(
            lambda: "is claimed by another worker or done" in log.read_text(errors="replace"),
            timeout=30,
            what="the redelivered message",
        )
        assert _status(decision) == "rendering"
        # Path 2, the beat sweep: once the claim is stale it queues the render again, and the
        # new claim takes the row over. This is the path that recovers it.
        _recovered_by_the_sweep(decision)
        assert worker.proc.poll() is None

    decision.refresh_from_db()
    assert decision.render_attempts == 2
    _one_file(media, decision)  # the dead attempt's half file was replaced


def test_a_worker_killed_outright_is_recovered_by_a_new_worker_and_the_sweep(
    media, tmp_path, own_redis
):
    w = build_world()
    env, mark = _paused_env(own_redis, media, tmp_path, "write_pdf")
    with celery_mode(eager=False, broker_url=own_redis.url):
        with running_worker(env, tmp_path / "first.log") as first:
            decision = _issue(w)
            wait_for(mark.exists, timeout=60, what="the render to reach write_pdf")
            # The whole worker dies: its unacknowledged message stays invisible in Redis.
            first.kill_outright()
        assert _status(decision) == "rendering"

        with running_worker(env, tmp_path / "second.log"):
            _recovered_by_the_sweep(decision)

    decision.refresh_from_db()
    assert decision.render_attempts == 2
    _one_file(media, decision)
