"""The audit log: every action leaves a hash-chained event; verify_audit names the first broken
event after tampering; on PostgreSQL a trigger refuses UPDATE and DELETE."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from audit.services import audit_append, audit_verify
from personnel.roles import Actor
from tests.helpers import TODAY
from tests.world import S, advance, new_proposal

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
    assert f"{len(history)} sự kiện" in out and "intact" in out


def test_verify_audit_names_an_edited_event(world, history):
    victim = history[5]
    tamper(f"UPDATE {TABLE} SET comment = %s WHERE id = %s", ["sửa lén", victim.id])
    message = verify_fails()
    assert f"sự kiện {victim.id}:" in message
    assert "content was altered" in message


def test_verify_audit_names_the_event_after_a_removed_one(world, history):
    victim, successor = history[4], history[5]
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [victim.id])
    message = verify_fails()
    assert f"sự kiện {successor.id}:" in message
    assert "previous link broken" in message


def test_verify_audit_notices_events_removed_from_the_end(world, history):
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [history[-1].id])
    message = verify_fails()
    assert f"sự kiện {history[-2].id}:" in message
    assert "end of the chain" in message


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
    from workflow import services
    from workflow.errors import Invalid

    before = AuditEvent.objects.count()
    with pytest.raises(Invalid):
        services.proposal_transition(
            "withdraw", proposal_id=proposal.pk, actor=Actor.for_user(world.proposer), comment=""
        )
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
        assert [row[0] for row in cursor.fetchall()] == [TRIGGER]
