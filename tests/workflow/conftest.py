"""A world of our own for the workflow, built with the ORM: a district committee of 11 members
(chair, standing deputy, the board head and eight others), its board, office and proposers,
communes with posts, officials who hold them, a current Party term and planning.

Personas (none has a role because of the name):
- proposer: proposer for the whole district (a board specialist, not a reviewer)
- proposer_tuly: proposer for Tú Lý only
- board_head: head of the board, also a committee member
- reviewer, reviewer_b: board members; reviewer_b is also the official Bình
- chair (Bí thư), deputy (Phó Bí thư Thường trực), members[...]: the committee
- member_cuong: a committee member who is also the official Cường
- clerk: the committee office
- subject_user: the login of the official An, the usual subject of a proposal
- outsider: logs in, holds nothing

The usual proposal moves An (Phó Bí thư Thường trực Tú Lý, in the planning for Bí thư, not local
to Đồng Ruộng) to the vacant post of Phó Bí thư Thường trực Đồng Ruộng for 36 months: every
check passes.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
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
from personnel.roles import Actor
from workflow import services
from workflow.models import ProposalState, RotationProposal

S = ProposalState
TODAY = timezone.localdate()
SINCE = dt.date(2020, 10, 1)


def make_user(username, **extra):
    # No password: hashing is slow and the tests authenticate with force_authenticate.
    return get_user_model().objects.create_user(username=username, **extra)


def make_official(full_name, *, gender="male", born=dt.date(1985, 5, 1), **extra):
    return Official.objects.create(full_name=full_name, gender=gender, birth_date=born, **extra)


def build_world():
    w = SimpleNamespace()
    K = OrgUnit.Kind
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

    w.secretary = PositionTitle.objects.create(
        code="BT", name="Bí thư Đảng ủy", level=3, is_standing=True, requires_non_local=True
    )
    w.standing_deputy = PositionTitle.objects.create(
        code="PBT-TT", name="Phó Bí thư Thường trực Đảng ủy", level=2, is_standing=True
    )
    w.vice_chairman = PositionTitle.objects.create(code="PCT", name="Phó Chủ tịch UBND", level=1)

    w.pos = {}
    for unit, label in (
        (w.tuly, "xã Tú Lý"),
        (w.dongruong, "xã Đồng Ruộng"),
        (w.town, "thị trấn Đà Bắc"),
        (w.chiengchau, "xã Chiềng Châu"),
    ):
        for title in (w.secretary, w.standing_deputy, w.vice_chairman):
            w.pos[unit.code, title.code] = Position.objects.create(
                unit=unit, title=title, name=f"{title.name} {label}"
            )

    # People who log in.
    w.admin = get_user_model().objects.create_superuser(username="quantri", email="q@example.org")
    w.proposer = make_user("nguoi.de.xuat")
    w.proposer_tuly = make_user("de.xuat.tuly")
    w.board_head = make_user("truong.ban")
    w.reviewer = make_user("tham.dinh.a")
    w.reviewer_b = make_user("tham.dinh.b")
    w.chair = make_user("bi.thu")
    w.deputy = make_user("pho.bi.thu")
    w.member_cuong = make_user("uy.vien.cuong")
    w.clerk = make_user("van.phong")
    w.subject_user = make_user("can.bo.an")
    w.outsider = make_user("nguoi.ngoai")
    others = [make_user(f"uy.vien.{i:02d}") for i in range(1, 8)]

    # Officials.
    w.an = make_official("Nguyễn Văn An", hometown_unit=w.tuly, user=w.subject_user)
    w.binh = make_official("Lò Văn Bình", hometown_unit=w.maichau, user=w.reviewer_b)
    w.cuong = make_official("Đinh Công Cường", hometown_unit=w.chiengchau, user=w.member_cuong)
    w.dung = make_official("Xa Văn Dũng", hometown_unit=w.dongruong)
    w.hoa = make_official("Bùi Thị Hoa", gender="female", hometown_unit=w.maichau)
    w.an_post = Assignment.objects.create(
        official=w.an, position=w.pos["HB-DB-TL", "PBT-TT"], start=dt.date(2021, 1, 1)
    )
    w.binh_post = Assignment.objects.create(
        official=w.binh, position=w.pos["HB-DB-TL", "PCT"], start=dt.date(2021, 1, 1)
    )
    w.cuong_post = Assignment.objects.create(
        official=w.cuong, position=w.pos["HB-DB-TT", "PBT-TT"], start=dt.date(2021, 1, 1)
    )
    w.dung_post = Assignment.objects.create(
        official=w.dung, position=w.pos["HB-DB-TT", "PCT"], start=dt.date(2021, 1, 1)
    )
    w.hoa_post = Assignment.objects.create(
        official=w.hoa, position=w.pos["HB-DB-DR", "BT"], start=dt.date(2021, 1, 1)
    )
    w.target = w.pos["HB-DB-DR", "PBT-TT"]  # vacant

    w.committee = Committee.objects.create(
        name="Ban Thường vụ Huyện ủy Đà Bắc",
        unit=w.district,
        collective_name="BAN THƯỜNG VỤ HUYỆN ỦY",
        issuing_body_name="HUYỆN ỦY ĐÀ BẮC",
        superior_body_name="ĐẢNG BỘ TỈNH HÒA BÌNH",
        symbol="HU",
        place_name="Đà Bắc",
    )
    R = CommitteeMember.Role
    CommitteeMember.objects.create(committee=w.committee, user=w.chair, role=R.CHAIR, start=SINCE)
    CommitteeMember.objects.create(committee=w.committee, user=w.deputy, role=R.DEPUTY, start=SINCE)
    for user in [w.board_head, w.member_cuong, *others]:
        CommitteeMember.objects.create(committee=w.committee, user=user, start=SINCE)
    w.members = [w.chair, w.deputy, w.board_head, w.member_cuong, *others]
    assert len(w.members) == 11
    # A former member: not incumbent, never a voter.
    w.former = make_user("uy.vien.cu")
    CommitteeMember.objects.create(
        committee=w.committee, user=w.former, start=SINCE, end=TODAY - dt.timedelta(days=1)
    )

    w.board = Board.objects.create(committee=w.committee, name="Ban Tổ chức Huyện ủy")
    B = BoardMember.Role
    BoardMember.objects.create(board=w.board, user=w.board_head, role=B.HEAD, start=SINCE)
    BoardMember.objects.create(board=w.board, user=w.reviewer, role=B.MEMBER, start=SINCE)
    BoardMember.objects.create(board=w.board, user=w.reviewer_b, role=B.MEMBER, start=SINCE)
    BoardMember.objects.create(board=w.board, user=w.proposer, role=B.SPECIALIST, start=SINCE)
    CommitteeOfficeMember.objects.create(committee=w.committee, user=w.clerk, start=SINCE)
    ProposerScope.objects.create(
        committee=w.committee, user=w.proposer, unit=w.district, start=SINCE
    )
    ProposerScope.objects.create(
        committee=w.committee, user=w.proposer_tuly, unit=w.tuly, start=SINCE
    )

    w.term = Term.objects.create(
        name="hiện tại",
        kind=Term.Kind.PARTY,
        committee=w.committee,
        start=TODAY - dt.timedelta(days=700),
        end=TODAY + dt.timedelta(days=1000),
    )
    w.next_term = Term.objects.create(
        name="kế tiếp",
        kind=Term.Kind.PARTY,
        committee=w.committee,
        start=w.term.end + dt.timedelta(days=1),
        end=w.term.end + dt.timedelta(days=1826),
    )
    PlanningEntry.objects.create(official=w.an, title=w.secretary, term=w.term)
    return w


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def api():
    return APIClient()


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- Driving proposals ----------------------------------------------------------------------


def new_proposal(w, *, official=None, target=None, author=None, **fields):
    values = {
        "kind": "rotation",
        "effective_date": TODAY + dt.timedelta(days=30),
        "duration_months": 36,
        "rationale": "Đào tạo, thử thách cán bộ trong quy hoạch.",
    }
    values.update(fields)
    return services.proposal_create(
        actor=Actor.for_user(author or w.proposer),
        official=official or w.an,
        target_position=target or w.target,
        **values,
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


# The path through the states, and how to take each step with the usual personas.
PATH = [
    S.DRAFT,
    S.SUBMITTED,
    S.IN_REVIEW,
    S.ENDORSED,
    S.VOTING,
    S.APPROVED,
    S.ISSUED,
    S.IN_EFFECT,
    S.COMPLETED,
]


def advance(w, proposal, to_state):
    """Drive a proposal along the happy path with the services until it reaches `to_state`."""
    pid = proposal.pk
    proposal = RotationProposal.objects.get(pk=pid)
    state = proposal.state
    if state == to_state:
        return proposal
    if to_state in (S.REJECTED, S.WITHDRAWN, S.RETURNED, S.REVOKED):
        raise ValueError("advance follows the happy path only")
    steps = PATH[PATH.index(state) + 1 : PATH.index(to_state) + 1]
    for step in steps:
        if step == S.SUBMITTED:
            services.proposal_transition(
                "submit", proposal_id=pid, actor=Actor.for_user(proposal.author)
            )
        elif step == S.IN_REVIEW:
            services.proposal_transition(
                "start_review", proposal_id=pid, actor=Actor.for_user(w.reviewer)
            )
        elif step == S.ENDORSED:
            services.opinion_add(
                proposal_id=pid,
                actor=Actor.for_user(w.reviewer),
                opinion="endorse",
                comment="Đủ điều kiện.",
            )
            services.proposal_transition(
                "endorse", proposal_id=pid, actor=Actor.for_user(w.board_head)
            )
        elif step == S.VOTING:
            services.proposal_transition(
                "open_vote", proposal_id=pid, actor=Actor.for_user(w.chair)
            )
        elif step == S.APPROVED:
            cast_all(w, proposal, ["approve"] * 8)
            services.proposal_transition(
                "close_vote", proposal_id=pid, actor=Actor.for_user(w.chair)
            )
        elif step == S.ISSUED:
            services.proposal_transition(
                "issue_decision", proposal_id=pid, actor=Actor.for_user(w.clerk)
            )
        elif step == S.IN_EFFECT:
            services.proposal_transition("post", proposal_id=pid, actor=Actor.for_user(w.clerk))
        elif step == S.COMPLETED:
            services.proposal_transition(
                "end_rotation",
                proposal_id=pid,
                actor=Actor.for_user(w.board_head),
                outcome="returned",
            )
    proposal = RotationProposal.objects.get(pk=pid)
    assert proposal.state == to_state
    return proposal


@pytest.fixture
def proposal(world):
    return new_proposal(world)
