"""A small registry of our own, built with the ORM: one province with two districts, a few
communes, four titles, positions, officials with hometowns and birthplaces, who holds what today,
a committee with its board, office and proposers, and the people who log in.

Dates are relative to today, because the API answers "as of today".
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from personnel.models import (
    Assignment,
    Board,
    BoardMember,
    Committee,
    CommitteeMember,
    CommitteeOfficeMember,
    Official,
    OrgUnit,
    PlanningEntry,
    Position,
    PositionTitle,
    ProposerScope,
    Term,
)

PASSWORD = "mat-khau-thu-nghiem"
TODAY = dt.date.today()
YESTERDAY = TODAY - dt.timedelta(days=1)


def make_user(username, **extra):
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


def make_official(full_name, *, gender="male", born=dt.date(1980, 5, 1), **extra):
    return Official.objects.create(full_name=full_name, gender=gender, birth_date=born, **extra)


def build_world():
    w = SimpleNamespace()
    K = OrgUnit.Kind

    # Units: Hòa Bình ⊃ Đà Bắc ⊃ {Tú Lý, Đồng Ruộng, Thị trấn Đà Bắc}; Hòa Bình ⊃ Mai Châu ⊃ Chiềng Châu.
    w.province = OrgUnit.objects.create(kind=K.PROVINCE, code="HB", name="Tỉnh Hòa Bình")
    w.district = OrgUnit.objects.create(
        kind=K.DISTRICT, code="HB-DB", name="Huyện Đà Bắc", parent=w.province
    )
    w.tuly = OrgUnit.objects.create(
        kind=K.COMMUNE, code="HB-DB-TL", name="Xã Tú Lý", parent=w.district
    )
    w.dongruong = OrgUnit.objects.create(
        kind=K.COMMUNE, code="HB-DB-DR", name="Xã Đồng Ruộng", parent=w.district
    )
    w.town = OrgUnit.objects.create(
        kind=K.TOWN, code="HB-DB-TT", name="Thị trấn Đà Bắc", parent=w.district
    )
    w.maichau = OrgUnit.objects.create(
        kind=K.DISTRICT, code="HB-MC", name="Huyện Mai Châu", parent=w.province
    )
    w.chiengchau = OrgUnit.objects.create(
        kind=K.COMMUNE, code="HB-MC-CC", name="Xã Chiềng Châu", parent=w.maichau
    )

    # Titles.
    w.secretary = PositionTitle.objects.create(
        code="BT",
        name="Bí thư Đảng ủy",
        level=3,
        is_standing=True,
        requires_non_local=True,
        is_head=True,
        order=1,
    )
    w.standing_deputy = PositionTitle.objects.create(
        code="PBT-TT", name="Phó Bí thư Thường trực Đảng ủy", level=2, is_standing=True, order=2
    )
    w.chairman = PositionTitle.objects.create(
        code="CT", name="Phó Bí thư – Chủ tịch UBND", level=2, is_standing=True, order=3
    )
    w.vice_chairman = PositionTitle.objects.create(
        code="PCT", name="Phó Chủ tịch UBND", level=1, order=4
    )

    # Positions: every commune-level unit in Đà Bắc has a secretary and two vice-chairman seats.
    w.positions = {}
    for unit, suffix in (
        (w.tuly, "xã Tú Lý"),
        (w.dongruong, "xã Đồng Ruộng"),
        (w.town, "thị trấn Đà Bắc"),
    ):
        w.positions[unit.code, "BT"] = Position.objects.create(
            unit=unit, title=w.secretary, name=f"Bí thư Đảng ủy {suffix}"
        )
        w.positions[unit.code, "PCT"] = Position.objects.create(
            unit=unit, title=w.vice_chairman, name=f"Phó Chủ tịch UBND {suffix}", seats=2
        )
    w.tuly_secretary = w.positions["HB-DB-TL", "BT"]
    w.tuly_vice = w.positions["HB-DB-TL", "PCT"]
    w.dongruong_secretary = w.positions["HB-DB-DR", "BT"]
    w.dongruong_vice = w.positions["HB-DB-DR", "PCT"]
    w.town_secretary = w.positions["HB-DB-TT", "BT"]
    w.town_vice = w.positions["HB-DB-TT", "PCT"]
    w.district_deputy = Position.objects.create(
        unit=w.district, title=w.standing_deputy, name="Phó Bí thư Thường trực Huyện ủy Đà Bắc"
    )

    # People who log in (personas). None of them gets a role from the name.
    w.admin = get_user_model().objects.create_superuser(
        username="quantri", password=PASSWORD, email="quantri@example.org"
    )
    w.chair = make_user("bithu")
    w.former_member = make_user("nguyenuyvien")
    w.board_head = make_user("truongban")
    w.reviewer = make_user("chuyenvien.a")
    w.clerk = make_user("vanphong")
    w.proposer = make_user("dexuat.tuly")
    w.official_user = make_user("canbo.an")
    w.impostor = make_user("btv01")  # looks like a committee account; holds nothing

    # Officials.
    w.an = make_official(
        "Nguyễn Văn An",
        hometown_unit=w.tuly,
        birthplace_unit=w.chiengchau,
        ethnicity="Mường",
        user=w.official_user,
    )
    w.hong = make_official(
        "Đinh Thị Hồng", gender="female", born=dt.date(1985, 2, 14), birthplace_unit=w.dongruong
    )
    w.binh = make_official("Lò Văn Bình", hometown_unit=w.maichau, ethnicity="Thái")
    w.lan = make_official("Nguyễn Thị Lan", gender="female", hometown_unit=w.district)
    w.dung = make_official("Dinh Van Dung")  # typed without diacritics in the source register

    # Who holds what today.
    w.an_secretary = Assignment.objects.create(
        official=w.an, position=w.tuly_secretary, start=dt.date(2021, 1, 1)
    )
    w.hong_vice = Assignment.objects.create(
        official=w.hong, position=w.tuly_vice, start=dt.date(2022, 3, 1)
    )
    w.binh_old = Assignment.objects.create(
        official=w.binh,
        position=w.dongruong_secretary,
        start=dt.date(2019, 1, 1),
        end=dt.date(2023, 12, 31),
    )
    w.binh_town = Assignment.objects.create(
        official=w.binh, position=w.town_secretary, start=dt.date(2024, 1, 1)
    )
    w.lan_district = Assignment.objects.create(
        official=w.lan, position=w.district_deputy, start=dt.date(2020, 6, 1)
    )
    w.lan_concurrent = Assignment.objects.create(
        official=w.lan, position=w.dongruong_vice, start=dt.date(2023, 1, 1), is_concurrent=True
    )

    # The deciding body, its board, office and proposers.
    w.committee = Committee.objects.create(
        name="Ban Thường vụ Huyện ủy Đà Bắc",
        unit=w.district,
        collective_name="BAN THƯỜNG VỤ HUYỆN ỦY",
        issuing_body_name="HUYỆN ỦY ĐÀ BẮC",
        superior_body_name="ĐẢNG BỘ TỈNH HÒA BÌNH",
        symbol="HU",
        place_name="Đà Bắc",
    )
    CommitteeMember.objects.create(
        committee=w.committee,
        user=w.chair,
        role=CommitteeMember.Role.CHAIR,
        start=dt.date(2020, 10, 1),
    )
    CommitteeMember.objects.create(
        committee=w.committee, user=w.board_head, start=dt.date(2020, 10, 1)
    )
    CommitteeMember.objects.create(
        committee=w.committee, user=w.former_member, start=dt.date(2020, 10, 1), end=YESTERDAY
    )
    w.board = Board.objects.create(committee=w.committee, name="Ban Tổ chức Huyện ủy")
    BoardMember.objects.create(
        board=w.board, user=w.board_head, role=BoardMember.Role.HEAD, start=dt.date(2020, 10, 1)
    )
    BoardMember.objects.create(board=w.board, user=w.reviewer, start=dt.date(2020, 10, 1))
    CommitteeOfficeMember.objects.create(
        committee=w.committee, user=w.clerk, start=dt.date(2020, 10, 1)
    )
    ProposerScope.objects.create(
        committee=w.committee, user=w.proposer, unit=w.tuly, start=dt.date(2020, 10, 1)
    )
    w.term = Term.objects.create(
        name="2020–2025",
        kind=Term.Kind.PARTY,
        committee=w.committee,
        start=dt.date(2020, 10, 1),
        end=dt.date(2025, 9, 30),
    )
    w.planning = PlanningEntry.objects.create(
        official=w.hong, title=w.secretary, term=w.term, decision_ref="Số 45-QĐ/HU"
    )
    return w


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The world creates a dozen accounts per test; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def api():
    return APIClient()
