"""Who may do what to a proposal, in one place (SPEC §4).

Every check returns a Verdict: allowed or not, and why (a code, a gettext message and its
params). The services raise on a refusal, the API lists the transitions a user may take, and the
web pages disable a button and show the reason. Transitions are checked from their declarations
(workflow/transitions.py): state, a person (or the system where allowed), not about oneself, not
the author where separation of duties says so, the role, then the entry's own check. Checks are
pure functions of an Actor (personnel.roles, the user's roles read once) and the proposal row, so
a page of proposals costs no extra queries.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lib.errors import NotAllowed, WrongState
from personnel.roles import Actor

from .states import ProposalState as S
from .transitions import BY_NAME, TRANSITIONS, Transition

# Who may act, by the role a transition declares: (holds it in committee id, the role in a
# refusal). "author" is the proposal's author; any other name (a voter) is checked by the caller.
ROLES = {
    "reviewer": (Actor.is_reviewer, _("a board member")),
    "board_head": (Actor.is_board_head, _("the board head")),
    "chair_or_deputy": (Actor.is_chair_or_deputy, _("the committee chair or the standing deputy")),
    "chair": (Actor.is_chair, _("the committee chair")),
    "office": (Actor.is_office, _("the committee office")),
}
AUTHOR = _("the author")


def role_committees(actor: Actor, who: str) -> set[int]:
    """The committees in which the actor holds the role `who` (for the inbox's querysets)."""
    holds = ROLES[who][0]
    return {cid for cid in actor.committee_ids() if holds(actor, cid)}


# The actions on a proposal that are not transitions, as refusals name them.
OTHER_ACTIONS = {
    "update": _("Edit the proposal"),
    "opinion": _("Record an appraisal opinion"),
    "exception": _("Grant an exception"),
    "ballot": _("Cast a ballot"),
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    message: str = ""
    code: str = ""
    params: dict = field(default_factory=dict)
    is_state_problem: bool = False

    def __bool__(self):
        return self.allowed

    @property
    def reason(self) -> str:
        """The message in the active language."""
        return str(self.message) % self.params if self.params else str(self.message)

    def raise_if_refused(self) -> None:
        if not self.allowed:
            error = WrongState if self.is_state_problem else NotAllowed
            raise error(self.message, code=self.code, params=self.params)


ALLOWED = Verdict(True)


def _deny(code, message, params=None, *, state=False) -> Verdict:
    return Verdict(False, message, code, params or {}, state)


def _label(action: str):
    return BY_NAME[action].button if action in BY_NAME else OTHER_ACTIONS[action]


def state_refusal(proposal, action: str) -> Verdict:
    return _deny(
        "wrong_state",
        _("The proposal is “%(state)s”: this cannot be done now (%(action)s)."),
        {"state": S(proposal.state).label, "action": _label(action)},
        state=True,
    )


def _common(actor: Actor, proposal, action: str, sources, who: str, *, author_may_act=True):
    """The checks every action on a proposal shares, in order; None when they pass. `who` not
    in ROLES (a voter) is checked by the caller."""
    if proposal.state not in sources:
        return state_refusal(proposal, action)
    if actor.is_system:
        return _deny("not_allowed", _("A person must do this."))
    if actor.official_id is not None and actor.official_id == proposal.official_id:
        return _deny("own_proposal", _("No one may act on a proposal about themselves."))
    if not author_may_act and actor.user_id is not None and actor.user_id == proposal.author_id:
        return _deny(
            "author_conflict",
            _("The author of a proposal may not do this (%(action)s)."),
            {"action": _label(action)},
        )
    if who == "author":
        allowed, role = actor.user_id is not None and actor.user_id == proposal.author_id, AUTHOR
    else:
        holds, role = ROLES.get(who, (None, None))
        allowed = holds is None or holds(actor, proposal.committee_id)
    if not allowed:
        return _deny(
            "not_allowed",
            _("Only %(role)s may do this (%(action)s)."),
            {"role": role, "action": _label(action)},
        )
    return None


def _or_allowed(verdict: Verdict | None) -> Verdict:
    return ALLOWED if verdict is None else verdict


def _refusal(refusal) -> Verdict:
    return _deny(refusal.code, refusal.message, refusal.params, state=refusal.state)


def check(name: str, actor: Actor, proposal) -> Verdict:
    """May the actor take the transition `name` now (role, state and dates; an action's own
    preconditions, such as the endorsement's opinions, are checked when it is taken)."""
    t: Transition = BY_NAME[name]
    if t.system_may_act and actor.is_system:
        verdict = None if proposal.state in t.sources else state_refusal(proposal, name)
    else:
        verdict = _common(actor, proposal, name, t.sources, t.who, author_may_act=t.author_may_act)
    if verdict is None and t.check is not None:
        refusal = t.check(actor, proposal)
        verdict = None if refusal is None else _refusal(refusal)
    return _or_allowed(verdict)


def allowed_transitions(actor: Actor, proposal) -> list[str]:
    """Names of the transitions this actor may take now."""
    return [
        t.name
        for t in TRANSITIONS
        if proposal.state in t.sources and check(t.name, actor, proposal)
    ]


# --- Visibility -----------------------------------------------------------------------------


def _visible_terms(actor: Actor) -> list[tuple[str, set]] | None:
    """The one visibility rule, as (field, allowed values) pairs of which one must hold: the
    author, the official concerned, the committee's members, board and office. None: all."""
    if actor.is_system or actor.is_superuser:
        return None
    if actor.user_id is None:
        return []
    terms = [("author_id", {actor.user_id}), ("committee_id", actor.committee_ids())]
    if actor.official_id is not None:
        terms.append(("official_id", {actor.official_id}))
    return terms


def can_view(actor: Actor, proposal) -> bool:
    """May the actor see this proposal (read from the row already loaded, no query)."""
    terms = _visible_terms(actor)
    return terms is None or any(getattr(proposal, name) in values for name, values in terms)


# A proposal the committee (or its board) has decided: from here on its subject reads the opinions.
DECIDED_STATES = frozenset({S.APPROVED, S.REJECTED, S.ISSUED, S.IN_EFFECT, S.COMPLETED, S.REVOKED})


def can_read_opinions(actor: Actor, proposal) -> bool:
    """The official a proposal is about reads the reviewers' named opinions on it only once it
    is decided (SPEC §11, need to know); everyone else who sees the proposal reads them."""
    return actor.official_id != proposal.official_id or proposal.state in DECIDED_STATES


def visible_q(actor: Actor) -> Q | None:
    """The same rule as a filter for the proposals the actor may see; None means all."""
    terms = _visible_terms(actor)
    if terms is None:
        return None
    q = Q(pk__in=[])
    for name, values in terms:
        q |= Q(**{f"{name}__in": values})
    return q


# --- Other actions --------------------------------------------------------------------------


def proposer_committee_ids(actor: Actor, unit_id: int | None) -> list[int]:
    """Committees in which the actor may propose moves of officials posted in `unit_id`."""
    if unit_id is None:
        return []
    return sorted(cid for cid, units in actor.proposer_units.items() if unit_id in units)


def can_create(actor: Actor, *, official_id: int, unit_id: int | None) -> Verdict:
    """May the actor propose a move of this official, whose current post is in `unit_id`?"""
    if actor.is_system:
        return _deny("not_allowed", _("A person must do this."))
    if actor.official_id is not None and actor.official_id == official_id:
        return _deny("own_proposal", _("No one may propose their own move."))
    if not actor.proposer_scopes:
        return _deny("not_allowed", _("You have no proposer scope."))
    if not proposer_committee_ids(actor, unit_id):
        return _deny(
            "not_allowed", _("This official's current post is outside your proposer scope.")
        )
    return ALLOWED


def can_update(actor: Actor, proposal) -> Verdict:
    return _or_allowed(_common(actor, proposal, "update", (S.DRAFT, S.RETURNED), "author"))


def can_add_opinion(actor: Actor, proposal) -> Verdict:
    return _or_allowed(
        _common(actor, proposal, "opinion", (S.IN_REVIEW,), "reviewer", author_may_act=False)
    )


def can_grant_exception(actor: Actor, proposal) -> Verdict:
    sources = (S.SUBMITTED, S.IN_REVIEW)
    return _or_allowed(
        _common(actor, proposal, "exception", sources, "board_head", author_may_act=False)
    )


def can_cast_ballot(actor: Actor, proposal, *, eligible: bool) -> Verdict:
    """`eligible`: the user is on the list of voters frozen when the vote opened."""
    verdict = _common(actor, proposal, "ballot", (S.VOTING,), "voter", author_may_act=False)
    if verdict is None and not eligible:
        return _deny("not_allowed", _("You are not on this vote's list of eligible voters."))
    return _or_allowed(verdict)
