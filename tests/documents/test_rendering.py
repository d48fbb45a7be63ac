"""Rendering is claim-based and idempotent: a duplicated, retried or re-queued render yields one
file and one SHA-256; errors release the claim; the sweep recovers what a dead worker left."""

import datetime as dt
import hashlib
import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from audit.models import AuditEvent
from documents import rendering, services, tasks
from documents.models import Decision, ProposalDocument
from tests.helpers import pdf_text
from tests.world import build_letters_world as build_world
from tests.world import issue, make_proposal

pytestmark = pytest.mark.django_db


def _files(media):
    folder = media / "decisions"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def decision(world, media):
    return issue(world, make_proposal(world))


def test_rendering_stores_the_file_and_its_sha256(decision, media):
    assert services.decision_render(decision_id=decision.pk) is True

    decision.refresh_from_db()
    data = (media / decision.file.name).read_bytes()
    assert decision.status == Decision.Status.READY
    assert decision.file.name == f"decisions/{decision.verify_code}.pdf"
    assert data.startswith(b"%PDF")
    assert decision.sha256 == hashlib.sha256(data).hexdigest()
    assert decision.render_attempts == 1
    assert decision.rendered_at is not None
    event = AuditEvent.objects.get(action="decision_rendered")
    assert event.data["sha256"] == decision.sha256


def test_the_document_prints_the_audit_chain_head_it_anchors(decision, media):
    # The anchor is in the PDF, so its SHA-256 (stored, and held by every recipient) covers it.
    issued = AuditEvent.objects.get(action="decision_issued")
    assert decision.audit_hash == issued.hash
    assert decision.audit_seq == AuditEvent.objects.filter(id__lte=issued.id).count()

    services.decision_render(decision_id=decision.pk)
    decision.refresh_from_db()
    text = pdf_text(media / decision.file.name)
    assert f"Mã neo nhật ký: {decision.audit_seq}" in text
    assert decision.audit_hash in text


def test_a_second_render_of_a_ready_decision_does_nothing(decision, media):
    services.decision_render(decision_id=decision.pk)
    decision.refresh_from_db()
    first = (decision.sha256, decision.rendered_at)

    assert services.decision_render(decision_id=decision.pk) is False
    tasks.render_decision.delay(decision.pk)

    decision.refresh_from_db()
    assert (decision.sha256, decision.rendered_at) == first
    assert decision.render_attempts == 1
    assert _files(media) == [f"{decision.verify_code}.pdf"]
    assert AuditEvent.objects.filter(action="decision_rendered").count() == 1


def test_a_render_finding_a_fresh_claim_leaves_it_alone(decision, media):
    Decision.objects.filter(pk=decision.pk).update(
        status="rendering", render_started_at=timezone.now(), render_attempts=1
    )

    assert services.decision_render(decision_id=decision.pk) is False
    decision.refresh_from_db()
    assert decision.status == "rendering"
    assert _files(media) == []


def test_a_claim_left_by_a_dead_worker_is_taken_over_after_the_threshold(decision, media):
    # A worker claimed it 200 s ago and died; a half-written file is left behind.
    Decision.objects.filter(pk=decision.pk).update(
        status="rendering",
        render_started_at=timezone.now() - dt.timedelta(seconds=200),
        render_attempts=1,
    )
    (media / "decisions").mkdir(parents=True)
    (media / "decisions" / f"{decision.verify_code}.pdf").write_bytes(b"%PDF-1.7 truncated")

    assert services.decision_render(decision_id=decision.pk) is True

    decision.refresh_from_db()
    assert decision.status == "ready"
    assert decision.render_attempts == 2
    # The same name, overwritten: still one file, and its hash is the stored one.
    assert _files(media) == [f"{decision.verify_code}.pdf"]
    data = (media / decision.file.name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == decision.sha256


def test_an_error_releases_the_claim_and_the_last_attempt_marks_it_failed(
    decision, media, monkeypatch, settings
):
    settings.DOCUMENT_RENDER_MAX_ATTEMPTS = 2

    def broken(*args, **kwargs):
        raise OSError("Pango could not load the font")

    monkeypatch.setattr(rendering, "html_to_pdf", broken)

    with pytest.raises(OSError):
        services.decision_render(decision_id=decision.pk)
    decision.refresh_from_db()
    assert (decision.status, decision.render_attempts) == ("pending", 1)
    assert "Pango could not load the font" in decision.error

    with pytest.raises(OSError):
        services.decision_render(decision_id=decision.pk)
    decision.refresh_from_db()
    assert (decision.status, decision.render_attempts) == ("failed", 2)
    assert AuditEvent.objects.filter(action="decision_render_failed").count() == 1
    assert _files(media) == []


def test_the_task_retries_until_the_attempts_run_out(decision, media, monkeypatch, settings):
    settings.DOCUMENT_RENDER_MAX_ATTEMPTS = 3
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise OSError("disk full")

    monkeypatch.setattr(rendering, "html_to_pdf", broken)

    # Eagerly, apply() runs the retries in turn (no countdown) when errors do not propagate.
    conf = tasks.render_decision.app.conf
    propagates, conf.task_eager_propagates = conf.task_eager_propagates, False
    try:
        result = tasks.render_decision.apply(args=[decision.pk])
    finally:
        conf.task_eager_propagates = propagates

    # The retry after the last attempt finds the decision failed and leaves it alone.
    assert result.result is False

    decision.refresh_from_db()
    assert decision.status == "failed"
    assert decision.render_attempts == 3
    assert len(calls) == 3


def test_the_office_can_ask_again_for_a_failed_decision(
    decision, media, world, django_capture_on_commit_callbacks
):
    Decision.objects.filter(pk=decision.pk).update(status="failed", render_attempts=5, error="x")

    with django_capture_on_commit_callbacks(execute=True):
        assert services.decision_render_retry(decision=decision, actor=world.clerk) is True

    decision.refresh_from_db()
    assert decision.status == "ready"
    assert decision.render_attempts == 1
    assert AuditEvent.objects.filter(action="decision_render_retried", actor=world.clerk).exists()


def test_the_task_options_make_a_lost_worker_harmless():
    for task in (tasks.render_decision, tasks.render_proposal_document, tasks.deliver_decision):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
        assert Exception in task.autoretry_for
        assert task.retry_backoff and task.max_retries >= 3
        assert 0 < task.soft_time_limit < task.time_limit
        # A live render is never mistaken for a dead one.
        assert task.time_limit < django_settings.DOCUMENT_RENDER_STALE_SECONDS


def test_beat_runs_the_sweep_every_minute():
    entry = django_settings.CELERY_BEAT_SCHEDULE["documents-sweep"]
    assert entry == {"task": "documents.sweep", "schedule": 60.0}
    assert tasks.sweep.name == "documents.sweep"


def test_one_font_configuration_serves_every_render_in_a_process():
    assert rendering.font_config() is rendering.font_config()


# --- The sweep ------------------------------------------------------------------------------


def test_the_sweep_requeues_a_decision_whose_message_was_lost(decision, media):
    # The decision was issued while the broker was down: pending, never queued.
    Decision.objects.filter(pk=decision.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=5)
    )

    counts = services.documents_sweep()

    decision.refresh_from_db()
    assert counts["decisions"] == 1
    assert decision.status == "ready"


def test_the_sweep_leaves_fresh_work_alone(decision, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "enqueue", lambda name, pk: queued.append((name, pk)) or True)
    Decision.objects.filter(pk=decision.pk).update(
        status="rendering", render_started_at=timezone.now(), render_attempts=1
    )

    assert services.documents_sweep() == {
        "decisions": 0,
        "documents": 0,
        "deliveries": 0,
        "failed": 0,
    }
    assert queued == []


def test_the_sweep_requeues_a_render_stuck_past_the_threshold(decision, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "enqueue", lambda name, pk: queued.append((name, pk)) or True)
    Decision.objects.filter(pk=decision.pk).update(
        status="rendering",
        render_started_at=timezone.now() - dt.timedelta(seconds=121),
        render_attempts=1,
    )

    services.documents_sweep()

    assert queued == [("render_decision", decision.pk)]


def test_the_sweep_gives_up_on_a_decision_that_keeps_killing_workers(decision, settings):
    Decision.objects.filter(pk=decision.pk).update(
        status="rendering",
        render_started_at=timezone.now() - dt.timedelta(seconds=600),
        render_attempts=settings.DOCUMENT_RENDER_MAX_ATTEMPTS,
    )

    counts = services.documents_sweep()

    decision.refresh_from_db()
    assert counts["failed"] == 1
    assert decision.status == "failed"
    assert AuditEvent.objects.filter(action="decision_render_failed").exists()


def test_the_sweep_requeues_delivery_of_a_ready_decision_never_delivered(decision, media):
    services.decision_render(decision_id=decision.pk)
    Decision.objects.filter(pk=decision.pk).update(
        rendered_at=timezone.now() - dt.timedelta(minutes=5), delivered_at=None
    )

    counts = services.documents_sweep()

    decision.refresh_from_db()
    assert counts["deliveries"] == 1
    assert decision.delivered_at is not None


def test_the_sweep_task_runs_the_sweep(decision, media):
    Decision.objects.filter(pk=decision.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=5)
    )

    result = tasks.sweep.apply().get()

    assert result["decisions"] == 1
    assert ProposalDocument.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_renders_at_once_yield_one_file_and_one_sha256(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = build_world()
    with transaction.atomic():
        decision = services.decision_issue(
            proposal=make_proposal(w), signer=w.chair, issued_by=w.clerk
        )
    # The eager on_commit render already ran; put the row back as if the message were doubled.
    Decision.objects.filter(pk=decision.pk).update(
        status="pending", sha256="", file="", render_attempts=0, rendered_at=None
    )
    for path in (tmp_path / "decisions").iterdir():
        path.unlink()
    barrier = threading.Barrier(2)
    results = []

    def render():
        try:
            barrier.wait(timeout=10)
            results.append(services.decision_render(decision_id=decision.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=render) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    decision.refresh_from_db()
    assert sorted(results) == [False, True]
    assert decision.render_attempts == 1
    assert [p.name for p in (tmp_path / "decisions").iterdir()] == [f"{decision.verify_code}.pdf"]
    data = (tmp_path / decision.file.name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == decision.sha256
