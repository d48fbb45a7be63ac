"""The audit log: every action leaves a hash-chained event; verify_audit names the first broken
event after tampering; on PostgreSQL a trigger refuses UPDATE and DELETE."""

import hashlib
import hmac

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from audit.services import audit_append, audit_verify
from tests.helpers import TODAY
from tests.world import S, act, advance, new_proposal

pytestmark = pytest.mark.django_db

TABLE = "workflow_auditevent"
TRIGGER = "workflow_auditevent_append_only"


def tamper(sql, params=()):
    """Change the table behind the application's back, as a database superuser could: on
    PostgreSQL triggers are switched off for the session first (replica mode; superuser only)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


@pytest.fixture
def history(world):
    """A proposal taken through its whole life: many events of many kinds."""
    advance(world, new_proposal(world, effective_date=TODAY), S.COMPLETED)
    return list(AuditEvent.objects.order_by("id"))


def verify_fails():
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit")
    assert caught.value.returncode == 1
    return str(caught.value)


def test_every_step_of_a_proposals_life_is_recorded(world, history):
    actions = [e.action for e in history if e.proposal_id]
    for expected in (
        "create",
        "submit",
        "start_review",
        "opinion",
        "endorse",
        "open_vote",
        "ballot_receipt",
        "close_vote",
        "issue_decision",
        "post",
        "end_rotation",
    ):
        assert expected in actions
    assert actions.count("ballot_receipt") == 8
    # Each event links to the one before it.
    for before, after in zip(history, history[1:], strict=False):
        assert after.prev_hash == before.hash


def test_verify_audit_passes_on_an_untouched_chain(world, history, capsys):
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert f"toàn vẹn: {len(history)} sự kiện" in out


def test_verify_audit_names_an_edited_event(world, history):
    victim = history[5]
    tamper(f"UPDATE {TABLE} SET comment = %s WHERE id = %s", ["sửa lén", victim.id])
    message = verify_fails()
    assert f"sự kiện {victim.id}:" in message
    assert "Nội dung đã bị sửa" in message


def test_verify_audit_names_the_event_after_a_removed_one(world, history):
    victim, successor = history[4], history[5]
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [victim.id])
    message = verify_fails()
    assert f"sự kiện {successor.id}:" in message
    assert "Liên kết với sự kiện trước bị đứt" in message


def test_verify_audit_notices_events_removed_from_the_end(world, history):
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [history[-1].id])
    message = verify_fails()
    assert f"sự kiện {history[-2].id}:" in message
    assert "Các sự kiện cuối chuỗi đã bị xóa" in message


def test_verify_audit_notices_a_rehashed_edit(world, history):
    # Editing the content and recomputing that row's hash still breaks the next link.
    from audit.services import event_hash

    victim = history[3]
    victim.comment = "viết lại"
    new_hash = event_hash(victim)
    tamper(
        f"UPDATE {TABLE} SET comment = %s, hash = %s WHERE id = %s",
        ["viết lại", new_hash, victim.id],
    )
    message = verify_fails()
    assert f"sự kiện {history[4].id}:" in message


@pytest.mark.django_db(transaction=True)
def test_an_event_is_appended_only_inside_a_transaction():
    with pytest.raises(RuntimeError):
        audit_append(action="test")


def test_a_failed_action_leaves_no_event(world, proposal):
    from workflow.errors import Invalid

    before = AuditEvent.objects.count()
    with pytest.raises(Invalid):
        act("withdraw", proposal, world.proposer, comment="")
    assert AuditEvent.objects.count() == before
    assert audit_verify().ok


@pytest.mark.postgres
def test_the_trigger_refuses_update_and_delete(world, history):
    victim = history[2]
    for sql in (
        f"UPDATE {TABLE} SET comment = 'x' WHERE id = %s",
        f"DELETE FROM {TABLE} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError) as caught,
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [victim.id])
        assert "append-only" in str(caught.value)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=victim.pk).update(action="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=victim.pk).delete()
    assert AuditEvent.objects.get(pk=victim.pk).comment == victim.comment
    assert audit_verify().ok


@pytest.mark.postgres
def test_the_trigger_is_installed_by_the_migration(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [TABLE],
        )
        assert sorted(row[0] for row in cursor.fetchall()) == [TRIGGER, f"{TABLE}_no_truncate"]


# --- The keyed chain and its anchors (issue 10, item 8) ---------------------------------------


def rewrite_from(victim, comment, hasher):
    """Attack (a): with the trigger off, edit one event and recompute every later hash and the
    head with `hasher`, as someone holding the database (but not AUDIT_KEY) would."""
    from audit.models import AuditChainHead
    from audit.services import event_fields, payload

    prev = victim.prev_hash
    for event in AuditEvent.objects.filter(id__gte=victim.id).order_by("id"):
        event.prev_hash = prev
        if event.id == victim.id:
            event.comment = comment
        prev = hasher(payload(**event_fields(event)))
        tamper(
            f"UPDATE {TABLE} SET comment = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [event.comment, event.prev_hash, prev, event.id],
        )
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)


@pytest.mark.parametrize(
    "hasher",
    [
        lambda data: hashlib.sha256(data).hexdigest(),
        lambda data: hmac.new(b"a guessed key", data, hashlib.sha256).hexdigest(),
    ],
    ids=["sha256", "guessed-key"],
)
def test_a_chain_rewritten_without_the_key_is_caught_at_the_edit(world, history, hasher):
    victim = history[6]
    rewrite_from(victim, "viết lại toàn bộ", hasher)

    message = verify_fails()
    assert f"sự kiện {victim.id}:" in message
    assert "không bằng khóa nhật ký" in message


def test_the_same_chain_does_not_verify_under_another_key(world, history, settings):
    assert audit_verify().ok
    settings.AUDIT_KEY = "another key"
    report = audit_verify()
    assert not report.ok and report.broken_event_id == history[0].id


def test_each_decision_anchors_the_chain_head_at_its_issue(world, history, capsys):
    from documents.models import Decision

    decision = Decision.objects.get()
    issued = next(e for e in history if e.action == "decision_issued")
    assert (decision.audit_seq, decision.audit_hash) == (history.index(issued) + 1, issued.hash)
    call_command("verify_audit")
    assert "1 mốc neo" in capsys.readouterr().out


def test_an_anchor_that_does_not_match_the_chain_is_named(world, history):
    from documents.models import Decision

    decision = Decision.objects.get()
    Decision.objects.filter(pk=decision.pk).update(audit_hash="f" * 64)
    message = verify_fails()
    assert f"Quyết định số {decision.number} neo vào một chuỗi khác" in message


def wipe_the_log():
    """Attack (b): empty the audit tables behind the application's back and reset the head."""
    from audit.models import AuditChainHead
    from audit.services import GENESIS

    tamper(f"DELETE FROM {TABLE}")
    AuditChainHead.objects.filter(pk=1).update(last_hash=GENESIS, count=0)


def test_a_wiped_log_with_a_reset_head_is_caught_by_the_decisions_anchor(world, history):
    from documents.models import Decision

    wipe_the_log()
    message = verify_fails()
    decision = Decision.objects.get()
    assert f"Quyết định số {decision.number} neo vào sự kiện {decision.audit_seq}" in message
    assert "nhật ký đã bị xóa sạch" in message


def test_a_wiped_log_restarted_by_the_application_is_caught_too(world, history):
    # The application (holding the key) writes a new, valid chain over the wiped one: its event
    # at the decision's position is another event.
    from documents.models import Decision

    wipe_the_log()
    with transaction.atomic():
        for _ in range(len(history)):
            audit_append(action="filler")
    message = verify_fails()
    assert f"Quyết định số {Decision.objects.get().number} neo vào một chuỗi khác" in message


def check_pending_foreign_keys():
    # TRUNCATE refuses to run while this transaction has deferred checks on the table.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.postgres
def test_truncate_is_refused_on_both_audit_tables(world, history):
    check_pending_foreign_keys()
    for table in (TABLE, "workflow_auditchainhead"):
        with (
            pytest.raises(DatabaseError) as caught,
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SET LOCAL audit.allow_truncate = off")
            cursor.execute(f"TRUNCATE {table} CASCADE")
        assert "TRUNCATE refused" in str(caught.value)
    assert AuditEvent.objects.count() == len(history)
    assert audit_verify().ok


@pytest.mark.postgres
def test_a_superuser_truncate_and_head_reset_is_caught(world, history):
    from audit.models import AuditChainHead
    from audit.services import GENESIS

    check_pending_foreign_keys()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"TRUNCATE {TABLE}")
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    AuditChainHead.objects.filter(pk=1).update(last_hash=GENESIS, count=0)
    assert "nhật ký đã bị xóa sạch" in verify_fails()


# --- Events written before the key: re-keyed once by audit/migrations/0002 --------------------


def _old_chain(apps, count, *, break_at=None):
    """Events as the unkeyed release wrote them (plain SHA-256)."""
    from django.utils import timezone

    from audit.services import GENESIS, event_fields, payload

    Event, Head = apps.get_model("audit", "AuditEvent"), apps.get_model("audit", "AuditChainHead")
    prev = GENESIS
    for i in range(count):
        event = Event(action=f"old {i}", at=timezone.now(), data={"i": i}, prev_hash=prev)
        event.actor_id = event.proposal_id = None
        event.hash = prev = hashlib.sha256(payload(**event_fields(event))).hexdigest()
        if i == break_at:
            event.comment = "sửa lén"
        event.save()
    Head.objects.update_or_create(pk=1, defaults={"last_hash": prev, "count": count})


def _migrate(target, *, before=None):
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if target is None:
        target = executor.loader.graph.leaf_nodes()
    executor.migrate(target)
    executor.loader.build_graph()
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_events_written_before_the_key_are_rekeyed_once_their_old_chain_verifies():
    apps = _migrate([("audit", "0001_initial")])
    try:
        _old_chain(apps, 5)
    finally:
        _migrate(None)
    report = audit_verify()
    assert report.ok and report.checked == 5


@pytest.mark.django_db(transaction=True)
def test_a_broken_old_chain_stops_the_migration_instead_of_being_laundered():
    apps = _migrate([("audit", "0001_initial")])
    try:
        _old_chain(apps, 5, break_at=2)
        with pytest.raises(Exception, match="broken at event"):
            _migrate(None)
        assert AuditEvent.objects.count() == 5  # left as they were, for verify_audit to name
    finally:
        with transaction.atomic():
            tamper(f"DELETE FROM {TABLE}")
        _migrate(None)


def test_production_refuses_to_run_without_an_audit_key(settings):
    from django.core.exceptions import ImproperlyConfigured

    from audit.checks import audit_key_set
    from audit.services import audit_key

    settings.AUDIT_KEY, settings.DEBUG, settings.DEMO_MODE = "", False, False
    with pytest.raises(ImproperlyConfigured):
        audit_key()
    assert [error.id for error in audit_key_set(None)] == ["audit.E001"]
    # A demo installation derives its key from SECRET_KEY.
    settings.DEMO_MODE = True
    assert len(audit_key()) == 32 and audit_key_set(None) == []
