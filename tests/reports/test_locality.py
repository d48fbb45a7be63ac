"""The non-local target report: which units count, who is local and why, as of any date, and a
fixed number of queries however many units there are."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from personnel.models import Committee, OrgUnit
from reports.selectors import locality_report
from reports.tables import fmt_percent, locality_tables
from tests.factories import make_official
from tests.helpers import D
from tests.world import AS_OF

pytestmark = pytest.mark.django_db


def units_by_name(report):
    return {unit["name"]: unit for unit in report["units"]}


def test_it_counts_units_with_a_non_local_standing_member_against_the_target(world):
    report = locality_report(committee=world.committee, as_of=AS_OF)

    assert report["total_units"] == 3
    assert report["units_meeting"] == 2
    assert report["ratio"] == pytest.approx(2 / 3)
    assert report["target"] == pytest.approx(0.8)
    assert report["met"] is False
    assert {name: unit["meets"] for name, unit in units_by_name(report).items()} == {
        "Xã Tú Lý": True,
        "Xã Đồng Ruộng": False,
        "Thị trấn Đà Bắc": True,
    }


def test_it_leaves_out_units_outside_the_committee_and_units_that_are_not_commune_level(world):
    names = set(units_by_name(locality_report(committee=world.committee, as_of=AS_OF)))

    assert "Xã Chiềng Châu" not in names  # another district
    assert "Ban Tổ chức Huyện ủy Đà Bắc" not in names  # an agency
    assert "Huyện Đà Bắc" not in names


def test_it_says_why_each_standing_member_is_local_or_not(world):
    with translation.override("en"):
        report = locality_report(committee=world.committee, as_of=AS_OF)
    units = units_by_name(report)
    members = {m["name"]: m for unit in units.values() for m in unit["standing_members"]}

    assert members["Nguyễn Văn An"]["local"] is True
    assert members["Nguyễn Văn An"]["why_code"] == "hometown"
    assert members["Nguyễn Văn An"]["why"] == "hometown Xã Tú Lý is in the unit"
    assert members["Đinh Thị Hồng"]["why_code"] == "birthplace"
    assert members["Đinh Thị Hồng"]["why"] == "birthplace Xã Đồng Ruộng is in the unit"
    assert members["Lò Văn Bình"]["local"] is False
    assert members["Lò Văn Bình"]["why"] == "not a local person"
    assert members["Lò Văn Bình"]["title"] == "Phó Bí thư – Chủ tịch UBND"
    # Hà Văn Em comes from Tú Lý: local there, not in the town he now leads.
    assert members["Hà Văn Em"]["local"] is False


def test_it_lists_vacant_standing_posts(world):
    report = locality_report(committee=world.committee, as_of=AS_OF)

    assert units_by_name(report)["Xã Đồng Ruộng"]["vacant_posts"] == [
        "Phó Bí thư – Chủ tịch UBND Xã Đồng Ruộng"
    ]
    assert units_by_name(report)["Xã Tú Lý"]["vacant_posts"] == [
        "Phó Bí thư Thường trực Đảng ủy Xã Tú Lý"
    ]


def test_it_answers_as_of_a_date_before_an_assignment_change(world):
    # Until 31/12/2023 the town's secretary was local; the non-local one started on 01/01/2024.
    before = locality_report(committee=world.committee, as_of=D(2023, 12, 31))
    after = locality_report(committee=world.committee, as_of=D(2024, 1, 1))

    assert units_by_name(before)["Thị trấn Đà Bắc"]["meets"] is False
    assert [m["name"] for m in units_by_name(before)["Thị trấn Đà Bắc"]["standing_members"]] == [
        "Bùi Văn Dũng"
    ]
    assert before["units_meeting"] == 1
    assert units_by_name(after)["Thị trấn Đà Bắc"]["meets"] is True
    assert after["units_meeting"] == 2


def test_it_counts_only_units_that_exist_on_the_date(world):
    world.add_commune("Xã Đã Sáp Nhập", valid_to=D(2023, 6, 30))
    world.add_commune("Xã Mới Lập", valid_from=D(2025, 7, 1))

    names_2024 = set(units_by_name(locality_report(committee=world.committee, as_of=AS_OF)))
    names_2023 = set(units_by_name(locality_report(committee=world.committee, as_of=D(2023, 1, 1))))
    names_2025 = set(units_by_name(locality_report(committee=world.committee, as_of=D(2025, 8, 1))))

    assert "Xã Đã Sáp Nhập" not in names_2024 and "Xã Đã Sáp Nhập" in names_2023
    assert "Xã Mới Lập" not in names_2024 and "Xã Mới Lập" in names_2025


def test_it_follows_the_committees_locality_rule(world):
    world.committee.locality_rule = Committee.LocalityRule.HOMETOWN
    world.committee.save()

    report = locality_report(committee=world.committee, as_of=AS_OF)

    # Hồng was born in Đồng Ruộng but her hometown is elsewhere: under "hometown" she is not local.
    assert units_by_name(report)["Xã Đồng Ruộng"]["meets"] is True
    assert report["units_meeting"] == 3
    assert report["met"] is True


def test_the_target_is_met_when_the_ratio_reaches_it_exactly(world):
    # Two more units with a non-local secretary: four of five meet, exactly 80%.
    for number in (1, 2):
        unit = world.add_commune(f"Xã Thêm {number}")
        world.assign(make_official(f"Người ngoài {number}"), unit, world.secretary)

    report = locality_report(committee=world.committee, as_of=AS_OF)

    assert (report["units_meeting"], report["total_units"]) == (4, 5)
    assert report["met"] is True
    world.committee.non_local_target_percent = 81
    assert locality_report(committee=world.committee, as_of=AS_OF)["met"] is False


def test_a_committee_with_no_commune_level_units_does_not_meet_its_target(world):
    world.other_committee.unit = world.province_agency
    report = locality_report(committee=world.other_committee, as_of=AS_OF)

    assert (report["total_units"], report["units_meeting"], report["ratio"]) == (0, 0, 0.0)
    assert report["met"] is False


def _committee_over(world, count):
    """A district with `count` communes, each with three standing members (one non-local)."""
    district = OrgUnit.objects.create(
        kind=OrgUnit.Kind.DISTRICT, code=f"D{world.next()}", name="Huyện Thử", parent=world.province
    )
    committee = Committee.objects.create(
        name="Ban Thường vụ Huyện ủy Thử",
        unit=district,
        collective_name="BAN THƯỜNG VỤ HUYỆN ỦY",
        issuing_body_name="HUYỆN ỦY THỬ",
        superior_body_name="ĐẢNG BỘ TỈNH HÒA BÌNH",
        symbol="HU",
        place_name="Thử",
    )

    def grow(to):
        for number in range(len(units), to):
            unit = world.add_commune(f"Xã Thử {number}", parent=district)
            world.assign(make_official(f"A {number}", hometown_unit=unit), unit, world.secretary)
            world.assign(make_official(f"B {number}", birthplace_unit=unit), unit, world.chairman)
            world.assign(make_official(f"C {number}"), unit, world.standing_deputy)
            units.append(unit)

    units = []
    grow(count)
    return committee, grow


def test_the_number_of_queries_does_not_grow_with_the_number_of_units(world):
    committee, grow = _committee_over(world, 3)
    with CaptureQueriesContext(connection) as three:
        small = locality_report(committee=committee, as_of=AS_OF)
    grow(12)
    with CaptureQueriesContext(connection) as twelve:
        large = locality_report(committee=committee, as_of=AS_OF)

    assert (small["total_units"], large["total_units"]) == (3, 12)
    assert large["units_meeting"] == 12
    assert sum(len(u["standing_members"]) for u in large["units"]) == 36
    assert len(three) == len(twelve) == 3


def test_the_units_table_has_a_row_per_unit_with_its_members(world):
    with translation.override("vi"):
        units, members = locality_tables(locality_report(committee=world.committee, as_of=AS_OF))

    assert [row[1] for row in units.rows] == ["Thị trấn Đà Bắc", "Xã Đồng Ruộng", "Xã Tú Lý"]
    tuly = units.rows[2]
    assert tuly[3] == "Lò Văn Bình (Phó Bí thư – Chủ tịch UBND)"
    assert tuly[4] == "Nguyễn Văn An (Bí thư Đảng ủy)"
    assert units.row_classes == ["ok", "bad", "ok"]
    assert len(members.rows) == 5


def test_the_demo_data_meets_its_target_with_14_of_17_units(db, settings, tmp_path):
    settings.DEMO_MODE = True
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    committee = Committee.objects.get(issuing_body_name="HUYỆN ỦY ĐÀ BẮC")

    report = locality_report(committee=committee, as_of=dt.date.today())

    assert (report["units_meeting"], report["total_units"]) == (14, 17)
    assert report["met"] is True
    assert {u["name"] for u in report["units"] if not u["meets"]} == {
        "Xã Trung Thành",
        "Xã Vầy Nưa",
        "Xã Đồng Ruộng",
    }
    with translation.override("vi"):
        assert fmt_percent(report["ratio"]) == "82,4%"
