"""Who may do what to a proposal, in one place (SPEC §4).

Every check returns a Verdict: allowed or not, and why. The services raise on a refusal, the API
lists the transitions a user may take, and the web pages disable a button and show the reason.
Roles come from membership data only (committee, board, office, proposer scope, the login ↔
official link), never from a username. Checks are pure functions of an Actor (the user's roles,
read once) and the proposal row, so a page of proposals costs no extra queries.
"""

import datetime as dt
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.utils import timezone

from personnel.models import (
    BoardMember,
    CommitteeMember,
    CommitteeOfficeMember,
    Official,
    ProposerScope,
)
from personnel.selectors import unit_parent_map, unit_subtree_ids

from .models import ProposalKind, ProposalState, RotationProposal

S = ProposalState

STATE_VI = {
    S.DRAFT: "Dự thảo",
    S.SUBMITTED: "Đã trình",
    S.IN_REVIEW: "Đang thẩm định",
    S.RETURNED: "Trả lại bổ sung",
    S.ENDORSED: "Đã thẩm định, trình BTV",
    S.VOTING: "Đang biểu quyết",
    S.APPROVED: "BTV đã thông qua",
    S.REJECTED: "Không thông qua",
    S.WITHDRAWN: "Đã rút",
    S.ISSUED: "Đã ban hành quyết định",
    S.IN_EFFECT: "Đang có hiệu lực",
    S.COMPLETED: "Kết thúc luân chuyển",
    S.REVOKED: "Đã hủy quyết định",
}

# Transition name → (Vietnamese, English) for messages.
ACTION_LABELS = {
    "submit": ("trình đề xuất", "submit"),
    "withdraw": ("rút đề xuất", "withdraw"),
    "start_review": ("nhận thẩm định", "start the review"),
    "return_for_revision": ("trả lại bổ sung", "return for revision"),
    "endorse": ("thẩm định, trình Ban Thường vụ", "endorse"),
    "reject": ("không chấp thuận đề xuất", "reject"),
    "open_vote": ("mở biểu quyết", "open the vote"),
    "cancel_vote": ("hủy biểu quyết", "cancel the vote"),
    "close_vote": ("kết thúc biểu quyết", "close the vote"),
    "issue_decision": ("ban hành quyết định", "issue the decision"),
    "post": ("áp dụng quyết định", "apply the posting"),
    "end_rotation": ("kết thúc luân chuyển", "end the rotation"),
    "revoke": ("hủy quyết định", "revoke the decision"),
    "update": ("sửa đề xuất", "edit the proposal"),
    "opinion": ("ghi ý kiến thẩm định", "record an opinion"),
    "exception": ("cho phép ngoại lệ", "grant an exception"),
    "ballot": ("bỏ phiếu", "cast a ballot"),
}

# Verdict codes: which refusals are about state (HTTP 409) rather than role (HTTP 403).
WRONG_STATE = "wrong_state"
FORBIDDEN = "not_allowed"
SELF = "own_proposal"
AUTHOR = "author_conflict"
TOO_EARLY = "before_effective_date"
TOO_LATE = "after_effective_date"
STATE_CODES = {WRONG_STATE, TOO_EARLY, TOO_LATE, "not_applicable"}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""
    code: str = ""

    def __bool__(self):
        return self.allowed

    def __iter__(self):
        # `allowed, reason = can_submit(...)`
        return iter((self.allowed, self.reason))

    @property
    def is_state_problem(self) -> bool:
        return self.code in STATE_CODES


ALLOWED = Verdict(True)


def _deny(code: str, reason: str) -> Verdict:
    return Verdict(False, reason, code)


@dataclass
class Actor:
    """A user's roles on one day, read once. `user=None` is the system (the daily posting job)."""

    user: object | None
    day: dt.date
    official_id: int | None = None
    is_superuser: bool = False
    committee_roles: dict[int, str] = field(default_factory=dict)
    board_roles: dict[int, str] = field(default_factory=dict)
    office: set[int] = field(default_factory=set)
    # (committee id, unit id) of each proposer scope; the subtrees are worked out when needed.
    proposer_scopes: list[tuple[int, int]] = field(default_factory=list)
    _proposer_units: dict[int, set[int]] | None = None

    @property
    def proposer_units(self) -> dict[int, set[int]]:
        """Committee id → the units whose officials this user may propose moves for."""
        if self._proposer_units is None:
            self._proposer_units = {}
            if self.proposer_scopes:
                parents = unit_parent_map()
                for committee_id, unit_id in self.proposer_scopes:
                    self._proposer_units.setdefault(committee_id, set()).update(
                        unit_subtree_ids(unit_id, parents)
                    )
        return self._proposer_units

    @property
    def is_system(self) -> bool:
        return self.user is None

    @property
    def user_id(self):
        return None if self.user is None else self.user.pk

    def committee_ids(self) -> set[int]:
        """Committees whose proposals this user sees as a member of the committee, board or office."""
        return set(self.committee_roles) | set(self.board_roles) | self.office


_COMMITTEE_RANK = {
    CommitteeMember.Role.CHAIR: 3,
    CommitteeMember.Role.DEPUTY: 2,
    CommitteeMember.Role.MEMBER: 1,
}
_BOARD_RANK = {BoardMember.Role.HEAD: 3, BoardMember.Role.MEMBER: 2, BoardMember.Role.SPECIALIST: 1}


# The actor of the request being served (set by the API views), so that the services called
# by a view reuse the roles the view already read instead of reading them again.
CURRENT_ACTOR: ContextVar = ContextVar("workflow_current_actor", default=None)


def actor_for(user, *, day: dt.date | None = None) -> Actor:
    """Read the user's roles on `day` (default today): a handful of queries, whatever the page."""
    day = day or timezone.localdate()
    cached = CURRENT_ACTOR.get()
    if cached is not None and cached.user is user and cached.day == day and user is not None:
        return cached
    if user is None:
        return Actor(user=None, day=day)
    if not getattr(user, "is_authenticated", False):
        return Actor(user=user, day=day)
    actor = Actor(user=user, day=day, is_superuser=user.is_superuser)
    actor.official_id = (
        Official.objects.filter(user=user).order_by().values_list("id", flat=True).first()
    )
    for committee_id, role in (
        CommitteeMember.objects.active_on(day).filter(user=user).values_list("committee_id", "role")
    ):
        # If the data holds two memberships, the higher role counts.
        current = actor.committee_roles.get(committee_id)
        if current is None or _COMMITTEE_RANK.get(role, 0) > _COMMITTEE_RANK.get(current, 0):
            actor.committee_roles[committee_id] = role
    for committee_id, role in (
        BoardMember.objects.active_on(day)
        .filter(user=user)
        .values_list("board__committee_id", "role")
    ):
        current = actor.board_roles.get(committee_id)
        if current is None or _BOARD_RANK.get(role, 0) > _BOARD_RANK.get(current, 0):
            actor.board_roles[committee_id] = role
    actor.office = set(
        CommitteeOfficeMember.objects.active_on(day)
        .filter(user=user)
        .values_list("committee_id", flat=True)
    )
    actor.proposer_scopes = list(
        ProposerScope.objects.active_on(day)
        .filter(user=user)
        .values_list("committee_id", "unit_id")
    )
    return actor


# --- Role predicates ------------------------------------------------------------------------


def _is_chair(actor: Actor, committee_id: int) -> bool:
    return actor.committee_roles.get(committee_id) == CommitteeMember.Role.CHAIR


def _is_chair_or_deputy(actor: Actor, committee_id: int) -> bool:
    return actor.committee_roles.get(committee_id) in (
        CommitteeMember.Role.CHAIR,
        CommitteeMember.Role.DEPUTY,
    )


def _is_reviewer(actor: Actor, committee_id: int) -> bool:
    """Board members who appraise: the head and the members, not the specialists."""
    return actor.board_roles.get(committee_id) in (BoardMember.Role.HEAD, BoardMember.Role.MEMBER)


def _is_board_head(actor: Actor, committee_id: int) -> bool:
    return actor.board_roles.get(committee_id) == BoardMember.Role.HEAD


def _is_office(actor: Actor, committee_id: int) -> bool:
    return committee_id in actor.office


# --- Building blocks ------------------------------------------------------------------------

_SOURCES: dict[str, frozenset] = {}


def transition_sources(name: str) -> frozenset:
    """The states a transition starts from, read from the model's state machine."""
    if not _SOURCES:
        state_field = RotationProposal._meta.get_field("state")
        for t in state_field.get_all_transitions(RotationProposal):
            _SOURCES.setdefault(t.name, set()).add(t.source)
        for key, value in list(_SOURCES.items()):
            _SOURCES[key] = frozenset(value)
    return _SOURCES[name]


def state_refusal(proposal, action: str) -> Verdict:
    vi, en = ACTION_LABELS[action]
    state = proposal.state
    return _deny(
        WRONG_STATE,
        f"Đề xuất đang ở trạng thái «{STATE_VI.get(state, state)}», không thể {vi} "
        f"(the proposal is {state}; cannot {en}).",
    )


def _state_ok(proposal, action: str, sources=None) -> Verdict | None:
    if proposal.state not in (sources or transition_sources(action)):
        return state_refusal(proposal, action)
    return None


def _not_about_self(actor: Actor, proposal) -> Verdict | None:
    if actor.official_id is not None and actor.official_id == proposal.official_id:
        return _deny(
            SELF,
            "Không ai được xử lý đề xuất về chính mình "
            "(no one may act on a proposal about themselves).",
        )
    return None


def _not_author(actor: Actor, proposal, action: str) -> Verdict | None:
    if actor.user_id is not None and actor.user_id == proposal.author_id:
        vi, en = ACTION_LABELS[action]
        return _deny(
            AUTHOR,
            f"Người lập đề xuất không được {vi} đề xuất của mình "
            f"(the author cannot {en} on their own proposal).",
        )
    return None


def _role_refusal(vi_role: str, en_role: str, action: str) -> Verdict:
    vi, en = ACTION_LABELS[action]
    return _deny(FORBIDDEN, f"Chỉ {vi_role} mới được {vi} (only {en_role} may {en}).")


def _first(*checks):
    for verdict in checks:
        if verdict is not None:
            return verdict
    return ALLOWED


def _people_only(actor: Actor) -> Verdict | None:
    if actor.is_system:
        return _deny(FORBIDDEN, "Việc này cần một người thực hiện (a person must do this).")
    return None


# --- Visibility -----------------------------------------------------------------------------


def can_view(actor: Actor, proposal) -> bool:
    if actor.is_system or actor.is_superuser:
        return True
    if actor.user_id is None:
        return False
    return (
        proposal.author_id == actor.user_id
        or (actor.official_id is not None and proposal.official_id == actor.official_id)
        or proposal.committee_id in actor.committee_ids()
    )


# --- Proposing ------------------------------------------------------------------------------


def proposer_committee_ids(actor: Actor, unit_id: int | None) -> list[int]:
    """Committees in which the actor may propose moves of officials posted in `unit_id`."""
    if unit_id is None:
        return []
    return sorted(cid for cid, units in actor.proposer_units.items() if unit_id in units)


def can_create(actor: Actor, *, official_id: int, unit_id: int | None) -> Verdict:
    """May the actor propose a move of this official, whose current post is in `unit_id`?"""
    if actor.is_system:
        return _people_only(actor)
    if actor.official_id is not None and actor.official_id == official_id:
        return _deny(
            SELF, "Không ai được lập đề xuất về chính mình (no one may propose their own move)."
        )
    if not actor.proposer_scopes:
        return _deny(
            FORBIDDEN,
            "Bạn không có quyền lập đề xuất (you have no proposer scope).",
        )
    if not proposer_committee_ids(actor, unit_id):
        return _deny(
            FORBIDDEN,
            "Cán bộ này không thuộc phạm vi đề xuất của bạn "
            "(this official's current post is outside your proposer scope).",
        )
    return ALLOWED


def can_update(actor: Actor, proposal) -> Verdict:
    return _first(
        _state_ok(proposal, "update", frozenset({S.DRAFT, S.RETURNED})),
        _not_about_self(actor, proposal),
        None
        if actor.user_id == proposal.author_id and actor.user_id is not None
        else _role_refusal("người lập đề xuất", "the author", "update"),
    )


# --- Transitions ----------------------------------------------------------------------------


def _author_only(actor, proposal, action):
    return _first(
        _state_ok(proposal, action),
        _people_only(actor),
        _not_about_self(actor, proposal),
        None
        if actor.user_id == proposal.author_id
        else _role_refusal("người lập đề xuất", "the author", action),
    )


def can_submit(actor: Actor, proposal) -> Verdict:
    return _author_only(actor, proposal, "submit")


def can_withdraw(actor: Actor, proposal) -> Verdict:
    return _author_only(actor, proposal, "withdraw")


def _board(actor, proposal, action, *, head_only=False, sources=None):
    allowed_role = (
        _is_board_head(actor, proposal.committee_id)
        if head_only
        else _is_reviewer(actor, proposal.committee_id)
    )
    return _first(
        _state_ok(proposal, action, sources),
        _people_only(actor),
        _not_about_self(actor, proposal),
        _not_author(actor, proposal, action),
        None
        if allowed_role
        else (
            _role_refusal("Trưởng Ban Tổ chức", "the board head", action)
            if head_only
            else _role_refusal("thành viên Ban Tổ chức", "a board member", action)
        ),
    )


def can_start_review(actor: Actor, proposal) -> Verdict:
    return _board(actor, proposal, "start_review")


def can_return_for_revision(actor: Actor, proposal) -> Verdict:
    return _board(actor, proposal, "return_for_revision")


def can_endorse(actor: Actor, proposal) -> Verdict:
    """Role and state only; the service also requires an "endorse" opinion and no unexcepted
    error (workflow/services.py)."""
    return _board(actor, proposal, "endorse", head_only=True)


def can_reject(actor: Actor, proposal) -> Verdict:
    return _board(actor, proposal, "reject", head_only=True)


def can_add_opinion(actor: Actor, proposal) -> Verdict:
    return _board(actor, proposal, "opinion", sources=frozenset({S.IN_REVIEW}))


def can_grant_exception(actor: Actor, proposal) -> Verdict:
    return _board(
        actor,
        proposal,
        "exception",
        head_only=True,
        sources=frozenset({S.SUBMITTED, S.IN_REVIEW}),
    )


def can_open_vote(actor: Actor, proposal) -> Verdict:
    return _first(
        _state_ok(proposal, "open_vote"),
        _people_only(actor),
        _not_about_self(actor, proposal),
        None
        if _is_chair_or_deputy(actor, proposal.committee_id)
        else _role_refusal(
            "Bí thư hoặc Phó Bí thư Thường trực",
            "the committee chair or the standing deputy",
            "open_vote",
        ),
    )


def can_cancel_vote(actor: Actor, proposal) -> Verdict:
    return _first(
        _state_ok(proposal, "cancel_vote"),
        _people_only(actor),
        _not_about_self(actor, proposal),
        None
        if _is_chair(actor, proposal.committee_id)
        else _role_refusal("Bí thư (chủ trì)", "the committee chair", "cancel_vote"),
    )


def can_close_vote(actor: Actor, proposal) -> Verdict:
    # Closing settles a tie by the chair's casting decision, which is a vote: not for the author.
    return _first(
        _state_ok(proposal, "close_vote"),
        _people_only(actor),
        _not_about_self(actor, proposal),
        _not_author(actor, proposal, "close_vote"),
        None
        if _is_chair(actor, proposal.committee_id)
        else _role_refusal("Bí thư (chủ trì)", "the committee chair", "close_vote"),
    )


def can_issue_decision(actor: Actor, proposal) -> Verdict:
    return _first(
        _state_ok(proposal, "issue_decision"),
        _people_only(actor),
        _not_about_self(actor, proposal),
        None
        if _is_office(actor, proposal.committee_id)
        else _role_refusal("Văn phòng cấp ủy", "the committee office", "issue_decision"),
    )


def can_post(actor: Actor, proposal) -> Verdict:
    """The office, or the system on the effective date."""
    state = _state_ok(proposal, "post")
    if state is not None:
        return state
    if not actor.is_system:
        refusal = _first(
            _not_about_self(actor, proposal),
            None
            if _is_office(actor, proposal.committee_id)
            else _role_refusal("Văn phòng cấp ủy", "the committee office", "post"),
        )
        if not refusal:
            return refusal
    if actor.day < proposal.effective_date:
        return _deny(
            TOO_EARLY,
            f"Chưa đến ngày hiệu lực {proposal.effective_date:%d/%m/%Y} "
            f"(the effective date {proposal.effective_date:%Y-%m-%d} has not come yet).",
        )
    return ALLOWED


def can_end_rotation(actor: Actor, proposal) -> Verdict:
    verdict = _first(
        _state_ok(proposal, "end_rotation"),
        _people_only(actor),
        _not_about_self(actor, proposal),
        None
        if _is_board_head(actor, proposal.committee_id)
        else _role_refusal("Trưởng Ban Tổ chức", "the board head", "end_rotation"),
    )
    if verdict and proposal.kind == ProposalKind.TRANSFER:
        return _deny(
            "not_applicable",
            "Điều động không có thời hạn luân chuyển để kết thúc "
            "(a transfer has no rotation term to end).",
        )
    return verdict


def can_revoke(actor: Actor, proposal) -> Verdict:
    verdict = _first(
        _state_ok(proposal, "revoke"),
        _people_only(actor),
        _not_about_self(actor, proposal),
        None
        if _is_chair(actor, proposal.committee_id)
        else _role_refusal("Bí thư (chủ trì)", "the committee chair", "revoke"),
    )
    if verdict and actor.day >= proposal.effective_date:
        return _deny(
            TOO_LATE,
            "Chỉ hủy được quyết định trước ngày hiệu lực "
            "(a decision can be revoked only before its effective date).",
        )
    return verdict


def can_cast_ballot(actor: Actor, proposal, *, eligible: bool) -> Verdict:
    """`eligible`: the user is on the list of voters frozen when the vote opened."""
    return _first(
        _state_ok(proposal, "ballot", frozenset({S.VOTING})),
        _people_only(actor),
        _not_about_self(actor, proposal),
        _not_author(actor, proposal, "ballot"),
        None
        if eligible
        else _deny(
            FORBIDDEN,
            "Bạn không có tên trong danh sách biểu quyết của đề xuất này "
            "(you are not on this vote's list of eligible voters).",
        ),
    )


CHECKS = {
    "submit": can_submit,
    "withdraw": can_withdraw,
    "start_review": can_start_review,
    "return_for_revision": can_return_for_revision,
    "endorse": can_endorse,
    "reject": can_reject,
    "open_vote": can_open_vote,
    "cancel_vote": can_cancel_vote,
    "close_vote": can_close_vote,
    "issue_decision": can_issue_decision,
    "post": can_post,
    "end_rotation": can_end_rotation,
    "revoke": can_revoke,
}


TRANSITION_NAMES = tuple(CHECKS)


def check(name: str, actor: Actor, proposal) -> Verdict:
    return CHECKS[name](actor, proposal)


def allowed_transitions(actor: Actor, proposal) -> list[str]:
    """Names of the transitions this actor may take now (role, state and dates; the endorsement
    preconditions are checked when the action is taken)."""
    # Only the transitions that start from the current state are worth asking about.
    return [
        name
        for name, fn in CHECKS.items()
        if proposal.state in transition_sources(name) and fn(actor, proposal)
    ]
