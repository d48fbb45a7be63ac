"""`seed_demo` builds the demo registry of SPEC §10, and a second run changes nothing."""

import datetime as dt
import io
import itertools
import re

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core import serializers
from django.core.management import CommandError, call_command

from personnel import selectors
from personnel.models import (
    Assignment,
    BoardMember,
    Committee,
    CommitteeMember,
    Official,
    OrgUnit,
    PlanningEntry,
    Position,
    PositionTitle,
    ProposerScope,
    Term,
)

pytestmark = pytest.mark.django_db

D = dt.date
COMMUNE_NAMES = [
    "Thị trấn Đà Bắc",
    *(
        f"Xã {name}"
        for name in (
            "Tú Lý",
            "Toàn Sơn",
            "Hiền Lương",
            "Tiền Phong",
            "Vầy Nưa",
            "Cao Sơn",
            "Đoàn Kết",
            "Đồng Chum",
            "Giáp Đắt",
            "Mường Chiềng",
            "Nánh Nghê",
            "Tân Minh",
            "Tân Pheo",
            "Trung Thành",
            "Yên Hòa",
            "Đồng Ruộng",
        )
    ),
]
WITHOUT_NON_LOCAL = {"Xã Trung Thành", "Xã Vầy Nưa", "Xã Đồng Ruộng"}
STANDING_TITLES = {"Bí thư Đảng ủy", "Phó Bí thư Thường trực Đảng ủy", "Phó Bí thư – Chủ tịch UBND"}
COMMUNE_TITLES = STANDING_TITLES | {"Phó Chủ tịch UBND"}
# The "today" facts must hold on any day of 2026–2030, and today.
DAYS = [D(2026, 1, 1), D(2027, 6, 15), D(2030, 12, 31), dt.date.today()]


@pytest.fixture(autouse=True)
def demo_settings(settings):
    settings.DEMO_MODE = True
    # The default hasher is slow on purpose; these tests log in two dozen accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def output():
    return seed()


def dump() -> str:
    """Every row of every personnel model and every user, in a stable order."""
    models = [*apps.get_app_config("personnel").get_models(), get_user_model()]
    rows = itertools.chain.from_iterable(m.objects.order_by("pk") for m in models)
    return serializers.serialize("json", rows)


def unit(name) -> OrgUnit:
    return OrgUnit.objects.get(name=name)


def commune_units():
    district = unit("Huyện Đà Bắc")
    return OrgUnit.objects.filter(parent=district, kind__in=OrgUnit.COMMUNE_LEVEL)


def standing_holders(commune: OrgUnit, day: dt.date) -> list[Official]:
    return [
        a.official
        for a in Assignment.objects.filter(
            selectors.active_on_q(day), position__unit=commune, position__title__is_standing=True
        ).select_related("official")
    ]


# --- Units, titles, posts -------------------------------------------------------------------


def test_it_builds_the_17_commune_level_units_of_da_bac(output):
    units = commune_units()
    assert sorted(u.name for u in units) == sorted(COMMUNE_NAMES)
    assert unit("Thị trấn Đà Bắc").kind == OrgUnit.Kind.TOWN
    assert unit("Xã Tú Lý").code == "dabac-tuly"
    district = unit("Huyện Đà Bắc")
    assert district.kind == OrgUnit.Kind.DISTRICT
    assert district.parent == unit("Tỉnh Hòa Bình")
    assert unit("Tỉnh Hòa Bình").kind == OrgUnit.Kind.PROVINCE


def test_the_district_agencies_sit_under_the_district(output):
    for name in ("Ban Tổ chức Huyện ủy", "Văn phòng Huyện ủy"):
        agency = unit(name)
        assert agency.kind == OrgUnit.Kind.AGENCY
        assert agency.parent == unit("Huyện Đà Bắc")


def test_each_commune_level_unit_has_the_four_posts(output):
    for commune in commune_units():
        titles = set(Position.objects.filter(unit=commune).values_list("title__name", flat=True))
        assert titles == COMMUNE_TITLES, commune.name
    assert Position.objects.filter(name="Bí thư Đảng ủy xã Tú Lý").exists()
    assert Position.objects.filter(name="Phó Bí thư – Chủ tịch UBND thị trấn Đà Bắc").exists()
    assert Position.objects.filter(name="Phó Chủ tịch UBND xã Đồng Ruộng").exists()


def test_the_titles_rank_secretary_above_both_deputies_above_the_vice_chairman(output):
    title = {t.name: t for t in PositionTitle.objects.all()}
    secretary = title["Bí thư Đảng ủy"]
    standing_deputy = title["Phó Bí thư Thường trực Đảng ủy"]
    chairman = title["Phó Bí thư – Chủ tịch UBND"]
    vice = title["Phó Chủ tịch UBND"]
    assert secretary.level > standing_deputy.level == chairman.level > vice.level
    assert {t.name for t in title.values() if t.is_standing and t.name in COMMUNE_TITLES} == (
        STANDING_TITLES
    )
    assert secretary.requires_non_local and chairman.requires_non_local
    assert not standing_deputy.requires_non_local and not vice.requires_non_local
    assert secretary.is_head and chairman.is_head and not vice.is_standing


# --- The report's facts, on any day of 2026–2030 --------------------------------------------


@pytest.mark.parametrize("day", DAYS)
def test_14_of_17_units_have_a_non_local_standing_member(output, day):
    parents = selectors.unit_parent_map()
    meeting = {
        commune.name
        for commune in commune_units()
        if any(
            not selectors.is_local(official, commune, parents=parents)
            for official in standing_holders(commune, day)
        )
    }
    assert len(meeting) == 14
    assert set(COMMUNE_NAMES) - meeting == WITHOUT_NON_LOCAL


@pytest.mark.parametrize("day", DAYS)
def test_the_dong_ruong_standing_deputy_post_is_the_only_vacant_commune_post(output, day):
    vacant = [
        p.name
        for p in Position.objects.filter(unit__in=commune_units())
        if selectors.position_is_vacant_on(p, day)
    ]
    assert vacant == ["Phó Bí thư Thường trực Đảng ủy xã Đồng Ruộng"]


def test_the_towns_three_standing_members_came_from_tu_ly_in_2023(output):
    town, tuly = unit("Thị trấn Đà Bắc"), unit("Xã Tú Lý")
    today = dt.date.today()
    movers = standing_holders(town, today)
    assert len(movers) == 3
    for official in movers:
        current = Assignment.objects.get(official=official, position__unit=town)
        assert current.start.year == 2023 and current.end is None
        assert re.fullmatch(r"Số \d+-QĐ/HU", current.decision_ref)
        before = Assignment.objects.get(official=official, position__unit=tuly)
        assert before.end is not None and before.end.year == 2023
        assert before.end < current.start
        assert official.hometown_unit == tuly
        assert selectors.is_local(official, tuly)
        assert not selectors.is_local(official, town)
    # Tú Lý's posts they left are held by others today.
    tuly_holders = {a.official_id for a in Assignment.objects.filter(position__unit=tuly)}
    for position in Position.objects.filter(unit=tuly):
        holders = selectors.position_holders_on(position, today)
        assert len(holders) == 1
        assert holders[0].official not in movers
    assert {o.id for o in movers} <= tuly_holders


# --- Terms, committee, board, office, proposers ---------------------------------------------


def test_it_creates_the_party_and_council_terms(output):
    committee = Committee.objects.get()
    party = Term.objects.filter(kind=Term.Kind.PARTY)
    assert sorted(party.values_list("name", flat=True)) == ["2020–2025", "2025–2030"]
    assert all(t.committee == committee for t in party)
    council = Term.objects.filter(kind=Term.Kind.COUNCIL)
    assert sorted(council.values_list("name", flat=True)) == ["2021–2026", "2026–2031"]
    assert all(t.committee is None for t in council)
    for term in Term.objects.all():
        assert term.start.year == int(term.name[:4])


def test_the_committee_has_11_members_with_one_chair_and_one_deputy(output):
    committee = Committee.objects.get()
    assert committee.name == "Ban Thường vụ Huyện ủy Đà Bắc"
    assert committee.unit == unit("Huyện Đà Bắc")
    assert committee.collective_name == "BAN THƯỜNG VỤ HUYỆN ỦY"
    assert committee.issuing_body_name == "HUYỆN ỦY ĐÀ BẮC"
    assert committee.superior_body_name == "ĐẢNG BỘ TỈNH HÒA BÌNH"
    assert (committee.symbol, committee.place_name) == ("HU", "Đà Bắc")
    assert committee.non_local_target_percent == 80
    members = CommitteeMember.objects.active_on(dt.date.today()).filter(committee=committee)
    roles = dict(members.values_list("user__username", "role"))
    assert len(roles) == 11
    assert roles.pop("btv01") == CommitteeMember.Role.CHAIR
    assert roles.pop("btv02") == CommitteeMember.Role.DEPUTY
    assert set(roles) == {"board.head", *(f"btv{n:02d}" for n in range(3, 11))}
    assert set(roles.values()) == {CommitteeMember.Role.MEMBER}


def test_every_committee_member_is_an_official_with_a_district_post(output):
    district = unit("Huyện Đà Bắc")
    today = dt.date.today()
    for member in CommitteeMember.objects.select_related("user__official"):
        posts = selectors.official_assignments_on(member.user.official, today)
        assert posts, member.user.username
        assert all(selectors.unit_is_within(a.position.unit_id, district.id) for a in posts)
        assert all(not a.position.unit.is_commune_level for a in posts)
    secretary = selectors.official_assignments_on(
        get_user_model().objects.get(username="btv01").official, today
    )
    assert [a.position.name for a in secretary] == ["Bí thư Huyện ủy Đà Bắc"]


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("board.head", {"board_head", "board_member", "committee_member", "official"}),
        ("board.a", {"board_member", "official"}),
        ("board.b", {"board_member", "official"}),
        ("proposer.district", {"board_specialist", "proposer", "official"}),
        ("proposer.tuly", {"proposer"}),
        ("office", {"office", "official"}),
        ("btv01", {"committee_member", "committee_chair", "official"}),
        ("btv02", {"committee_member", "committee_deputy", "official"}),
        ("btv07", {"committee_member", "official"}),
        ("canbo.dongruong", {"official"}),
        ("canbo.tuly", {"official"}),
        ("admin", {"admin"}),
    ],
)
def test_each_account_has_its_roles_from_membership_data(output, username, expected):
    user = get_user_model().objects.get(username=username)
    assert set(selectors.user_roles(user)) == expected


def test_proposer_scopes_cover_the_district_and_tu_ly(output):
    scopes = dict(ProposerScope.objects.values_list("user__username", "unit__name"))
    assert scopes == {"proposer.district": "Huyện Đà Bắc", "proposer.tuly": "Xã Tú Lý"}
    board = BoardMember.objects.filter(board__name="Ban Tổ chức Huyện ủy")
    assert board.count() == 4


# --- The demo officials ---------------------------------------------------------------------


def test_canbo_dongruong_is_eligible_for_the_vacant_dong_ruong_post(output):
    official = get_user_model().objects.get(username="canbo.dongruong").official
    dongruong, district = unit("Xã Đồng Ruộng"), unit("Huyện Đà Bắc")
    assert not selectors.is_local(official, dongruong)
    assert not selectors.unit_is_within(official.hometown_unit_id, district.id)
    for day in DAYS:
        assert selectors.official_remaining_service_months(official, day) >= 120
        (post,) = selectors.official_assignments_on(official, day)
        assert selectors.unit_is_within(post.position.unit_id, district.id)
        assert not post.position.unit.is_commune_level
        target = Position.objects.get(name="Phó Bí thư Thường trực Đảng ủy xã Đồng Ruộng")
        assert post.position.title.level == target.title.level
    planned = PlanningEntry.objects.filter(official=official, title__name=target.title.name)
    assert sorted(planned.values_list("term__name", flat=True)) == ["2020–2025", "2025–2030"]


def test_canbo_tuly_is_the_local_vice_chairman_of_tu_ly(output):
    official = get_user_model().objects.get(username="canbo.tuly").official
    tuly = unit("Xã Tú Lý")
    (post,) = selectors.official_assignments_on(official, dt.date.today())
    assert post.position.name == "Phó Chủ tịch UBND xã Tú Lý"
    assert official.hometown_unit == tuly
    assert selectors.is_local(official, tuly)


def test_further_canbo_accounts_hold_commune_posts_and_are_in_the_planning(output):
    for username in ("canbo.toanson", "canbo.hienluong"):
        official = get_user_model().objects.get(username=username).official
        (post,) = selectors.official_assignments_on(official, dt.date.today())
        assert post.position.unit.is_commune_level
        assert PlanningEntry.objects.filter(official=official).exists()


def test_non_locals_have_a_real_hometown_outside_their_unit(output):
    outside = unit("Huyện Kỳ Sơn")
    assert outside.parent == unit("Tỉnh Hòa Bình")
    assert Official.objects.filter(hometown_unit=outside).exists()
    assert not Official.objects.filter(hometown_unit__isnull=True).exists()


# --- Accounts -------------------------------------------------------------------------------


def test_it_prints_every_demo_account_with_the_password(output):
    usernames = get_user_model().objects.values_list("username", flat=True)
    assert len(usernames) >= 20
    for username in usernames:
        assert re.search(rf"^\s+{re.escape(username)}\s+demo\s+\S", output, re.MULTILINE)


def test_every_demo_account_logs_in_with_demo(output):
    for user in get_user_model().objects.all():
        assert authenticate(username=user.username, password="demo") == user
        assert user.email == f"{user.username}@dabac.example"
    assert authenticate(username="btv01", password="wrong") is None
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff


# --- Idempotence and the demo-mode guard ----------------------------------------------------


def test_a_second_run_changes_nothing(output):
    before = dump()
    second = seed()
    assert dump() == before
    assert "tạo mới 0, cập nhật 0" in second


def test_a_run_after_a_change_restores_the_demo(output):
    before = dump()
    Official.objects.filter(full_name="Lò Văn Chiến").update(full_name="Tên Đã Sửa")
    user = get_user_model().objects.get(username="board.a")
    user.set_password("another")
    user.save()
    seed()
    assert dump() != before  # the password hash is new …
    assert authenticate(username="board.a", password="demo") == user
    assert Official.objects.filter(full_name="Lò Văn Chiến").count() == 1


def test_it_refuses_without_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="DEMO_MODE"):
        seed()
    assert not get_user_model().objects.exists()
    assert not OrgUnit.objects.exists()


def test_force_builds_the_demo_without_demo_mode(settings):
    settings.DEMO_MODE = False
    seed(force=True)
    assert authenticate(username="btv01", password="demo") is not None
