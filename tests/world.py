"""The worlds the tests run in, each built once per session (tests/conftest.py keeps the one in
use committed in the test database; every test runs in a transaction rolled back as usual and
gets its own copy of the objects). All of them are the district committee of Đà Bắc in Hòa Bình,
built from tests/factories.py; they differ in what an app's tests look at:

- `registry` (personnel, pages): units, titles, positions, who holds what today, planning; logins
  with PASSWORD;
- `workflow`: a committee of 11 members for votes, personas for every step of a proposal, and
  helpers that drive proposals through the services;
- `letters` (documents): Party terms covering the letters' dates, legal bases, e-mail addresses,
  proposals written with the ORM;
- `demo`: the demo of SPEC §10 as `seed_demo` builds it (the world is the command's output);
- `reports`: fixed dates for "as of" questions, officials local or not, audit trails.

Every world extends one base: the province of Hòa Bình and the district of Đà Bắc (`_units`),
and the Standing Committee of Đà Bắc with its board, office and proposers (`_committee`), staffed
by the same named personas: `chair`, `deputy`, `former` (left the committee), `board_head`,
`reviewer`, `clerk`, `proposer`, `admin`, and the officials `an`, `binh`, … The workflow's
helpers (`new_proposal`, `new_transfer`, `act`, `opine`, `advance`) drive proposals through the
services with them.

No persona has a role because of its name: roles come from memberships.
"""

import atexit
import datetime as dt
import io
import os
import tempfile
from types import SimpleNamespace
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import override_settings

from audit.services import audit_append
from documents import services as documents
from personnel.models import Assignment, OrgUnit, Position
from personnel.roles import Actor
from tests.factories import (
    PASSWORD,
    SINCE,
    AssignmentFactory,
    BoardFactory,
    BoardMemberFactory,
    CommitteeFactory,
    CommitteeMemberFactory,
    CommitteeOfficeMemberFactory,
    LegalBasisFactory,
    OfficialFactory,
    OrgUnitFactory,
    PlanningEntryFactory,
    PositionFactory,
    PositionTitleFactory,
    ProposalFactory,
    ProposerScopeFactory,
    TermFactory,
    UserFactory,
    make_official,
)
from tests.helpers import TODAY, YESTERDAY
from workflow import services
from workflow.models import ProposalKind, ProposalState, RotationProposal

D = dt.date
K = OrgUnit.Kind
S = ProposalState


def _units(w, codes: dict[str, tuple]):
    """Hòa Bình ⊃ Đà Bắc ⊃ communes given as attribute → (code suffix, name, kind)."""
    w.province = OrgUnitFactory(kind=K.PROVINCE, code="HB", name="Tỉnh Hòa Bình")
    w.district = OrgUnitFactory(
        kind=K.DISTRICT, code="HB-DB", name="Huyện Đà Bắc", parent=w.province
    )
    for attr, (code, name, kind) in codes.items():
        setattr(w, attr, OrgUnitFactory(kind=kind, code=code, name=name, parent=w.district))


def _maichau(w):
    w.maichau = OrgUnitFactory(
        kind=K.DISTRICT, code="HB-MC", name="Huyện Mai Châu", parent=w.province
    )


def _two_districts(w):
    """Đà Bắc with Tú Lý, Đồng Ruộng and its town; Mai Châu with Chiềng Châu."""
    _units(
        w,
        {
            "tuly": ("HB-DB-TL", "Xã Tú Lý", K.COMMUNE),
            "dongruong": ("HB-DB-DR", "Xã Đồng Ruộng", K.COMMUNE),
            "town": ("HB-DB-TT", "Thị trấn Đà Bắc", K.TOWN),
        },
    )
    _maichau(w)
    w.chiengchau = OrgUnitFactory(code="HB-MC-CC", name="Xã Chiềng Châu", parent=w.maichau)


def _four_titles(w, *, chairman_non_local: bool):
    """Secretary, standing deputy, chairman and vice-chairman, ranked in this order."""
    chairman = "standing non-local" if chairman_non_local else "standing"
    for order, (attr, code, name, level, flags) in enumerate(
        (
            ("secretary", "BT", "Bí thư Đảng ủy", 3, "standing non-local head"),
            ("standing_deputy", "PBT-TT", "Phó Bí thư Thường trực Đảng ủy", 2, "standing"),
            ("chairman", "CT", "Phó Bí thư – Chủ tịch UBND", 2, chairman),
            ("vice_chairman", "PCT", "Phó Chủ tịch UBND", 1, ""),
        ),
        start=1,
    ):
        title = PositionTitleFactory(
            code=code,
            name=name,
            level=level,
            order=order,
            is_standing="standing" in flags,
            requires_non_local="non-local" in flags,
            is_head="head" in flags,
        )
        setattr(w, attr, title)


def _posts(units, titles, *, seats=None):
    """A post of every title in every unit, named "<title> <unit>" ("Bí thư Đảng ủy xã Tú Lý"),
    keyed by (unit code, title code); `seats` as {title code: seats} where not the default."""
    posts = {}
    for unit in units:
        for title in titles:
            extra = {"seats": seats[title.code]} if seats and title.code in seats else {}
            name = f"{title.name} {unit.name[0].lower()}{unit.name[1:]}"
            posts[unit.code, title.code] = PositionFactory(
                unit=unit, title=title, name=name, **extra
            )
    return posts


def _users(*names, **extra):
    return [UserFactory(username=name, **extra) for name in names]


def _committee(w, *members, left=YESTERDAY, board=(), specialists=(), proposers=None):
    """The base every world shares: the Standing Committee of Đà Bắc, its board (Ban Tổ chức)
    and office, staffed by the world's personas: `chair`, `deputy` (where the world has one),
    other `members`, `former` (left the committee on `left`), `board_head` (where the world has
    one) and `reviewer` with the other `board` members and the `specialists` of the board,
    `clerk` in the office, and `proposers` as {user: unit}."""
    w.committee = CommitteeFactory(unit=w.district)
    roles = [(w.chair, "chair"), (getattr(w, "deputy", None), "deputy")]
    for user, role in [*roles, *((user, "member") for user in members)]:
        if user is not None:
            CommitteeMemberFactory(committee=w.committee, user=user, role=role)
    CommitteeMemberFactory(committee=w.committee, user=w.former, end=left)
    w.board = BoardFactory(committee=w.committee)
    roles = [(getattr(w, "board_head", None), "head"), (w.reviewer, "member")]
    roles += [(user, "member") for user in board] + [(user, "specialist") for user in specialists]
    for user, role in roles:
        if user is not None:
            BoardMemberFactory(board=w.board, user=user, role=role)
    CommitteeOfficeMemberFactory(committee=w.committee, user=w.clerk)
    for user, unit in (proposers or {}).items():
        ProposerScopeFactory(committee=w.committee, user=user, unit=unit)


# --- registry (personnel, pages) ------------------------------------------------------------


def build_registry_world():
    """One province with two districts, a few communes, four titles, positions, officials with
    hometowns and birthplaces, who holds what today, a committee with its board, office and
    proposers, and the people who log in. Dates are relative to today, because the API answers
    "as of today"."""
    w = SimpleNamespace()
    _two_districts(w)

    _four_titles(w, chairman_non_local=False)

    # Positions: every commune-level unit in Đà Bắc has a secretary and two vice-chairman seats.
    w.positions = _posts(
        [w.tuly, w.dongruong, w.town], [w.secretary, w.vice_chairman], seats={"PCT": 2}
    )
    w.tuly_secretary = w.positions["HB-DB-TL", "BT"]
    w.tuly_vice = w.positions["HB-DB-TL", "PCT"]
    w.dongruong_secretary = w.positions["HB-DB-DR", "BT"]
    w.dongruong_vice = w.positions["HB-DB-DR", "PCT"]
    w.town_secretary = w.positions["HB-DB-TT", "BT"]
    w.town_vice = w.positions["HB-DB-TT", "PCT"]
    w.district_deputy = PositionFactory(
        unit=w.district, title=w.standing_deputy, name="Phó Bí thư Thường trực Huyện ủy Đà Bắc"
    )

    w.admin = UserFactory(username="quantri", email="quantri@example.org", is_superuser=True)
    (
        w.chair,
        w.former_member,
        w.board_head,
        w.reviewer,
        w.clerk,
        w.proposer,
        w.official_user,
        w.impostor,  # looks like a committee account; holds nothing
    ) = _users(
        "bithu",
        "nguyenuyvien",
        "truongban",
        "chuyenvien.a",
        "vanphong",
        "dexuat.tuly",
        "canbo.an",
        "btv01",
    )

    w.an = OfficialFactory(
        full_name="Nguyễn Văn An",
        hometown_unit=w.tuly,
        birthplace_unit=w.chiengchau,
        ethnicity="Mường",
        user=w.official_user,
    )
    w.hong = OfficialFactory(
        full_name="Đinh Thị Hồng",
        gender="female",
        birth_date=D(1985, 2, 14),
        birthplace_unit=w.dongruong,
    )
    w.binh = OfficialFactory(full_name="Lò Văn Bình", hometown_unit=w.maichau, ethnicity="Thái")
    w.lan = OfficialFactory(full_name="Nguyễn Thị Lan", gender="female", hometown_unit=w.district)
    w.dung = OfficialFactory(full_name="Dinh Van Dung")  # no diacritics in the source register

    w.an_secretary = AssignmentFactory(official=w.an, position=w.tuly_secretary)
    w.hong_vice = AssignmentFactory(official=w.hong, position=w.tuly_vice, start=D(2022, 3, 1))
    w.binh_old = AssignmentFactory(
        official=w.binh, position=w.dongruong_secretary, start=D(2019, 1, 1), end=D(2023, 12, 31)
    )
    w.binh_town = AssignmentFactory(official=w.binh, position=w.town_secretary, start=D(2024, 1, 1))
    w.lan_district = AssignmentFactory(
        official=w.lan, position=w.district_deputy, start=D(2020, 6, 1)
    )
    w.lan_concurrent = AssignmentFactory(
        official=w.lan, position=w.dongruong_vice, start=D(2023, 1, 1), is_concurrent=True
    )

    w.former = w.former_member
    _committee(w, w.board_head, proposers={w.proposer: w.tuly})
    w.term = TermFactory(committee=w.committee)
    w.planning = PlanningEntryFactory(
        official=w.hong, title=w.secretary, term=w.term, decision_ref="Số 45-QĐ/HU"
    )
    return w


# --- workflow ---------------------------------------------------------------------------------


def build_workflow_world():
    """A district committee of 11 members (chair, standing deputy, the board head and eight
    others), its board, office and proposers, communes with posts, officials who hold them, a
    current Party term and planning. Users have no password (tests authenticate directly).

    Personas: proposer (for the whole district; a board specialist, not a reviewer),
    proposer_tuly (Tú Lý only), board_head (also a committee member), reviewer and reviewer_b
    (board members; reviewer_b is also the official Bình), chair, deputy, members[...],
    member_cuong (also the official Cường), clerk (the office), subject_user (the official An),
    outsider (holds nothing), former (left the committee yesterday).

    The usual proposal moves An (Phó Bí thư Thường trực Tú Lý, in the planning for Bí thư, not
    local to Đồng Ruộng) to the vacant post of Phó Bí thư Thường trực Đồng Ruộng for 36 months:
    every check passes."""
    w = SimpleNamespace()
    _two_districts(w)

    w.secretary = PositionTitleFactory(
        code="BT", name="Bí thư Đảng ủy", level=3, is_standing=True, requires_non_local=True
    )
    w.standing_deputy = PositionTitleFactory(
        code="PBT-TT", name="Phó Bí thư Thường trực Đảng ủy", level=2, is_standing=True
    )
    w.vice_chairman = PositionTitleFactory(code="PCT", name="Phó Chủ tịch UBND", level=1)
    w.pos = _posts(
        [w.tuly, w.dongruong, w.town, w.chiengchau],
        [w.secretary, w.standing_deputy, w.vice_chairman],
    )

    w.admin = UserFactory(
        username="quantri", email="q@example.org", password=None, is_superuser=True
    )
    (
        w.proposer,
        w.proposer_tuly,
        w.board_head,
        w.reviewer,
        w.reviewer_b,
        w.chair,
        w.deputy,
        w.member_cuong,
        w.clerk,
        w.subject_user,
        w.outsider,
    ) = _users(
        "nguoi.de.xuat",
        "de.xuat.tuly",
        "truong.ban",
        "tham.dinh.a",
        "tham.dinh.b",
        "bi.thu",
        "pho.bi.thu",
        "uy.vien.cuong",
        "van.phong",
        "can.bo.an",
        "nguoi.ngoai",
        password=None,
    )
    others = _users(*(f"uy.vien.{i:02d}" for i in range(1, 8)), password=None)

    def official(name, hometown, user=None, gender="male"):
        return make_official(
            name, gender=gender, born=D(1985, 5, 1), hometown_unit=hometown, user=user
        )

    w.an = official("Nguyễn Văn An", w.tuly, w.subject_user)
    w.binh = official("Lò Văn Bình", w.maichau, w.reviewer_b)
    w.cuong = official("Đinh Công Cường", w.chiengchau, w.member_cuong)
    w.dung = official("Xa Văn Dũng", w.dongruong)
    w.hoa = official("Bùi Thị Hoa", w.maichau, gender="female")
    w.an_post = AssignmentFactory(official=w.an, position=w.pos["HB-DB-TL", "PBT-TT"])
    w.binh_post = AssignmentFactory(official=w.binh, position=w.pos["HB-DB-TL", "PCT"])
    w.cuong_post = AssignmentFactory(official=w.cuong, position=w.pos["HB-DB-TT", "PBT-TT"])
    w.dung_post = AssignmentFactory(official=w.dung, position=w.pos["HB-DB-TT", "PCT"])
    w.hoa_post = AssignmentFactory(official=w.hoa, position=w.pos["HB-DB-DR", "BT"])
    w.target = w.pos["HB-DB-DR", "PBT-TT"]  # vacant

    w.members = [w.chair, w.deputy, w.board_head, w.member_cuong, *others]
    assert len(w.members) == 11
    # A former member: not incumbent, never a voter.
    w.former = UserFactory(username="uy.vien.cu", password=None)
    _committee(
        w,
        *w.members[2:],
        board=[w.reviewer_b],
        specialists=[w.proposer],
        proposers={w.proposer: w.district, w.proposer_tuly: w.tuly},
    )

    w.term = TermFactory(
        name="hiện tại",
        committee=w.committee,
        start=TODAY - dt.timedelta(days=700),
        end=TODAY + dt.timedelta(days=1000),
    )
    w.next_term = TermFactory(
        name="kế tiếp",
        committee=w.committee,
        start=w.term.end + dt.timedelta(days=1),
        end=w.term.end + dt.timedelta(days=1826),
    )
    PlanningEntryFactory(official=w.an, title=w.secretary, term=w.term)
    return w


def proposal_body(w, **overrides) -> dict:
    """The JSON body of a valid new proposal for the API (An to the target post)."""
    return {
        "official": w.an.pk,
        "kind": "rotation",
        "target_position": w.target.pk,
        "effective_date": (TODAY + dt.timedelta(days=30)).isoformat(),
        "duration_months": 36,
        "rationale": "Luân chuyển để đào tạo.",
        **overrides,
    }


def new_proposal(w, *, official=None, target=None, author=None, **fields):
    """The usual proposal of the workflow world, made with the service."""
    values = {
        "kind": "rotation",
        "effective_date": TODAY + dt.timedelta(days=30),
        "duration_months": 36,
        "rationale": "Đào tạo, thử thách cán bộ trong quy hoạch.",
    }
    values.update(fields)
    # A test that needs a move of the past records it as it happened.
    values.setdefault("backdated", values["effective_date"] < TODAY)
    return services.proposal_create(
        actor=Actor.for_user(author or w.proposer),
        official=official or w.an,
        target_position=target or w.target,
        **values,
    )


def new_transfer(w, official, target, **fields):
    """A transfer (no term to serve) of `official` to `target`, made with the service."""
    return new_proposal(
        w, official=official, target=target, kind="transfer", duration_months=None, **fields
    )


def act(action, proposal, user, **extra):
    """Take `action` on `proposal` as `user` through the service."""
    actor = Actor.for_user(user)
    return services.proposal_transition(action, proposal_id=proposal.pk, actor=actor, **extra)


def opine(proposal, user, opinion="endorse", comment="Tán thành."):
    """`user` (of the board) gives an opinion on `proposal` through the service."""
    actor = Actor.for_user(user)
    return services.opinion_add(
        proposal_id=proposal.pk, actor=actor, opinion=opinion, comment=comment
    )


def cast_all(w, proposal, choices):
    """Cast ballots by the first eligible voters, one choice each."""
    voters = eligible_voters(proposal)
    assert len(choices) <= len(voters)
    for user, choice in zip(voters, choices, strict=False):
        services.ballot_cast(proposal_id=proposal.pk, actor=Actor.for_user(user), choice=choice)


def eligible_voters(proposal):
    from workflow.models import EligibleVoter, VoteRound

    vote_round = proposal.vote_rounds.get(status=VoteRound.Status.OPEN)
    ids = EligibleVoter.objects.filter(round=vote_round).values_list("user_id", flat=True)
    return list(get_user_model().objects.filter(id__in=ids).order_by("username"))


# The happy path through the states: each step's action and who takes it (a persona of the
# workflow world, or the proposal's author).
STEPS = {
    S.SUBMITTED: ("submit", "author"),
    S.IN_REVIEW: ("start_review", "reviewer"),
    S.ENDORSED: ("endorse", "board_head"),
    S.VOTING: ("open_vote", "chair"),
    S.APPROVED: ("close_vote", "chair"),
    S.ISSUED: ("issue_decision", "clerk"),
    S.IN_EFFECT: ("post", "clerk"),
    S.COMPLETED: ("end_rotation", "board_head"),
}
PATH = [S.DRAFT, *STEPS]


def advance(w, proposal, to_state):
    """Drive a proposal along the happy path with the services until it reaches `to_state`."""
    pid = proposal.pk
    proposal = RotationProposal.objects.get(pk=pid)
    state = proposal.state
    if state == to_state:
        return proposal
    if to_state not in PATH:
        raise ValueError("advance follows the happy path only")
    for step in PATH[PATH.index(state) + 1 : PATH.index(to_state) + 1]:
        action, who = STEPS[step]
        extra = {}
        if step == S.ENDORSED:
            if not proposal.opinions.filter(opinion="endorse").exists():  # one per round
                opine(proposal, w.reviewer, comment="Đủ điều kiện.")
        elif step == S.APPROVED:
            cast_all(w, proposal, ["approve"] * 8)
        elif step == S.COMPLETED:
            extra["outcome"] = "returned"
        user = proposal.author if who == "author" else getattr(w, who)
        act(action, proposal, user, **extra)
    proposal = RotationProposal.objects.get(pk=pid)
    assert proposal.state == to_state
    return proposal


# --- letters (documents) ----------------------------------------------------------------------

# The date of the report's example letter (SPEC §5): "Đà Bắc, ngày 05 tháng 6 năm 2024".
LETTER_DAY = D(2024, 6, 5)
EFFECTIVE = D(2024, 7, 1)
LETTERS_BORN = D(1982, 3, 15)


def build_letters_world():
    """The district committee of Đà Bắc with a Party term covering the letters' dates, its board
    and office, a few officials and the people who log in (no password; e-mail
    <username>@example.org), legal bases.

    Personas: chair (Bí thư) and deputy sign; member sits on the committee; board_head and
    reviewer are on the board; clerk is in the office; author writes proposals; subject_user is
    the official An; colleague holds a post in the sending unit (Tú Lý) and receiver one in the
    receiving unit (Đồng Ruộng), as does no_email (who has no address); outsider holds a post
    elsewhere; former left the committee; admin is superuser."""
    w = SimpleNamespace()
    _units(
        w,
        {
            "tuly": ("DB-TL", "Xã Tú Lý", K.COMMUNE),
            "dongruong": ("DB-DR", "Xã Đồng Ruộng", K.COMMUNE),
            "hienluong": ("DB-HL", "Xã Hiền Lương", K.COMMUNE),
        },
    )
    w.titles = {
        "BT": PositionTitleFactory(
            code="BT", name="Bí thư Đảng ủy", level=3, is_standing=True, is_head=True, order=1
        ),
        "PBT": PositionTitleFactory(
            code="PBT", name="Phó Bí thư Thường trực Đảng ủy", level=2, is_standing=True, order=2
        ),
        "PCT": PositionTitleFactory(code="PCT", name="Phó Chủ tịch UBND", level=1, order=4),
    }
    titles = w.titles.values()
    w.positions = _posts(
        [w.tuly, w.dongruong, w.hienluong], titles, seats=dict.fromkeys(w.titles, 30)
    )

    def user(username, **extra):
        return UserFactory(
            username=username, password=None, email=f"{username}@example.org", **extra
        )

    w.admin = user("quantri", is_superuser=True)
    w.chair, w.deputy, w.member, w.former = map(user, ["bithu", "phobithu", "uyvien", "uyvien.cu"])
    w.board_head, w.reviewer, w.clerk, w.author = map(
        user, ["truongban", "chuyenvien", "vanphong", "dexuat"]
    )
    w.subject_user, w.colleague, w.receiver, w.outsider = map(
        user, ["canbo.an", "dongnghiep.tuly", "canbo.dongruong", "nguoingoai"]
    )
    w.no_email = UserFactory(username="khongthu", password=None)

    _committee(w, w.member, left=D(2023, 1, 1))
    w.term_2020 = TermFactory(committee=w.committee)
    w.term_2025 = TermFactory(
        name="2025–2030", committee=w.committee, start=D(2025, 10, 1), end=D(2030, 9, 30)
    )

    letters_official("Bùi Văn Thành", user=w.chair)
    letters_official("Đinh Thị Hoa", user=w.deputy, gender="female")
    w.an = letters_official("Nguyễn Văn An", user=w.subject_user)
    w.an_post = AssignmentFactory(official=w.an, position=w.positions["DB-TL", "PCT"])
    for name, person, post, gender in (
        ("Hà Văn Dũng", w.colleague, ("DB-TL", "BT"), "male"),
        ("Xa Thị Hương", w.receiver, ("DB-DR", "PCT"), "female"),
        ("Lò Văn Tâm", w.no_email, ("DB-DR", "PBT"), "male"),
        ("Đinh Văn Khang", w.outsider, ("DB-HL", "PCT"), "male"),
    ):
        AssignmentFactory(
            official=letters_official(name, user=person, gender=gender),
            position=w.positions[post],
        )

    LegalBasisFactory(text="Căn cứ Điều lệ Đảng", order=1)
    LegalBasisFactory(
        text="Căn cứ Quy định số 65-QĐ/TW, ngày 28/4/2022 của Bộ Chính trị về luân chuyển cán bộ",
        order=2,
        valid_from=D(2022, 4, 28),
        for_transfer=False,
        for_secondment=False,
    )
    LegalBasisFactory(
        text="Căn cứ Quy định số 98-QĐ/TW, ngày 07/10/2017 của Bộ Chính trị về luân chuyển cán bộ",
        order=2,
        valid_to=D(2022, 4, 27),
    )
    LegalBasisFactory(
        committee=w.committee,
        text=(
            "Căn cứ Quy chế làm việc của Ban Chấp hành Đảng bộ huyện khóa XXV, nhiệm kỳ 2020 - 2025"
        ),
        order=3,
        valid_to=D(2025, 9, 30),
    )
    return w


def letters_official(full_name, *, user=None, gender="male"):
    return make_official(full_name, gender=gender, born=LETTERS_BORN, user=user)


def make_official_in_tuly(w, name: str, *, user=None):
    """Another official with a post in Tú Lý, to be moved by another proposal."""
    official = letters_official(name, user=user)
    assignment = AssignmentFactory(official=official, position=w.positions["DB-TL", "PCT"])
    return official, assignment


def make_proposal(
    w,
    *,
    official=None,
    assignment=None,
    kind="rotation",
    target=None,
    effective=EFFECTIVE,
    months=36,
    state="approved",
):
    """An approved proposal of the letters world, written with the ORM."""
    official = official or w.an
    return ProposalFactory(
        committee=w.committee,
        kind=kind,
        official=official,
        from_assignment=assignment or (w.an_post if official == w.an else None),
        target_position=target or w.positions["DB-DR", "BT"],
        effective_date=effective,
        duration_months=months,
        rationale="Đào tạo, rèn luyện cán bộ trong quy hoạch; tăng cường cho xã Đồng Ruộng.",
        author=w.author,
        state=state,
    )


def issue(w, proposal, *, signer=None, day=LETTER_DAY, **extra):
    with transaction.atomic():
        return documents.decision_issue(
            proposal=proposal,
            signer=signer or w.chair,
            issued_by=w.clerk,
            issued_on=day,
            **extra,
        )


# --- reports ----------------------------------------------------------------------------------

# The day most report tests ask about: a few months after the 2024 changes below.
AS_OF = D(2024, 4, 30)
DEFAULT_START = D(2021, 1, 1)
DEFAULT_EFFECTIVE = D(2024, 6, 1)


class World(SimpleNamespace):
    """The reports world, with helpers to add communes, proposals and audit trails."""

    _sequence = 0

    def next(self) -> int:
        World._sequence += 1
        return World._sequence

    def add_commune(self, name, *, parent=None, kind=K.COMMUNE, **extra) -> OrgUnit:
        unit = OrgUnitFactory(
            kind=kind, code=f"C{self.next()}", name=name, parent=parent or self.district, **extra
        )
        for title in (self.secretary, self.standing_deputy, self.chairman, self.vice_chairman):
            PositionFactory(unit=unit, title=title, name=f"{title.name} {name}")
        return unit

    def position(self, unit, title) -> Position:
        return Position.objects.get(unit=unit, title=title)

    def assign(self, official, unit, title, *, start=DEFAULT_START, end=None) -> Assignment:
        return AssignmentFactory(
            official=official, position=self.position(unit, title), start=start, end=end
        )

    def proposal(self, *, state, official=None, created=None, **where) -> RotationProposal:
        """A proposal in `state`, written directly (the workflow services are not under test).
        `where` may give from_unit and from_title (default: vice-chairman of Tú Lý), to_unit and
        to_title (secretary of Đồng Ruộng), effective (DEFAULT_EFFECTIVE) and kind (rotation);
        with no official given, a fresh one holding the from post is made."""
        source = (where.pop("from_unit", self.tuly), where.pop("from_title", self.vice_chairman))
        target = (where.pop("to_unit", self.dongruong), where.pop("to_title", self.secretary))
        if official is None:
            official = OfficialFactory(
                full_name=f"Cán bộ {self.next()}", hometown_unit=self.maichau
            )
            from_assignment = self.assign(official, *source, start=D(2020, 1, 1))
        else:
            from_assignment = Assignment.objects.get(
                official=official, position=self.position(*source), end=None
            )
        proposal = ProposalFactory(
            committee=self.committee,
            kind=where.pop("kind", ProposalKind.ROTATION),
            effective_date=where.pop("effective", DEFAULT_EFFECTIVE),
            official=official,
            from_assignment=from_assignment,
            target_position=self.position(*target),
            rationale="Đào tạo, thử thách qua thực tiễn.",
            author=self.proposer,
            state=state,
        )
        assert not where, f"unknown fields {where}"
        if created is not None:
            RotationProposal.objects.filter(pk=proposal.pk).update(created_at=created)
            proposal.refresh_from_db()
        return proposal

    def binh_move(self, state) -> RotationProposal:
        """Bình, chairman of Tú Lý and its only non-local standing member, proposed as chairman
        of Đồng Ruộng (whose standing members are all local)."""
        return self.proposal(
            state=state, official=self.binh, from_title=self.chairman, to_title=self.chairman
        )

    def transitions(self, proposal, *steps):
        """Audit events for (when, from_state, to_state) steps, written through the real audit
        log with the clock set to `when`."""
        for when, from_state, to_state in steps:
            with (
                mock.patch("audit.services.timezone.now", return_value=when),
                transaction.atomic(),
            ):
                audit_append(
                    action="transition",
                    actor=self.chair,
                    proposal=proposal,
                    from_state=from_state,
                    to_state=to_state,
                )


def build_reports_world() -> World:
    """Đà Bắc with three commune-level units and an agency, a second district outside the
    committee, standing and head titles, officials whose hometowns and birthplaces make them
    local or not, a committee with personas in every role. Dates are fixed, and reports are asked
    "as of" a date, so nothing depends on today."""
    w = World()
    _units(w, {})
    _maichau(w)
    w.agency = OrgUnitFactory(
        kind=K.AGENCY, code="HB-DB-BTC", name="Ban Tổ chức Huyện ủy Đà Bắc", parent=w.district
    )
    w.province_agency = OrgUnitFactory(
        kind=K.AGENCY, code="HB-BTC", name="Ban Tổ chức Tỉnh ủy", parent=w.province
    )

    _four_titles(w, chairman_non_local=True)
    w.specialist = PositionTitleFactory(code="CV", name="Chuyên viên", level=1, order=9)
    w.agency_post = PositionFactory(
        unit=w.agency, title=w.specialist, name="Chuyên viên Ban Tổ chức Huyện ủy", seats=5
    )
    w.province_post = PositionFactory(
        unit=w.province_agency, title=w.specialist, name="Chuyên viên Ban Tổ chức Tỉnh ủy", seats=5
    )
    PositionFactory(
        unit=w.district, title=w.standing_deputy, name="Phó Bí thư Thường trực Huyện ủy"
    )

    w.tuly = w.add_commune("Xã Tú Lý")
    w.dongruong = w.add_commune("Xã Đồng Ruộng")
    w.town = w.add_commune("Thị trấn Đà Bắc", kind=K.TOWN)
    w.chiengchau = w.add_commune("Xã Chiềng Châu", parent=w.maichau)

    def official(name, hometown, gender="male", **extra):
        return OfficialFactory(full_name=name, gender=gender, hometown_unit=hometown, **extra)

    # Tú Lý: a local secretary (hometown) and a non-local chairman → meets.
    w.an = official("Nguyễn Văn An", w.tuly)
    w.an_secretary = w.assign(w.an, w.tuly, w.secretary, start=D(2015, 11, 1))
    w.binh = official("Lò Văn Bình", w.maichau)
    w.binh_chair = w.assign(w.binh, w.tuly, w.chairman)
    # Đồng Ruộng: a secretary born there (birthplace) and a local deputy → does not meet; its
    # chairman post is vacant.
    w.hong = official("Đinh Thị Hồng", w.maichau, "female", birthplace_unit=w.dongruong)
    w.hong_secretary = w.assign(w.hong, w.dongruong, w.secretary)
    w.cuong = official("Xa Văn Cường", w.dongruong)
    w.cuong_deputy = w.assign(w.cuong, w.dongruong, w.standing_deputy)
    # The town: its secretary until the end of 2023 was local; from 2024 a man from Tú Lý.
    w.dung = official("Bùi Văn Dũng", w.town)
    w.dung_secretary = w.assign(
        w.dung, w.town, w.secretary, start=D(2019, 1, 1), end=D(2023, 12, 31)
    )
    w.em = official("Hà Văn Em", w.tuly)
    w.em_secretary = w.assign(w.em, w.town, w.secretary, start=D(2024, 1, 1))
    # Chiềng Châu is outside the committee: its standing member never counts.
    w.giang = official("Lường Thị Giang", w.dongruong, "female")
    w.assign(w.giang, w.chiengchau, w.secretary)

    w.admin = UserFactory(username="quantri", email="quantri@example.org", is_superuser=True)
    w.chair, w.reviewer, w.clerk, w.proposer, w.former, w.outsider = _users(
        "bithu", "chuyenvien.a", "vanphong", "dexuat.tuly", "uyvien.cu", "nguoingoai"
    )
    _committee(w, left=D(2021, 12, 31), proposers={w.proposer: w.tuly})
    w.other_committee = CommitteeFactory(
        name="Ban Thường vụ Huyện ủy Mai Châu",
        unit=w.maichau,
        issuing_body_name="HUYỆN ỦY MAI CHÂU",
        place_name="Mai Châu",
    )
    w.previous_term = TermFactory(
        name="2015–2020", committee=w.committee, start=D(2015, 10, 1), end=D(2020, 9, 30)
    )
    w.term = TermFactory(committee=w.committee)
    return w


# --- demo -------------------------------------------------------------------------------------


_DEMO_DUMP = {}


def build_demo_world() -> str:
    """The demo as `seed_demo` builds it inside a test's transaction: what it would do on commit
    (render and deliver the letters) is dropped. Returns the command's output. Built through the
    services once per process, then loaded from its dump (a second instead of several)."""
    if "path" in _DEMO_DUMP:
        call_command("loaddata", _DEMO_DUMP["path"], verbosity=0)
        return _DEMO_DUMP["output"]
    out = io.StringIO()
    with override_settings(DEMO_MODE=True):
        call_command("seed_demo", stdout=out)
    del connection.run_on_commit[:]
    dump = io.StringIO()
    call_command(
        "dumpdata",
        exclude=["contenttypes", "auth.permission", "sessions", "admin.logentry"],
        natural_foreign=True,
        format="xml",  # keeps the microseconds the audit chain hashes (JSON keeps milliseconds)
        stdout=dump,
    )
    handle, path = tempfile.mkstemp(prefix="demo-", suffix=".xml")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(dump.getvalue())
    atexit.register(os.remove, path)
    _DEMO_DUMP.update(path=path, output=out.getvalue())
    return _DEMO_DUMP["output"]


BUILDERS = {
    "demo": build_demo_world,
    "registry": build_registry_world,
    "workflow": build_workflow_world,
    "letters": build_letters_world,
    "reports": build_reports_world,
}
__all__ = ["BUILDERS", "PASSWORD", "SINCE"]
