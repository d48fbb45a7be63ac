"""`seed_demo` builds the demo registry of SPEC §10, and a second run changes nothing."""

import datetime as dt
import io
import itertools
import re
from collections import Counter

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db.models import Count

from audit.models import AuditEvent
from audit.services import audit_verify
from config.celery import app as celery_app
from demo.builder import ACCOUNTS
from documents.models import Decision, Delivery, DocumentProfile
from documents.services import legal_bases_for
from personnel import models as pm
from personnel import selectors
from personnel.roles import Actor
from workflow.models import BallotReceipt, ProposalState, Reminder, RotationProposal
from workflow.selectors import inbox_for_user, rotated_officials

S = ProposalState

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
def demo_settings(settings, tmp_path):
    settings.DEMO_MODE = True
    # The letters the demo renders go to a temporary MEDIA_ROOT, not the repository's media/.
    settings.MEDIA_ROOT = tmp_path / "media"


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def output(demo_world):
    return demo_world


def dump() -> str:
    """Every row of every personnel, workflow and documents model and every user, in a stable
    order."""
    models = [
        *apps.get_app_config("personnel").get_models(),
        *apps.get_app_config("workflow").get_models(),
        *apps.get_app_config("documents").get_models(),
        get_user_model(),
    ]
    rows = itertools.chain.from_iterable(m.objects.order_by("pk") for m in models)
    return serializers.serialize("json", rows)


def unit(name) -> pm.OrgUnit:
    return pm.OrgUnit.objects.get(name=name)


def commune_units():
    district = unit("Huyện Đà Bắc")
    return pm.OrgUnit.objects.filter(parent=district, kind__in=pm.OrgUnit.COMMUNE_LEVEL)


def standing_holders(commune: pm.OrgUnit, day: dt.date) -> list[pm.Official]:
    return [
        a.official
        for a in pm.Assignment.objects.filter(
            selectors.active_on_q(day), position__unit=commune, position__title__is_standing=True
        ).select_related("official")
    ]


# --- Units, titles, posts -------------------------------------------------------------------


def test_it_builds_the_17_commune_level_units_of_da_bac(output):
    units = commune_units()
    assert sorted(u.name for u in units) == sorted(COMMUNE_NAMES)
    assert unit("Thị trấn Đà Bắc").kind == pm.OrgUnit.Kind.TOWN
    assert unit("Xã Tú Lý").code == "dabac-tuly"
    district = unit("Huyện Đà Bắc")
    assert district.kind == pm.OrgUnit.Kind.DISTRICT
    assert district.parent == unit("Tỉnh Hòa Bình")
    assert unit("Tỉnh Hòa Bình").kind == pm.OrgUnit.Kind.PROVINCE


def test_the_district_agencies_sit_under_the_district(output):
    for name in ("Ban Tổ chức Huyện ủy", "Văn phòng Huyện ủy"):
        agency = unit(name)
        assert agency.kind == pm.OrgUnit.Kind.AGENCY
        assert agency.parent == unit("Huyện Đà Bắc")


def test_each_commune_level_unit_has_the_four_posts(output):
    for commune in commune_units():
        titles = set(pm.Position.objects.filter(unit=commune).values_list("title__name", flat=True))
        assert titles == COMMUNE_TITLES, commune.name
    assert pm.Position.objects.filter(name="Bí thư Đảng ủy xã Tú Lý").exists()
    assert pm.Position.objects.filter(name="Phó Bí thư – Chủ tịch UBND thị trấn Đà Bắc").exists()
    assert pm.Position.objects.filter(name="Phó Chủ tịch UBND xã Đồng Ruộng").exists()


def test_the_titles_rank_secretary_above_both_deputies_above_the_vice_chairman(output):
    title = {t.name: t for t in pm.PositionTitle.objects.all()}
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
        for p in pm.Position.objects.filter(unit__in=commune_units())
        if selectors.position_is_vacant_on(p, day)
    ]
    assert vacant == ["Phó Bí thư Thường trực Đảng ủy xã Đồng Ruộng"]


def test_the_towns_three_standing_members_came_from_tu_ly_in_2023(output):
    town, tuly = unit("Thị trấn Đà Bắc"), unit("Xã Tú Lý")
    today = dt.date.today()
    movers = standing_holders(town, today)
    assert len(movers) == 3
    for official in movers:
        current = pm.Assignment.objects.get(official=official, position__unit=town)
        assert current.start.year == 2023 and current.end is None
        assert re.fullmatch(r"Số \d+-QĐ/HU", current.decision_ref)
        before = pm.Assignment.objects.get(official=official, position__unit=tuly)
        assert before.end is not None and before.end.year == 2023
        assert before.end < current.start
        assert official.hometown_unit == tuly
        assert selectors.is_local(official, tuly)
        assert not selectors.is_local(official, town)
    # Tú Lý's posts they left are held by others today.
    tuly_holders = {a.official_id for a in pm.Assignment.objects.filter(position__unit=tuly)}
    for position in pm.Position.objects.filter(unit=tuly):
        holders = selectors.position_holders_on(position, today)
        assert len(holders) == 1
        assert holders[0].official not in movers
    assert {o.id for o in movers} <= tuly_holders


# --- Terms, committee, board, office, proposers ---------------------------------------------


def test_it_creates_the_party_and_council_terms(output):
    committee = pm.Committee.objects.get()
    party = pm.Term.objects.filter(kind=pm.Term.Kind.PARTY)
    assert sorted(party.values_list("name", flat=True)) == ["2020–2025", "2025–2030"]
    assert all(t.committee == committee for t in party)
    council = pm.Term.objects.filter(kind=pm.Term.Kind.COUNCIL)
    assert sorted(council.values_list("name", flat=True)) == ["2021–2026", "2026–2031"]
    assert all(t.committee is None for t in council)
    for term in pm.Term.objects.all():
        assert term.start.year == int(term.name[:4])


def test_the_committee_has_11_members_with_one_chair_and_one_deputy(output):
    committee = pm.Committee.objects.get()
    assert committee.name == "Ban Thường vụ Huyện ủy Đà Bắc"
    assert committee.unit == unit("Huyện Đà Bắc")
    assert committee.collective_name == "BAN THƯỜNG VỤ HUYỆN ỦY"
    assert committee.issuing_body_name == "HUYỆN ỦY ĐÀ BẮC"
    assert committee.superior_body_name == "ĐẢNG BỘ TỈNH HÒA BÌNH"
    assert (committee.symbol, committee.place_name) == ("HU", "Đà Bắc")
    assert committee.non_local_target_percent == 80
    members = pm.CommitteeMember.objects.active_on(dt.date.today()).filter(committee=committee)
    roles = dict(members.values_list("user__username", "role"))
    assert len(roles) == 11
    assert roles.pop("btv01") == pm.CommitteeMember.Role.CHAIR
    assert roles.pop("btv02") == pm.CommitteeMember.Role.DEPUTY
    assert set(roles) == {"board.head", *(f"btv{n:02d}" for n in range(3, 11))}
    assert set(roles.values()) == {pm.CommitteeMember.Role.MEMBER}


def test_every_committee_member_is_an_official_with_a_district_post(output):
    district = unit("Huyện Đà Bắc")
    today = dt.date.today()
    for member in pm.CommitteeMember.objects.select_related("user__official"):
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
    scopes = dict(pm.ProposerScope.objects.values_list("user__username", "unit__name"))
    assert scopes == {"proposer.district": "Huyện Đà Bắc", "proposer.tuly": "Xã Tú Lý"}
    board = pm.BoardMember.objects.filter(board__name="Ban Tổ chức Huyện ủy")
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
        target = pm.Position.objects.get(name="Phó Bí thư Thường trực Đảng ủy xã Đồng Ruộng")
        assert post.position.title.level == target.title.level
    planned = pm.PlanningEntry.objects.filter(official=official, title__name=target.title.name)
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
        assert pm.PlanningEntry.objects.filter(official=official).exists()


def test_non_locals_have_a_real_hometown_outside_their_unit(output):
    outside = unit("Huyện Kỳ Sơn")
    assert outside.parent == unit("Tỉnh Hòa Bình")
    assert pm.Official.objects.filter(hometown_unit=outside).exists()
    assert not pm.Official.objects.filter(hometown_unit__isnull=True).exists()


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
    pm.Official.objects.filter(full_name="Lò Văn Chiến").update(full_name="Tên Đã Sửa")
    user = get_user_model().objects.get(username="board.a")
    user.set_password("another")
    user.save()
    seed()
    assert dump() != before  # the password hash is new …
    assert authenticate(username="board.a", password="demo") == user
    assert pm.Official.objects.filter(full_name="Lò Văn Chiến").count() == 1


def test_it_refuses_without_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="DEMO_MODE"):
        seed()
    assert not get_user_model().objects.exists()
    assert not pm.OrgUnit.objects.exists()


def test_force_builds_the_demo_without_demo_mode(settings):
    settings.DEMO_MODE = False
    seed(force=True)
    assert authenticate(username="btv01", password="demo") is not None


# --- Decision letters, the 2023 history and proposals in every state --------------------------


def proposal_of(name) -> RotationProposal:
    return RotationProposal.objects.get(official__full_name=name)


def test_the_committee_cites_the_legal_bases_in_force_on_the_letters_date(output):
    committee = pm.Committee.objects.get()
    assert DocumentProfile.objects.get(committee=committee).office_name == "Văn phòng Huyện ủy"

    def bases(kind, day):
        return legal_bases_for(committee=committee, kind=kind, form="party", day=day)

    today = bases("rotation", dt.date.today())
    assert today[0] == "Căn cứ Điều lệ Đảng"
    assert "Căn cứ Quy định số 65-QĐ/TW, ngày 28/4/2022 của Bộ Chính trị về luân chuyển cán bộ" in (
        today
    )
    assert any(text.startswith("Căn cứ Quy định số 377-QĐ/TW, ngày 08/10/2025") for text in today)
    assert not any("80-QĐ/TW" in text or "2020 - 2025" in text for text in today)
    in_2023 = bases("rotation", D(2023, 6, 20))
    assert any("80-QĐ/TW" in text for text in in_2023)
    assert any("nhiệm kỳ 2020 - 2025" in text for text in in_2023)
    assert not any("377-QĐ/TW" in text for text in in_2023)
    # The regulation on rotation is not a basis for a transfer.
    assert not any("65-QĐ/TW" in text for text in bases("transfer", dt.date.today()))
    assert not any("98-QĐ/TW" in text for text in today)


def test_the_towns_2023_moves_are_decisions_45_to_47_posted_through_the_workflow(output):
    town, tuly = unit("Thị trấn Đà Bắc"), unit("Xã Tú Lý")
    moves = {
        "Xa Văn Hùng": ("transfer", "45-QĐ/HU", S.IN_EFFECT, ""),
        "Bùi Thị Nhung": ("rotation", "46-QĐ/HU", S.IN_EFFECT, ""),
        "Đinh Văn Quyết": ("rotation", "47-QĐ/HU", S.COMPLETED, "kept"),
    }
    for name, (kind, number, state, outcome) in moves.items():
        proposal = proposal_of(name)
        assert (proposal.kind, proposal.state, proposal.outcome) == (kind, state, outcome)
        assert proposal.effective_date == D(2023, 7, 1)
        decision = proposal.decision
        assert (decision.number_label, decision.issued_on) == (number, D(2023, 6, 20))
        arrived = pm.Assignment.objects.get(official=proposal.official, position__unit=town)
        left = pm.Assignment.objects.get(official=proposal.official, position__unit=tuly)
        assert (arrived.start, arrived.decision_id, arrived.decision_ref) == (
            D(2023, 7, 1),
            decision.pk,
            f"Số {number}",
        )
        assert (left.end, left.end_decision_id) == (D(2023, 6, 30), decision.pk)
    assert proposal_of("Bùi Thị Nhung").planned_end == D(2026, 6, 30)
    # The chairman was kept in the town: no longer a rotated cadre; the vice-chairman still is.
    committee = pm.Committee.objects.get()
    rotated_now = {r.official.full_name for r in rotated_officials(committee=committee, on=today())}
    assert rotated_now == {"Bùi Thị Nhung"}
    rotated_2024 = rotated_officials(committee=committee, on=D(2024, 4, 30))
    assert {r.official.full_name for r in rotated_2024} == {"Bùi Thị Nhung", "Đinh Văn Quyết"}


def today():
    return dt.date.today()


EXPECTED_STATES = Counter(
    {
        S.DRAFT: 1,
        S.SUBMITTED: 1,
        S.IN_REVIEW: 1,
        S.RETURNED: 1,
        S.ENDORSED: 1,
        S.VOTING: 2,
        S.APPROVED: 1,
        S.ISSUED: 2,
        S.IN_EFFECT: 2,
        S.COMPLETED: 1,
    }
)


def test_proposals_wait_in_every_state_before_the_decision_takes_effect(output):
    states = Counter(RotationProposal.objects.values_list("state", flat=True))
    assert states == EXPECTED_STATES
    for proposal in RotationProposal.objects.exclude(effective_date=D(2023, 7, 1)):
        assert proposal.effective_date > today(), proposal
    assert proposal_of("Lò Văn Chiến").author.username == "proposer.tuly"
    assert proposal_of("Lò Văn Chiến").state == S.DRAFT
    # One vote has reached its quorum, the other has just opened.
    cast = sorted(
        BallotReceipt.objects.filter(round__proposal__state=S.VOTING)
        .values("round")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    assert cast == [1, 8]


def test_the_proposals_were_built_with_the_services_and_leave_the_dong_ruong_move_free(output):
    for proposal in RotationProposal.objects.all():
        events = AuditEvent.objects.filter(proposal_id=proposal.pk).order_by("id")
        assert events[0].action == "create" and events[0].actor == proposal.author
        assert events.last().to_state == proposal.state
    assert audit_verify().ok
    dongruong = get_user_model().objects.get(username="canbo.dongruong").official
    assert not RotationProposal.objects.filter(official=dongruong).exists()
    vacant = pm.Position.objects.get(name="Phó Bí thư Thường trực Đảng ủy xã Đồng Ruộng")
    assert not RotationProposal.objects.filter(target_position=vacant).exists()
    assert not Reminder.objects.exists()


@pytest.fixture
def rendered(settings, tmp_path, django_capture_on_commit_callbacks):
    """The demo with its letters rendered and delivered in-process, as after the commit of a run
    in demo mode without Redis."""
    settings.MEDIA_ROOT = tmp_path / "media"
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            seed()
        yield
    finally:
        celery_app.conf.task_always_eager = eager


def test_every_account_has_something_in_its_inbox(rendered):
    users = get_user_model().objects
    inboxes = {
        username: {
            key: items
            for key, items in inbox_for_user(
                actor=Actor.for_user(users.get(username=username))
            ).items()
            if items
        }
        for username in ACCOUNTS
        if username != "admin"
    }
    assert {name for name, sections in inboxes.items() if not sections} == set()
    assert set(inboxes["proposer.tuly"]) == {"to_submit"}
    assert set(inboxes["proposer.district"]) == {"to_submit"}  # the proposal returned to him
    assert {"to_review", "to_endorse", "to_vote", "rotations_ending"} <= set(inboxes["board.head"])
    assert {"to_review", "rotations_ending"} == set(inboxes["board.a"]) == set(inboxes["board.b"])
    assert {"to_open_vote", "to_close_vote", "to_vote"} <= set(inboxes["btv01"])
    assert {"to_open_vote", "to_vote"} <= set(inboxes["btv02"])
    assert set(inboxes["office"]) == {"to_issue"}
    for username in ("canbo.tuly", "canbo.toanson", "canbo.hienluong", "canbo.dongruong"):
        assert set(inboxes[username]) == {"decisions_received"}, username
    assert [p.official.full_name for p in inboxes["canbo.toanson"]["decisions_received"]] == [
        "Bùi Thị Hoa"
    ]


def test_the_issued_decisions_are_rendered_and_delivered(rendered):
    for decision in Decision.objects.all():
        assert decision.status == Decision.Status.READY
        assert len(decision.sha256) == 64
    deliveries = set(Delivery.objects.values_list("decision__number", "recipient__username"))
    assert deliveries == {
        (1, "canbo.tuly"),
        (1, "canbo.hienluong"),
        (2, "canbo.toanson"),
        (2, "canbo.dongruong"),
    }
    # A second run renders and sends nothing more.
    before = dump()
    seed()
    assert dump() == before
