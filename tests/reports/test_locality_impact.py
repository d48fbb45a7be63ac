"""locality_impact(proposal): the change a posting would make to the non-local target."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from personnel.models import Assignment
from reports.selectors import locality_impact
from tests.factories import make_official
from tests.helpers import D
from workflow.models import ProposalState as S

pytestmark = pytest.mark.django_db

EFFECTIVE = D(2024, 6, 1)


def test_a_non_local_official_moved_into_a_unit_without_one_makes_it_meet_the_target(world):
    # Given a non-local vice-chairman of Tú Lý (not a standing post) proposed as chairman of
    # Đồng Ruộng, whose standing members are all local
    khanh = make_official("Đỗ Văn Khánh", hometown_unit=world.maichau)
    world.assign(khanh, world.tuly, world.vice_chairman, start=D(2020, 1, 1))
    proposal = world.proposal(
        state=S.ENDORSED, official=khanh, to_title=world.chairman, effective=EFFECTIVE
    )

    impact = locality_impact(proposal)

    assert impact["as_of"] == EFFECTIVE
    assert impact["before"]["units_meeting"] == 2
    assert impact["after"]["units_meeting"] == 3
    assert impact["before"]["ratio"] == pytest.approx(2 / 3)
    assert impact["after"]["ratio"] == pytest.approx(1.0)
    assert (impact["before"]["met"], impact["after"]["met"]) == (False, True)
    assert impact["changed_units"] == [
        {"id": world.dongruong.id, "name": "Xã Đồng Ruộng", "before": False, "after": True}
    ]


def test_moving_a_units_only_non_local_standing_member_shows_the_unit_it_leaves(world):
    # Bình is the only non-local standing member of Tú Lý.
    proposal = world.binh_move(S.APPROVED)

    impact = locality_impact(proposal)

    assert impact["before"]["units_meeting"] == impact["after"]["units_meeting"] == 2
    assert {(u["name"], u["before"], u["after"]) for u in impact["changed_units"]} == {
        ("Xã Tú Lý", True, False),
        ("Xã Đồng Ruộng", False, True),
    }


def test_the_impact_is_the_same_after_the_posting_has_been_applied(world):
    proposal = world.binh_move(S.ISSUED)
    planned = locality_impact(proposal)

    # The posting: the old assignment ends the day before, the new one starts.
    Assignment.objects.filter(pk=world.binh_chair.pk).update(end=D(2024, 5, 31))
    Assignment.objects.create(
        official=world.binh, position=proposal.target_position, start=EFFECTIVE
    )
    posted = locality_impact(proposal)

    assert posted == planned


def test_a_move_between_posts_that_are_not_standing_changes_nothing(world):
    # Tú Lý's vice-chairman to Đồng Ruộng's vice-chairman.
    proposal = world.proposal(state=S.DRAFT, to_title=world.vice_chairman, effective=EFFECTIVE)

    impact = locality_impact(proposal)

    assert impact["before"] == impact["after"]
    assert impact["changed_units"] == []


def test_the_impact_is_read_in_a_fixed_number_of_queries(world):
    proposal = world.proposal(state=S.DRAFT, effective=EFFECTIVE)
    proposal = type(proposal).objects.select_related("committee").get(pk=proposal.pk)
    with CaptureQueriesContext(connection) as small:
        locality_impact(proposal)
    for number in range(8):
        unit = world.add_commune(f"Xã Thêm {number}")
        world.assign(make_official(f"Người {number}"), unit, world.secretary)
    with CaptureQueriesContext(connection) as large:
        impact = locality_impact(proposal)

    assert impact["total_units"] == 11
    assert len(small) == len(large) == 5
