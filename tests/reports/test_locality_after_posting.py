"""The non-local target on the demo data (SPEC §1, §10): 14 of 17 today, and 15 of 17 once the
Đồng Ruộng move proposed for canbo.dongruong is decided and posted, as of its effective date;
the days before the posting still read 14."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from personnel.models import Assignment, Committee, Position
from personnel.roles import Actor
from reports.selectors import locality_impact, locality_report
from workflow import services
from workflow.models import EligibleVoter, ProposalState, VoteRound
from workflow.postings import postings_apply_due

pytestmark = pytest.mark.django_db

S = ProposalState
DONG_RUONG_POST = "Phó Bí thư Thường trực Đảng ủy xã Đồng Ruộng"


@pytest.fixture
def demo(demo_world, settings, tmp_path):
    settings.DEMO_MODE = True
    settings.MEDIA_ROOT = tmp_path / "media"
    return Committee.objects.get()


def user(username):
    return get_user_model().objects.get(username=username)


def meeting(committee, day):
    report = locality_report(committee=committee, as_of=day)
    return report["units_meeting"], report["total_units"]


def units_without(committee, day):
    report = locality_report(committee=committee, as_of=day)
    return sorted(unit["name"] for unit in report["units"] if not unit["meets"])


def issue_the_dong_ruong_move(effective):
    """Drive canbo.dongruong's rotation to the vacant Đồng Ruộng post through the services,
    each step by the demo account whose job it is, up to the issued decision."""
    official = user("canbo.dongruong").official
    proposal = services.proposal_create(
        actor=Actor.for_user(user("proposer.district")),
        official=official,
        kind="rotation",
        target_position=Position.objects.get(name=DONG_RUONG_POST),
        effective_date=effective,
        duration_months=36,
        rationale="Luân chuyển cán bộ trong quy hoạch Phó Bí thư về xã Đồng Ruộng.",
    )
    pid = proposal.pk
    services.proposal_transition(
        "submit", proposal_id=pid, actor=Actor.for_user(user("proposer.district"))
    )
    services.proposal_transition(
        "start_review", proposal_id=pid, actor=Actor.for_user(user("board.a"))
    )
    services.opinion_add(
        proposal_id=pid,
        actor=Actor.for_user(user("board.a")),
        opinion="endorse",
        comment="Đủ điều kiện.",
    )
    services.proposal_transition(
        "endorse", proposal_id=pid, actor=Actor.for_user(user("board.head"))
    )
    services.proposal_transition("open_vote", proposal_id=pid, actor=Actor.for_user(user("btv01")))
    voters = EligibleVoter.objects.filter(
        round__proposal_id=pid, round__status=VoteRound.Status.OPEN
    ).order_by("user__username")
    for voter in voters[:9]:
        services.ballot_cast(proposal_id=pid, actor=Actor.for_user(voter.user), choice="approve")
    services.proposal_transition("close_vote", proposal_id=pid, actor=Actor.for_user(user("btv01")))
    return services.proposal_transition(
        "issue_decision", proposal_id=pid, actor=Actor.for_user(user("office"))
    )


def test_the_demo_meets_the_target_with_14_of_17(demo):
    report = locality_report(committee=demo, as_of=timezone.localdate())

    assert (report["units_meeting"], report["total_units"]) == (14, 17)
    assert report["ratio"] == pytest.approx(14 / 17)
    assert round(report["ratio"] * 100, 1) == 82.4
    assert report["met"] is True
    assert units_without(demo, timezone.localdate()) == [
        "Xã Trung Thành",
        "Xã Vầy Nưa",
        "Xã Đồng Ruộng",
    ]


def test_the_dong_ruong_posting_makes_15_of_17_from_its_effective_date(demo):
    today = timezone.localdate()
    effective = today + dt.timedelta(days=10)
    proposal = issue_the_dong_ruong_move(effective)
    assert proposal.state == S.ISSUED
    # The proposal shows the change it would make, before and after it is posted alike.
    impact = locality_impact(proposal)
    assert (impact["before"]["units_meeting"], impact["after"]["units_meeting"]) == (14, 15)
    assert [unit["name"] for unit in impact["changed_units"]] == ["Xã Đồng Ruộng"]
    # Issued is not posted: the registry has not changed yet.
    assert meeting(demo, effective) == (14, 17)

    run = postings_apply_due(today=effective)

    assert proposal.pk in [p.pk for p in run.posted]
    assert meeting(demo, effective) == (15, 17)
    assert meeting(demo, effective + dt.timedelta(days=400)) == (15, 17)
    assert meeting(demo, effective - dt.timedelta(days=1)) == (14, 17)
    assert meeting(demo, today) == (14, 17)
    assert units_without(demo, effective) == ["Xã Trung Thành", "Xã Vầy Nưa"]
    report = locality_report(committee=demo, as_of=effective)
    dong_ruong = next(unit for unit in report["units"] if unit["name"] == "Xã Đồng Ruộng")
    assert dong_ruong["vacant_posts"] == []
    newcomer = next(m for m in dong_ruong["standing_members"] if m["name"] == "Trần Minh Tuấn")
    assert newcomer["local"] is False
    assert locality_impact(proposal)["after"]["units_meeting"] == 15
    # The post he left ends the day before; both assignments point at the decision.
    official = user("canbo.dongruong").official
    left = Assignment.objects.get(official=official, end=effective - dt.timedelta(days=1))
    arrived = Assignment.objects.get(official=official, start=effective)
    assert left.end_decision_id == arrived.decision_id == proposal.decision.pk
    assert arrived.position.name == DONG_RUONG_POST


def test_a_report_as_of_a_past_date_reads_the_registry_of_that_day(demo):
    # Before the three moves of 1 July 2023 the town had no non-local standing member.
    before = units_without(demo, dt.date(2023, 6, 30))
    after = units_without(demo, dt.date(2023, 7, 1))

    assert "Thị trấn Đà Bắc" in before
    assert "Thị trấn Đà Bắc" not in after
