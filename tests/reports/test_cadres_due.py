"""Cadres due for rotation: local people in posts that must be non-local, and heads in a second
consecutive Party term in the same unit."""

import pytest
from django.utils import translation

from personnel.models import Term
from reports.selectors import cadres_due_report
from reports.tables import cadres_due_tables
from tests.factories import make_official
from tests.helpers import D
from tests.world import AS_OF

pytestmark = pytest.mark.django_db


def heads(report):
    return {row["name"]: row for row in report["heads_in_second_term"]}


def test_it_lists_local_people_in_posts_that_must_be_non_local(world):
    with translation.override("en"):
        report = cadres_due_report(committee=world.committee, on=AS_OF)

    rows = report["local_in_key_posts"]
    assert [(r["name"], r["unit"], r["why_code"]) for r in rows] == [
        ("Đinh Thị Hồng", "Xã Đồng Ruộng", "birthplace"),
        ("Nguyễn Văn An", "Xã Tú Lý", "hometown"),
    ]
    assert rows[1]["why"] == "hometown Xã Tú Lý is in the unit"
    assert rows[1]["position"] == "Bí thư Đảng ủy Xã Tú Lý"
    # Not listed: Hà Văn Em leads the town but comes from Tú Lý; Lò Văn Bình is not local;
    # Lường Thị Giang is local but in another district.


def test_a_local_person_who_has_left_the_post_is_not_listed(world):
    report = cadres_due_report(committee=world.committee, on=D(2023, 6, 1))

    assert "Bùi Văn Dũng" in [r["name"] for r in report["local_in_key_posts"]]
    report = cadres_due_report(committee=world.committee, on=D(2024, 1, 1))
    assert "Bùi Văn Dũng" not in [r["name"] for r in report["local_in_key_posts"]]


def test_a_head_since_the_previous_term_is_in_a_second_consecutive_term(world):
    report = cadres_due_report(committee=world.committee, on=AS_OF)

    assert report["current_term"] == "2020–2025"
    # An has led Tú Lý since 01/11/2015; Hồng (2021) and Em (2024) only this term.
    assert set(heads(report)) == {"Nguyễn Văn An"}
    an = heads(report)["Nguyễn Văn An"]
    assert an["terms"] == 2
    assert an["term_names"] == ["2015–2020", "2020–2025"]
    assert an["since"] == D(2015, 11, 1)
    assert an["unit"] == "Xã Tú Lý"


def test_the_previous_term_counts_only_when_held_for_at_least_half_of_it(world):
    # The term 01/10/2015–30/09/2020 has 1827 days; half is 913.5.
    enough = world.add_commune("Xã Đủ")
    short = world.add_commune("Xã Thiếu")
    world.assign(make_official("Người Đủ"), enough, world.secretary, start=D(2018, 3, 1))
    world.assign(make_official("Người Thiếu"), short, world.secretary, start=D(2018, 6, 1))

    names = set(heads(cadres_due_report(committee=world.committee, on=AS_OF)))

    assert "Người Đủ" in names  # 945 days of the previous term
    assert "Người Thiếu" not in names  # 853 days


def test_back_to_back_assignments_in_the_same_unit_are_one_spell(world):
    joined = world.add_commune("Xã Liền")
    broken = world.add_commune("Xã Đứt")
    one = make_official("Người Liền")
    world.assign(one, joined, world.secretary, start=D(2015, 10, 1), end=D(2019, 12, 31))
    world.assign(one, joined, world.secretary, start=D(2020, 1, 1))
    two = make_official("Người Đứt")
    world.assign(two, broken, world.secretary, start=D(2015, 10, 1), end=D(2019, 12, 31))
    world.assign(two, broken, world.secretary, start=D(2020, 6, 1))

    names = heads(cadres_due_report(committee=world.committee, on=AS_OF))

    assert names["Người Liền"]["since"] == D(2015, 10, 1)
    assert "Người Đứt" not in names  # the spell since 01/06/2020 covers little of 2015–2020


def test_a_head_of_another_unit_in_the_previous_term_is_not_in_a_second_term_here(world):
    mover = make_official("Người Chuyển")
    world.assign(
        mover, world.chiengchau, world.secretary, start=D(2015, 10, 1), end=D(2020, 12, 31)
    )
    unit = world.add_commune("Xã Mới Đến")
    world.assign(mover, unit, world.secretary, start=D(2021, 1, 1))

    assert "Người Chuyển" not in heads(cadres_due_report(committee=world.committee, on=AS_OF))


def test_earlier_terms_are_counted_back_while_the_spell_covers_them(world):
    Term.objects.create(
        name="2010–2015",
        kind=Term.Kind.PARTY,
        committee=world.committee,
        start=D(2010, 10, 1),
        end=D(2015, 9, 30),
    )
    veteran = make_official("Người Lâu Năm")
    world.assign(veteran, world.add_commune("Xã Lâu"), world.secretary, start=D(2010, 10, 1))

    names = heads(cadres_due_report(committee=world.committee, on=AS_OF))

    assert names["Người Lâu Năm"]["terms"] == 3
    assert names["Nguyễn Văn An"]["terms"] == 2  # started in November 2015
    assert [
        row["name"]
        for row in cadres_due_report(committee=world.committee, on=AS_OF)["heads_in_second_term"]
    ][0] == "Người Lâu Năm"


def test_without_a_current_party_term_no_head_is_listed_and_the_page_says_why(world):
    with translation.override("en"):
        report = cadres_due_report(committee=world.committee, on=D(2026, 1, 1))
        heads_table = cadres_due_tables(report)[1]

    assert report["current_term"] is None
    assert report["heads_in_second_term"] == []
    assert "no Party term" in heads_table.empty


def test_the_tables_show_dates_as_day_month_year(world):
    local, heads_table = cadres_due_tables(cadres_due_report(committee=world.committee, on=AS_OF))

    assert local.rows[1][:4] == [
        "Nguyễn Văn An",
        "Bí thư Đảng ủy Xã Tú Lý",
        "Xã Tú Lý",
        "01/11/2015",
    ]
    assert heads_table.rows == [
        [
            "Nguyễn Văn An",
            "Bí thư Đảng ủy Xã Tú Lý",
            "Xã Tú Lý",
            "01/11/2015",
            "2",
            "2015–2020, 2020–2025",
        ]
    ]
