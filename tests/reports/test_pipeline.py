"""The pipeline report: proposals by state, median days per stage from the audit trail, and
overdue proposals."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from reports.selectors import pipeline_report
from reports.tables import pipeline_tables
from tests.helpers import D, at
from workflow.models import ProposalState as S

pytestmark = pytest.mark.django_db

NOW = at(D(2024, 4, 30))


def stays(world, proposal, spec):
    """Audit transitions from the proposal's creation, along `spec`: "draft 10, submitted 5,
    in_review" is 10 days in draft, 5 in submitted, then in review."""
    day = proposal.created_at
    steps = [part.split() for part in spec.split(", ")]
    for (state, days), (next_state, *_) in zip(steps, steps[1:], strict=False):
        day += dt.timedelta(days=int(days))
        world.transitions(proposal, (day, state, next_state))


@pytest.fixture
def proposals(world):
    """Four proposals with their transitions."""
    a = world.proposal(state=S.IN_EFFECT, created=at(D(2024, 1, 1)))
    spec = "draft 10, submitted 5, in_review 30, endorsed 5, voting 2, approved 9, issued 91"
    stays(world, a, f"{spec}, in_effect")
    # b: returned once, and in review again since 01/03: 60 days to NOW.
    b = world.proposal(state=S.IN_REVIEW, created=at(D(2024, 2, 1)))
    stays(world, b, "draft 2, submitted 2, in_review 10, returned 10, submitted 5, in_review")
    c = world.proposal(state=S.DRAFT, created=at(D(2024, 4, 20)))  # draft 10 to NOW
    # d: one day in each state, then issued since 07/02: 83 days to NOW.
    d = world.proposal(state=S.ISSUED, created=at(D(2024, 2, 1)), effective=D(2024, 4, 1))
    stays(world, d, "draft 1, submitted 1, in_review 1, endorsed 1, voting 1, approved 1, issued")
    return {"a": a, "b": b, "c": c, "d": d}


def test_it_counts_proposals_in_every_state(world, proposals):
    report = pipeline_report(committee=world.committee, now=NOW)
    counts = {row["state"]: row["count"] for row in report["by_state"]}

    assert report["total"] == 4
    assert [row["state"] for row in report["by_state"]] == list(S.values)
    assert counts == {
        **dict.fromkeys(S.values, 0),
        "in_effect": 1,
        "in_review": 1,
        "draft": 1,
        "issued": 1,
    }


def test_it_gives_the_median_days_spent_in_each_stage(world, proposals):
    report = pipeline_report(committee=world.committee, now=NOW)
    medians = {row["state"]: row["median_days"] for row in report["stages"]}
    stays = {row["state"]: row["stays"] for row in report["stages"]}

    assert medians == {
        "draft": 6.0,  # 10, 2, 10, 1
        "submitted": 3.5,  # 5; 2 and 5 (B twice); 1
        "in_review": 20.0,  # 30; 10 and 60 (B twice, still in it); 1
        "returned": 10.0,
        "endorsed": 3.0,  # 5, 1
        "voting": 1.5,  # 2, 1
        "approved": 5.0,  # 9, 1
        "issued": 87.0,  # 91, 83 still in it
    }
    assert stays == {
        "draft": 4,
        "submitted": 4,
        "in_review": 4,
        "returned": 1,
        "endorsed": 2,
        "voting": 2,
        "approved": 2,
        "issued": 2,
    }


def test_a_stage_nobody_has_reached_has_no_median(world):
    world.proposal(state=S.DRAFT, created=at(D(2024, 4, 1)))

    report = pipeline_report(committee=world.committee, now=NOW)
    stages = {row["state"]: row for row in report["stages"]}

    assert stages["draft"]["median_days"] == 29.0
    assert stages["voting"]["median_days"] is None
    assert stages["voting"]["stays"] == 0


def test_it_lists_overdue_proposals_with_the_reason(world, proposals):
    report = pipeline_report(committee=world.committee, now=NOW)
    overdue = {item["id"]: item for item in report["overdue"]}

    assert [item["id"] for item in report["overdue"]] == [proposals["d"].id, proposals["b"].id]
    # Waiting in review 60 days, against a limit of 30.
    assert overdue[proposals["b"].id]["days_in_state"] == 60
    assert overdue[proposals["b"].id]["since"] == D(2024, 3, 1)
    assert overdue[proposals["b"].id]["threshold"] == 30
    assert len(overdue[proposals["b"].id]["reasons"]) == 1
    # Issued, effective on 01/04 and still not in effect on 30/04.
    assert overdue[proposals["d"].id]["days_in_state"] == 83
    assert overdue[proposals["d"].id]["threshold"] is None
    assert len(overdue[proposals["d"].id]["reasons"]) == 1


def test_the_overdue_limits_come_from_the_settings(world, proposals, settings):
    settings.REPORTS_OVERDUE_DAYS = {"in_review": 90, "draft": 5}

    overdue = [
        item["id"] for item in pipeline_report(committee=world.committee, now=NOW)["overdue"]
    ]

    assert proposals["b"].id not in overdue
    assert proposals["c"].id in overdue  # a draft for 10 days, now limited to 5
    assert proposals["d"].id in overdue


def test_it_reads_only_the_committees_proposals(world, proposals):
    other = world.proposal(state=S.SUBMITTED, created=at(D(2024, 1, 1)))
    other.committee = world.other_committee
    other.save()

    report = pipeline_report(committee=world.committee, now=NOW)

    assert report["total"] == 4
    assert other.id not in [item["id"] for item in report["overdue"]]


def test_the_number_of_queries_does_not_grow_with_the_number_of_proposals(world, proposals):
    with CaptureQueriesContext(connection) as few:
        pipeline_report(committee=world.committee, now=NOW)
    for _ in range(6):
        world.proposal(state=S.SUBMITTED, created=at(D(2024, 1, 1)), effective=D(2024, 4, 1))
    with CaptureQueriesContext(connection) as many:
        report = pipeline_report(committee=world.committee, now=NOW)

    assert report["total"] == 10
    assert len(report["overdue"]) == 8
    assert len(few) == len(many) == 3


def test_the_tables_show_counts_medians_and_overdue_rows(world, proposals):
    with translation.override("vi"):
        states, stages, overdue = pipeline_tables(
            pipeline_report(committee=world.committee, now=NOW)
        )

    assert states.rows[-1][1] == "4"
    assert len(states.rows) == len(S.values) + 1
    assert [row[1] for row in stages.rows][:3] == ["6,0", "3,5", "20,0"]
    assert [row[0] for row in overdue.rows] == [f"#{proposals['d'].id}", f"#{proposals['b'].id}"]
    assert overdue.rows[1][5] == "01/03/2024"
