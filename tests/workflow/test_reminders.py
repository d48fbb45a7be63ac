"""Term reminders (SPEC §6): the board hears 90 and 30 days before a rotation or secondment ends,
in the inbox and by e-mail, each e-mail once however often or late the job runs."""

import datetime as dt

import pytest
from django.core import mail

from audit.models import AuditEvent
from audit.services import audit_verify
from personnel.roles import Actor
from tests.helpers import TODAY, at_once
from tests.world import S, act, advance, new_proposal
from tests.world import build_workflow_world as build_world
from workflow import reminders, tasks
from workflow.models import Reminder
from workflow.selectors import inbox_for_user

pytestmark = pytest.mark.django_db

BOARD = ["tham.dinh.a", "tham.dinh.b", "truong.ban"]


def days(n):
    return dt.timedelta(days=n)


def in_effect(world, **fields):
    """A proposal posted today (the office's button)."""
    fields.setdefault("effective_date", TODAY)
    proposal = advance(world, new_proposal(world, **fields), S.ISSUED)
    return act("post", proposal, world.clerk)


@pytest.fixture
def rotation(world):
    return in_effect(world, duration_months=36)


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_nothing_is_sent_before_the_90th_day(world, rotation):
    run = reminders.reminders_send_due(today=rotation.planned_end - days(91))

    assert run.sent == [] and mail.outbox == []
    assert not Reminder.objects.exists()


def test_the_board_is_reminded_90_days_before_the_planned_end(world, rotation):
    day = rotation.planned_end - days(90)

    run = reminders.reminders_send_due(today=day)

    ((reminder,),) = [run.sent]
    assert (reminder.proposal_id, reminder.days_before) == (rotation.pk, 90)
    assert reminder.sent_at is not None
    # The head and the members of the board; not the specialist, the chair or the office.
    assert reminder.recipients == BOARD
    # No one here has an address: the reminder is recorded and shown in the inbox all the same.
    assert mail.outbox == []
    event = AuditEvent.objects.get(proposal_id=rotation.pk, action="term_reminder")
    assert event.actor is None
    assert event.data == {
        "days_before": 90,
        "planned_end": rotation.planned_end.isoformat(),
        "recipients": BOARD,
    }
    assert audit_verify().ok


def test_the_email_names_the_official_the_end_date_and_the_days_left(world, rotation):
    for user in (world.board_head, world.reviewer, world.reviewer_b):
        user.email = f"{user.username}@example.org"
        user.save()

    reminders.reminders_send_due(today=rotation.planned_end - days(90))

    assert recipients() == sorted(f"{u}@example.org" for u in BOARD)
    message = mail.outbox[0]
    end = f"{rotation.planned_end:%d/%m/%Y}"
    assert message.subject == (
        f"Nhắc việc: thời hạn luân chuyển của đồng chí Nguyễn Văn An kết thúc ngày {end}"
    )
    assert "còn 90 ngày; nhắc trước 90 ngày" in message.body
    assert f"theo Quyết định {rotation.decision.number_display}" in message.body
    assert world.target.name in message.body
    assert f"/proposals/{rotation.pk}/" in message.body
    assert "The rotation" not in message.body  # Vietnamese only


@pytest.fixture
def board_emails(world):
    for user in (world.board_head, world.reviewer, world.reviewer_b, world.proposer, world.chair):
        user.email = f"{user.username}@example.org"
        user.save()


def test_each_reminder_is_sent_once_however_often_the_job_runs(world, rotation, board_emails):
    end = rotation.planned_end
    for day in (end - days(90), end - days(90), end - days(60), end - days(31)):
        reminders.reminders_send_due(today=day)
    assert len(mail.outbox) == 3

    for day in (end - days(30), end - days(30), end - days(5), end + days(10)):
        reminders.reminders_send_due(today=day)

    assert len(mail.outbox) == 6
    assert sorted(Reminder.objects.values_list("days_before", flat=True)) == [30, 90]
    assert AuditEvent.objects.filter(action="term_reminder").count() == 2
    assert "còn 30 ngày" in mail.outbox[-1].body


def test_a_late_run_sends_every_threshold_passed_once_each(world, rotation, board_emails):
    late = rotation.planned_end - days(10)

    run = reminders.reminders_send_due(today=late)
    again = reminders.reminders_send_due(today=late + days(1))

    assert sorted(r.days_before for r in run.sent) == [30, 90]
    assert again.sent == []
    assert len(mail.outbox) == 6
    assert all("còn 10 ngày" in m.body for m in mail.outbox)


def test_a_term_already_past_its_end_says_how_overdue_it_is(world, rotation, board_emails):
    reminders.reminders_send_due(today=rotation.planned_end + days(5))

    assert len(mail.outbox) == 6
    assert "đã quá 5 ngày" in mail.outbox[0].body


def test_transfers_and_ended_terms_are_not_reminded(world, board_emails):
    transfer = in_effect(world, kind="transfer", duration_months=24)
    ended = in_effect(
        world,
        official=world.cuong,
        target=world.pos["HB-DB-TT", "BT"],
        kind="secondment",
        duration_months=6,
    )
    act("end_rotation", ended, world.board_head, outcome="returned")

    run = reminders.reminders_send_due(today=transfer.planned_end)

    assert run.sent == [] and mail.outbox == []


def test_a_secondment_is_reminded_and_its_subject_is_not(world, board_emails):
    # Bình is on the board himself: he is not reminded of his own term.
    secondment = in_effect(world, official=world.binh, kind="secondment", duration_months=24)

    (reminder,) = reminders.reminders_send_due(today=secondment.planned_end - days(90)).sent

    assert reminder.recipients == ["tham.dinh.a", "truong.ban"]
    assert recipients() == ["tham.dinh.a@example.org", "truong.ban@example.org"]
    assert "thời hạn biệt phái" in mail.outbox[0].subject


def test_a_failed_email_is_retried_by_the_next_run(world, rotation, board_emails, monkeypatch):
    day = rotation.planned_end - days(90)
    real_email = reminders._email

    def broken(*args, **kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(reminders, "_email", broken)
    run = reminders.reminders_send_due(today=day)

    assert run.sent == []
    ((proposal, threshold, message),) = run.failed
    assert (proposal.pk, threshold) == (rotation.pk, 90)
    assert "SMTP down" in message
    reminder = Reminder.objects.get()
    assert reminder.sent_at is None and reminder.claimed_at is None
    assert not AuditEvent.objects.filter(action="term_reminder").exists()

    monkeypatch.setattr(reminders, "_email", real_email)
    assert [r.days_before for r in reminders.reminders_send_due(today=day).sent] == [90]
    assert len(mail.outbox) == 3


def test_the_celery_task_reminds_for_today(world, board_emails):
    # A secondment of two months ends within 90 days of today.
    secondment = in_effect(world, kind="secondment", duration_months=2)

    summary = tasks.send_term_reminders.apply().get()

    assert summary == {"today": TODAY.isoformat(), "sent": [[secondment.pk, 90]], "failed": []}
    assert len(mail.outbox) == 3


# --- In the inbox -----------------------------------------------------------------------------


def ending(user, day):
    return inbox_for_user(actor=Actor.for_user(user, day=day))["rotations_ending"]


def test_the_board_sees_a_term_ending_from_the_90th_day_until_the_outcome_is_recorded(
    world, rotation
):
    end = rotation.planned_end

    assert ending(world.board_head, end - days(91)) == []
    for day in (end - days(90), end, end + days(40)):
        for user in (world.board_head, world.reviewer, world.reviewer_b):
            assert [p.pk for p in ending(user, day)] == [rotation.pk]
    for user in (world.chair, world.proposer, world.clerk, world.subject_user):
        assert ending(user, end) == []

    act("end_rotation", rotation, world.board_head, outcome="kept")

    assert ending(world.board_head, end) == []


def test_the_inbox_shows_terms_ending_without_waiting_for_the_job(world, rotation):
    assert not Reminder.objects.exists()
    assert [p.pk for p in ending(world.reviewer, rotation.planned_end - days(20))] == [rotation.pk]


# --- Two runs at once, on PostgreSQL -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_each_email_once():
    world = build_world()
    for user in (world.board_head, world.reviewer, world.reviewer_b):
        user.email = f"{user.username}@example.org"
        user.save()
    proposal = in_effect(world, kind="secondment", duration_months=12)
    day = proposal.planned_end - days(10)
    mail.outbox.clear()  # the decision's own delivery went out when it was issued
    runs = at_once(4, lambda i: reminders.reminders_send_due(today=day), timeout=60)

    assert sorted(r.days_before for one in runs for r in one.sent) == [30, 90]
    assert all(one.failed == [] for one in runs)
    assert len(mail.outbox) == 6
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 2
    assert AuditEvent.objects.filter(action="term_reminder").count() == 2
    assert audit_verify().ok
