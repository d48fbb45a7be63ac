"""The audit chain under real concurrency on PostgreSQL (issue 10, item 4 and a test gap).

Lock order (audit/services.py): a transaction takes the chain head last, after every row lock it
needs. A user action locks the proposal row, then the head; the worker locks the decision row,
then the head; its event names the proposal by a plain id (no foreign key), so it never waits for
the proposal row. Before, a deferred foreign-key check made the worker wait for the proposal row
while holding the head: a deadlock, and one ballot lost."""

import threading
import time
from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from audit.models import AuditChainHead, AuditEvent
from audit.services import audit_append, audit_verify
from documents import services as documents
from documents.models import Decision
from personnel.roles import Actor
from tests.world import build_workflow_world, new_proposal
from workflow import services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ITERATIONS = 30
TIME_CAP = 90  # seconds for the whole run


def run_threads(*loops):
    """Run each loop(i) for i in range(ITERATIONS) in its own thread, all started together;
    stop at the time cap. Returns the errors, and the iterations each loop completed."""
    barrier = threading.Barrier(len(loops))
    deadline = time.monotonic() + TIME_CAP
    errors, done = [], [0] * len(loops)

    def thread(n, loop):
        try:
            barrier.wait(timeout=30)
            for i in range(ITERATIONS):
                if time.monotonic() > deadline:
                    break
                loop(i)
                done[n] += 1
        except Exception as exc:  # a deadlock would be an OperationalError here
            errors.append(f"{loop.__name__}: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=thread, args=(n, loop)) for n, loop in enumerate(loops)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=TIME_CAP + 60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return errors, done


@pytest.fixture
def fast_pdf(monkeypatch):
    """A stand-in for WeasyPrint: the render keeps its claims, updates and audit events (the
    locks under test) without spending seconds per PDF."""
    monkeypatch.setattr(
        documents, "decision_pdf_bytes", lambda decision: b"%PDF-1.4 " + str(time.time()).encode()
    )


def test_user_transitions_and_worker_renders_and_deliveries_never_deadlock(fast_pdf):
    w = build_workflow_world()
    proposals = [new_proposal(w), new_proposal(w, official=w.dung)]
    # Each proposal has a decision the "worker" renders and delivers again and again, so its
    # events name the proposal the user is moving (what the lost ballot's deadlock needed).
    decisions = []
    for proposal in proposals:
        with transaction.atomic():
            decisions.append(
                documents.decision_issue(proposal=proposal, signer=w.chair, issued_by=w.clerk)
            )

    def user(proposal):
        def user_transitions(i):
            # Proposal row, then the chain head, three times per iteration.
            for name, user, comment in (
                ("submit", w.proposer, ""),
                ("start_review", w.reviewer, ""),
                ("return_for_revision", w.reviewer, f"Lần {i}"),
            ):
                services.proposal_transition(
                    name, proposal_id=proposal.pk, actor=Actor.for_user(user), comment=comment
                )

        return user_transitions

    def worker(decision):
        def worker_renders_and_delivers(i):
            # As the worker's tasks do: render (claim, store, mark ready and audit), then deliver.
            Decision.objects.filter(pk=decision.pk).update(
                status=Decision.Status.PENDING, render_started_at=None, delivered_at=None
            )
            assert documents.decision_render(decision_id=decision.pk)
            documents.decision_deliver(decision_id=decision.pk)

        return worker_renders_and_delivers

    delivered = AuditEvent.objects.filter(action="decision_delivered")
    before = delivered.count()  # the issue's own render and delivery (tasks run in-process)

    errors, done = run_threads(*map(user, proposals), *map(worker, decisions))

    assert errors == []
    assert min(done) >= 5, done  # they really ran side by side, within the time cap
    report = audit_verify()
    assert report.ok, report
    assert report.anchors == 2
    assert AuditEvent.objects.filter(action="return_for_revision").count() == sum(done[:2])
    assert delivered.count() - before == sum(done[2:])


def test_concurrent_appends_on_different_proposals_keep_one_chain():
    # Ten transactions at once, each recording events about its own proposal and doing a little
    # more work before it commits. Without the lock on the chain head two of them would read the
    # same head and fork the chain (or lose the count); verify_audit would say so.
    proposals = [SimpleNamespace(pk=1000 + n) for n in range(10)]

    def appends(proposal):
        def append(i):
            with transaction.atomic():
                audit_append(action="test", proposal=proposal, data={"i": i})
                time.sleep(0.002)

        return append

    errors, done = run_threads(*(appends(p) for p in proposals))

    assert errors == []
    assert sum(done) == 10 * ITERATIONS
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) == 10 * ITERATIONS
    assert len({e.prev_hash for e in events}) == len(events)  # no fork
    assert AuditChainHead.objects.get(pk=1).count == len(events)
    assert audit_verify().ok
