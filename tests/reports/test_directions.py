"""Rotations by direction: the level of each end of a move (agencies count as the unit above
them) and the count of decided moves by direction and year."""

import pytest

from reports.selectors import UnitTree, classify_direction, direction_report
from reports.tables import direction_tables
from tests.helpers import D
from workflow.models import ProposalState as S

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("from_level", "to_level", "direction"),
    [
        ("district", "commune", "district_to_commune"),
        ("commune", "district", "commune_to_district"),
        ("commune", "commune", "commune_to_commune"),
        ("province", "commune", "province_commune"),
        ("commune", "province", "province_commune"),
        ("district", "district", "other"),
        ("province", "district", "other"),
        ("other", "commune", "other"),
    ],
)
def test_it_classifies_a_move_by_the_levels_of_its_two_ends(from_level, to_level, direction):
    assert classify_direction(from_level, to_level) == direction


def test_an_agency_counts_at_the_level_of_the_unit_above_it(world):
    tree = UnitTree()

    assert tree.level(world.agency.id) == "district"
    assert tree.level(world.province_agency.id) == "province"
    assert tree.level(world.town.id) == "commune"
    assert tree.level(world.tuly.id) == "commune"
    assert tree.level(world.district.id) == "district"
    assert tree.level(None) == "other"


def test_it_counts_decided_moves_by_direction_and_effective_year(world):
    agency = {"from_unit": world.agency, "from_title": world.specialist}
    to_agency = {"to_unit": world.agency, "to_title": world.specialist}
    province = {"from_unit": world.province_agency, "from_title": world.specialist}
    to_province = {"to_unit": world.province_agency, "to_title": world.specialist}
    world.proposal(state=S.COMPLETED, effective=D(2023, 3, 1), **agency)  # district → commune
    world.proposal(state=S.IN_EFFECT, effective=D(2023, 5, 1))  # Tú Lý → Đồng Ruộng
    world.proposal(state=S.ISSUED, effective=D(2024, 6, 1), **to_agency)  # commune → district
    world.proposal(state=S.IN_EFFECT, effective=D(2024, 2, 1), **province)  # province → commune
    # district → province: other
    world.proposal(state=S.COMPLETED, effective=D(2024, 1, 1), **to_province, **agency)
    # Not decided, or undone: not counted.
    for state in (S.APPROVED, S.REVOKED, S.DRAFT, S.REJECTED):
        world.proposal(state=state, effective=D(2024, 6, 1))

    report = direction_report(committee=world.committee)

    assert [row["year"] for row in report["years"]] == [2023, 2024]
    assert report["years"][0]["counts"] == {
        "district_to_commune": 1,
        "commune_to_district": 0,
        "commune_to_commune": 1,
        "province_commune": 0,
        "other": 0,
    }
    assert report["years"][1]["counts"] == {
        "district_to_commune": 0,
        "commune_to_district": 1,
        "commune_to_commune": 0,
        "province_commune": 1,
        "other": 1,
    }
    assert report["total"] == 5
    table = direction_tables(report)[0]
    assert table.rows == [
        ["2023", "1", "0", "1", "0", "0", "2"],
        ["2024", "0", "1", "0", "1", "1", "3"],
        [table.rows[-1][0], "1", "1", "1", "1", "1", "5"],
    ]


def test_a_committee_with_no_decided_moves_has_an_empty_table(world):
    world.proposal(state=S.VOTING)

    report = direction_report(committee=world.committee)

    assert report["years"] == [] and report["total"] == 0
    assert direction_tables(report)[0].rows == []


def test_it_reads_two_queries_whatever_the_number_of_moves(world, django_assert_num_queries):
    for year in (2021, 2022, 2023):
        world.proposal(state=S.COMPLETED, effective=D(year, 1, 1))
    with django_assert_num_queries(2):
        direction_report(committee=world.committee)
