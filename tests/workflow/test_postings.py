"""Postings (SPEC §6): on the effective date the old assignment ends the day before, the new one
starts, both point at the decision; the daily job posts every due decision once, as the system."""

import datetime as dt
import io
import threading

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from audit.models import AuditEvent
from audit.services import audit_verify
from lib.dates import add_months
from personnel.models import Assignment, Position, PositionTitle
from personnel.roles import Actor
from tests.factories import make_official
from tests.helpers import TODAY, at_once, client_for
from tests.world import S, act, advance, new_proposal, new_transfer
from tests.world import build_workflow_world as build_world
from workflow import postings, services, tasks
from workflow.errors import Conflict, WrongState
from workflow.models import RotationProposal

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def issued(world, **fields):
    """A proposal taken through the vote to an issued decision."""
    return advance(world, new_proposal(world, **fields), S.ISSUED)


def town_secretary(world):
    return world.pos["HB-DB-TT", "BT"]


def cuong_to_the_town(world, **fields):
    """Cường moves by transfer to the vacant town secretary post."""
    return advance(
        world, new_transfer(world, world.cuong, town_secretary(world), **fields), S.ISSUED
    )


def reload(proposal):
    return RotationProposal.objects.get(pk=proposal.pk)


# --- posting_apply ------------------------------------------------------------------------------


def test_the_old_assignment_ends_the_day_before_and_the_new_one_starts_on_the_effective_date(world):
    effective = TODAY + dt.timedelta(days=30)
    proposal = issued(world, effective_date=effective)
    decision = proposal.decision

    run = postings.postings_apply_due(today=effective)

    assert [p.pk for p in run.posted] == [proposal.pk]
    old = Assignment.objects.get(pk=world.an_post.pk)
    assert old.end == effective - DAY
    assert old.end_decision_id == decision.pk
    assert old.decision_ref == ""  # the decision that made it is kept
    new = Assignment.objects.get(official=world.an, position=world.target)
    assert new.start == effective
    assert new.decision_id == decision.pk
    assert new.decision_ref == decision.number_display
    assert not new.is_concurrent
    assert [a.position for a in Assignment.objects.filter(official=world.an, end=None)] == [
        world.target
    ]


def test_a_rotation_stays_open_ended_and_keeps_its_planned_end_on_the_proposal(world):
    proposal = issued(world, effective_date=TODAY, duration_months=36)

    act("post", proposal, world.clerk)

    new = Assignment.objects.get(official=world.an, position=world.target)
    assert new.end is None
    assert reload(proposal).planned_end == add_months(TODAY, 36) - DAY
    assert reload(proposal).state == S.IN_EFFECT


def test_the_office_posting_is_recorded_with_what_changed(world):
    proposal = issued(world, effective_date=TODAY)

    act("post", proposal, world.clerk, comment="Đã bàn giao.")

    event = AuditEvent.objects.get(proposal_id=proposal.pk, action="post")
    new = Assignment.objects.get(official=world.an, position=world.target)
    assert event.actor == world.clerk
    assert (event.from_state, event.to_state, event.comment) == (
        S.ISSUED,
        S.IN_EFFECT,
        "Đã bàn giao.",
    )
    assert event.data["system"] is False
    assert event.data["ended"] == [world.an_post.pk]
    assert event.data["started"] == new.pk
    assert event.data["number"] == proposal.decision.number_label
    assert audit_verify().ok


def concurrent_post(world, unit, title, where, start):
    """An also holds `title` of `where` (a new post in `unit`) since `start`, concurrently."""
    position = Position.objects.create(unit=unit, title=title, name=f"{title.name} {where}")
    return Assignment.objects.create(
        official=world.an, position=position, start=start, is_concurrent=True
    )


def test_a_concurrent_post_in_the_unit_left_ends_with_it_and_one_elsewhere_stays(world):
    council = PositionTitle.objects.create(code="CT-HDND", name="Chủ tịch HĐND", level=3)
    member = PositionTitle.objects.create(code="UV-BCH", name="Ủy viên BCH Đảng bộ huyện", level=3)
    in_tuly = concurrent_post(world, world.tuly, council, "xã Tú Lý", dt.date(2021, 7, 1))
    in_district = concurrent_post(world, world.district, member, "Đà Bắc", dt.date(2020, 10, 1))
    effective = TODAY + dt.timedelta(days=10)
    proposal = issued(world, effective_date=effective)

    postings.postings_apply_due(today=effective)

    in_tuly.refresh_from_db()
    in_district.refresh_from_db()
    assert in_tuly.end == effective - DAY
    assert in_tuly.end_decision_id == proposal.decision.pk
    assert in_district.end is None and in_district.end_decision_id is None
    event = AuditEvent.objects.get(proposal_id=proposal.pk, action="post")
    assert sorted(event.data["ended"]) == sorted([world.an_post.pk, in_tuly.pk])


# --- Refusals ---------------------------------------------------------------------------------


def test_it_refuses_when_the_post_left_has_already_ended(world):
    proposal = issued(world, effective_date=TODAY)
    # Meanwhile the registry ended An's post (a retirement, an import).
    Assignment.objects.filter(pk=world.an_post.pk).update(end=TODAY - dt.timedelta(days=5))

    with pytest.raises(Conflict) as refused:
        act("post", proposal, world.clerk)

    assert refused.value.status == 409
    assert refused.value.code == "from_assignment_ended"
    assert "không còn giữ chức vụ" in refused.value.text()
    assert reload(proposal).state == S.ISSUED
    assert not Assignment.objects.filter(position=world.target).exists()
    # The office's button gets the same answer from the API.
    with translation.override("vi"):  # the request switches to English; back after it
        response = client_for(world.clerk).post(
            f"/api/v1/proposals/{proposal.pk}/transitions/post/", HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 409
    assert response.json()["code"] == "from_assignment_ended"
    assert "no longer holds the post" in response.json()["detail"]


def test_it_refuses_when_someone_who_is_not_leaving_holds_the_target_on_the_day(world):
    effective = TODAY + dt.timedelta(days=20)
    proposal = issued(world, effective_date=effective)
    # Meanwhile someone was appointed to the post.
    Assignment.objects.create(
        official=world.dung, position=world.target, start=effective - dt.timedelta(days=10)
    )

    with pytest.raises(Conflict) as refused:
        services.proposal_transition(
            "post", proposal_id=proposal.pk, actor=Actor.system(day=effective)
        )

    assert refused.value.code == "target_taken"
    assert "Xa Văn Dũng" in refused.value.text()
    assert Assignment.objects.get(pk=world.an_post.pk).end is None
    assert reload(proposal).state == S.ISSUED


def test_a_holder_leaving_by_a_decided_move_does_not_block_the_posting(world):
    effective = TODAY + dt.timedelta(days=15)
    secretary_post = world.hoa_post.position
    # Hoa leaves the Đồng Ruộng secretary post for the town's; the vote approved it.
    hoa_moves = advance(
        world,
        new_transfer(world, world.hoa, town_secretary(world), effective_date=effective),
        S.APPROVED,
    )
    an_moves = issued(
        world,
        target=secretary_post,
        effective_date=effective,
        higher_post_justification="Trong quy hoạch Bí thư.",
    )

    run = postings.postings_apply_due(today=effective)

    assert [p.pk for p in run.posted] == [an_moves.pk]
    holders = Assignment.objects.filter(position=secretary_post, end=None)
    assert sorted(a.official.full_name for a in holders) == ["Bùi Thị Hoa", "Nguyễn Văn An"]
    # Once Hoa's decision is issued and posted, the seat has one holder again.
    advance(world, hoa_moves, S.ISSUED)
    postings.postings_apply_due(today=effective)
    assert [a.official for a in Assignment.objects.filter(position=secretary_post, end=None)] == [
        world.an
    ]


def test_a_posting_before_the_effective_date_is_refused(world):
    effective = TODAY + dt.timedelta(days=3)
    proposal = issued(world, effective_date=effective)

    with pytest.raises(WrongState) as refused:
        act("post", proposal, world.clerk)

    assert refused.value.code == "before_effective_date"
    assert f"Chưa đến ngày hiệu lực {effective:%d/%m/%Y}" in refused.value.text()
    assert postings.postings_apply_due(today=effective - DAY).posted == []
    assert not Assignment.objects.filter(position=world.target).exists()


# --- The daily job ----------------------------------------------------------------------------


def test_the_daily_job_posts_each_due_decision_once_as_the_system(world):
    soon, later = TODAY + dt.timedelta(days=5), TODAY + dt.timedelta(days=40)
    first = issued(world, effective_date=soon)
    second = cuong_to_the_town(world, effective_date=later)

    run = postings.postings_apply_due(today=soon)
    again = postings.postings_apply_due(today=soon)

    assert [p.pk for p in run.posted] == [first.pk]
    assert run.failed == [] and again.posted == [] and again.failed == []
    assert reload(second).state == S.ISSUED
    event = AuditEvent.objects.get(proposal_id=first.pk, action="post")
    assert event.actor is None and event.data["system"] is True
    # Late runs catch up: a job that was down posts what fell due meanwhile.
    late = postings.postings_apply_due(today=later + dt.timedelta(days=7))
    assert [p.pk for p in late.posted] == [second.pk]
    assert AuditEvent.objects.filter(action="post").count() == 2
    assert audit_verify().ok


def test_a_failure_of_one_proposal_is_reported_and_the_others_are_posted(world):
    effective = TODAY + dt.timedelta(days=8)
    blocked = issued(world, effective_date=effective)
    fine = cuong_to_the_town(world, effective_date=effective)
    Assignment.objects.create(official=world.dung, position=world.target, start=TODAY)

    run = postings.postings_apply_due(today=effective)

    assert [p.pk for p in run.posted] == [fine.pk]
    ((failed, message),) = run.failed
    assert failed.pk == blocked.pk
    assert "vẫn do Xa Văn Dũng đảm nhiệm" in message
    assert run.summary()["failed"] == {blocked.pk: message}
    assert reload(blocked).state == S.ISSUED


def test_a_revoked_decision_is_not_posted(world):
    effective = TODAY + dt.timedelta(days=12)
    proposal = issued(world, effective_date=effective)
    act("revoke", proposal, world.chair, comment="Hủy quyết định.")

    assert postings.postings_apply_due(today=effective).posted == []
    assert Assignment.objects.get(pk=world.an_post.pk).end is None


# --- The command, the task, the schedule --------------------------------------------------------


def test_the_command_prints_what_it_posted_and_exits_normally(world):
    proposal = issued(world, effective_date=TODAY)
    out, err = io.StringIO(), io.StringIO()

    call_command("apply_due_postings", stdout=out, stderr=err)

    assert f"Đã áp dụng đề xuất #{proposal.pk}: Nguyễn Văn An" in out.getvalue()
    assert world.target.name in out.getvalue()
    assert "áp dụng 1, lỗi 0" in out.getvalue()
    assert err.getvalue() == ""
    assert reload(proposal).state == S.IN_EFFECT
    out = io.StringIO()
    call_command("apply_due_postings", stdout=out, stderr=err)
    assert "áp dụng 0, lỗi 0" in out.getvalue()


def test_the_command_reports_a_failure_and_goes_on(world):
    blocked = issued(world, effective_date=TODAY)
    fine = cuong_to_the_town(world, effective_date=TODAY)
    Assignment.objects.create(
        official=make_official("Người Mới"), position=world.target, start=TODAY
    )
    out, err = io.StringIO(), io.StringIO()

    call_command("apply_due_postings", stdout=out, stderr=err)

    assert f"Không áp dụng được đề xuất #{blocked.pk}" in err.getvalue()
    assert f"Đã áp dụng đề xuất #{fine.pk}" in out.getvalue()
    assert "áp dụng 1, lỗi 1" in out.getvalue()


def test_the_celery_task_runs_the_same_service_for_today(world):
    proposal = issued(world, effective_date=TODAY)

    summary = tasks.apply_due_postings.apply().get()

    assert summary["posted"] == [proposal.pk]
    assert summary["today"] == TODAY.isoformat()
    assert reload(proposal).state == S.IN_EFFECT


def test_beat_runs_the_postings_after_midnight_and_the_reminders_in_the_morning():
    schedule = settings.CELERY_BEAT_SCHEDULE
    jobs = {entry["task"]: entry["schedule"] for entry in schedule.values()}
    assert jobs["workflow.apply_due_postings"] == crontab(hour=0, minute=30)
    assert jobs["workflow.send_term_reminders"] == crontab(hour=7, minute=0)
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"


# --- Two runs at once, on PostgreSQL -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_post_once(monkeypatch):
    world = build_world()
    effective = TODAY + dt.timedelta(days=2)
    proposal = issued(world, effective_date=effective)
    slow_apply = postings.posting_apply

    def posting_apply_slowly(**kwargs):
        # Hold the row lock a while, so the other run surely waits on it.
        result = slow_apply(**kwargs)
        threading.Event().wait(0.5)
        return result

    monkeypatch.setattr(services, "posting_apply", posting_apply_slowly)
    runs = at_once(2, lambda i: postings.postings_apply_due(today=effective), timeout=60)

    assert sorted(len(r.posted) for r in runs) == [0, 1]
    assert sorted(len(r.skipped) for r in runs) == [0, 1]
    assert all(r.failed == [] for r in runs)
    assert AuditEvent.objects.filter(proposal_id=proposal.pk, action="post").count() == 1
    assert Assignment.objects.filter(official=world.an, position=world.target).count() == 1
    assert reload(proposal).state == S.IN_EFFECT
    assert audit_verify().ok
