"""Each transition of a proposal, declared once (SPEC §4), as data.

An entry says where the transition starts and ends, who may take it, whether a comment is
required, what the pages call it, and which extra check it has. The model's state machine
(workflow/models.py) takes its sources and targets from here; permissions, the service
dispatcher, the pages, the API, the inbox and the history read the same entries; the state
diagram may read `TRANSITIONS` (name, sources, target, label). Adding a transition is one entry,
a method on the model (what it sets), and, when it has real work, a function in
workflow/services.py `EFFECTS`.
"""

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .states import ProposalKind
from .states import ProposalState as S


@dataclass(frozen=True)
class Refusal:
    """Why a transition cannot be taken now; `state` refusals are HTTP 409, others 403."""

    code: str
    message: str
    params: dict
    state: bool = True


def _effective_date_reached(actor, proposal):
    if actor.day < proposal.effective_date:
        return Refusal(
            "before_effective_date",
            _("The effective date %(date)s has not come yet."),
            {"date": date_format(proposal.effective_date, "SHORT_DATE_FORMAT")},
        )
    return None


def _has_a_term(actor, proposal):
    if proposal.kind == ProposalKind.TRANSFER:
        return Refusal("not_applicable", _("A transfer has no rotation term to end."), {})
    return None


def _before_effective_date(actor, proposal):
    if actor.day >= proposal.effective_date:
        return Refusal(
            "after_effective_date",
            _("A decision can be revoked only before its effective date."),
            {},
        )
    return None


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: tuple[str, ...]  # the state reached; close_vote reaches one of two
    who: str  # a role of workflow.permissions.ROLES
    label: str  # the diagram's arrow: a word or two
    button: str  # the button and the confirmation page's title
    help: str  # why the confirmation page asks what it asks
    done: str  # the message after the action
    history: str  # the history line, in the past tense
    comment_required: bool = False
    negative: bool = False  # ends or undoes something: drawn as a secondary button
    author_may_act: bool = True  # False: the author of the proposal may not take it
    system_may_act: bool = False  # the daily job may take it (no role needed)
    check: object = None  # (actor, proposal) → Refusal | None, after the role
    params: tuple[str, ...] = ()  # what the action takes from the request besides a comment


TRANSITIONS = (
    Transition(
        "submit",
        (S.DRAFT, S.RETURNED),
        (S.SUBMITTED,),
        "author",
        pgettext_lazy("transition", "submit"),
        _("Submit the proposal"),
        _("The organisation board will appraise the proposal. You cannot edit it meanwhile."),
        _("The proposal was submitted to the organisation board."),
        _("Submitted the proposal"),
    ),
    Transition(
        "withdraw",
        (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.RETURNED),
        (S.WITHDRAWN,),
        "author",
        pgettext_lazy("transition", "withdraw"),
        _("Withdraw the proposal"),
        _("A withdrawn proposal cannot be reopened. Say why it is withdrawn."),
        _("The proposal was withdrawn."),
        _("Withdrew the proposal"),
        comment_required=True,
        negative=True,
    ),
    Transition(
        "start_review",
        (S.SUBMITTED,),
        (S.IN_REVIEW,),
        "reviewer",
        pgettext_lazy("transition", "start appraisal"),
        _("Start the appraisal"),
        _("You become the reviewer: the proposal moves to appraisal."),
        _("You are now the reviewer of this proposal."),
        _("Started the appraisal"),
        author_may_act=False,
    ),
    Transition(
        "return_for_revision",
        (S.SUBMITTED, S.IN_REVIEW),
        (S.RETURNED,),
        "reviewer",
        pgettext_lazy("transition", "return"),
        _("Return for revision"),
        _("The author gets the proposal back to revise and submit again. Say what must change."),
        _("The proposal was returned to its author for revision."),
        _("Returned it for revision"),
        comment_required=True,
        negative=True,
        author_may_act=False,
    ),
    Transition(
        "endorse",
        (S.IN_REVIEW,),
        (S.ENDORSED,),
        "board_head",
        pgettext_lazy("transition", "endorse"),
        _("Endorse to the Standing Committee"),
        _(
            "The proposal goes to the Standing Committee with its checklist and exceptions as "
            "they are now. At least one “endorse” opinion is needed, and every failed error "
            "check needs an exception."
        ),
        _("The proposal was endorsed to the Standing Committee."),
        _("Endorsed it to the Standing Committee"),
        author_may_act=False,
    ),
    Transition(
        "reject",
        (S.SUBMITTED, S.IN_REVIEW),
        (S.REJECTED,),
        "board_head",
        pgettext_lazy("transition", "reject"),
        _("Reject the proposal"),
        _("The proposal ends here. Say why it is rejected."),
        _("The proposal was rejected."),
        _("Rejected the proposal"),
        comment_required=True,
        negative=True,
        author_may_act=False,
    ),
    Transition(
        "open_vote",
        (S.ENDORSED,),
        (S.VOTING,),
        "chair_or_deputy",
        pgettext_lazy("transition", "open vote"),
        _("Open the vote"),
        _(
            "The list of members who may vote is frozen now: the incumbent members, less the "
            "official concerned and the author."
        ),
        _("The vote is open."),
        _("Opened the vote"),
    ),
    Transition(
        "cancel_vote",
        (S.VOTING,),
        (S.ENDORSED,),
        "chair",
        pgettext_lazy("transition", "cancel vote"),
        _("Cancel the vote"),
        _("The ballots cast so far are discarded. Say why the vote is cancelled."),
        _("The vote was cancelled; its ballots were discarded."),
        _("Cancelled the vote"),
        comment_required=True,
        negative=True,
    ),
    Transition(
        # Closing settles a tie by the chair's casting decision, which is a vote: not the author.
        "close_vote",
        (S.VOTING,),
        (S.APPROVED, S.REJECTED),
        "chair",
        pgettext_lazy("transition", "close vote"),
        _("Close the vote"),
        _(
            "The ballots are counted. The proposal passes when approvals are more than half of "
            "all incumbent members; at exactly half you decide."
        ),
        _("The vote is closed."),
        _("Closed the vote"),
        author_may_act=False,
        params=("casting",),
    ),
    Transition(
        "issue_decision",
        (S.APPROVED,),
        (S.ISSUED,),
        "office",
        pgettext_lazy("transition", "issue"),
        _("Issue the decision"),
        _(
            "The decision takes the next number of the term; its PDF is made in the background "
            "and delivered to the official and the units concerned."
        ),
        _("The decision was issued; its PDF is being prepared."),
        _("Issued the decision"),
        params=("signer", "issued_on"),
    ),
    Transition(
        "post",
        (S.ISSUED,),
        (S.IN_EFFECT,),
        "office",
        pgettext_lazy("transition", "put into effect"),
        _("Put the decision into effect"),
        _(
            "The official's current post ends the day before the effective date and the new "
            "post starts on it."
        ),
        _("The decision is in effect."),
        _("Put the decision into effect"),
        system_may_act=True,
        check=_effective_date_reached,
    ),
    Transition(
        "end_rotation",
        (S.IN_EFFECT,),
        (S.COMPLETED,),
        "board_head",
        pgettext_lazy("transition", "end"),
        _("End the rotation"),
        _("Record where the official goes at the end of the rotation."),
        _("The rotation has ended."),
        _("Ended the rotation"),
        check=_has_a_term,
        params=("outcome",),
    ),
    Transition(
        "revoke",
        (S.ISSUED,),
        (S.REVOKED,),
        "chair",
        pgettext_lazy("transition", "revoke"),
        _("Revoke the decision"),
        _("The decision is revoked before its effective date. Say why."),
        _("The decision was revoked."),
        _("Revoked the decision"),
        comment_required=True,
        negative=True,
        check=_before_effective_date,
    ),
)

BY_NAME = {t.name: t for t in TRANSITIONS}
NAMES = tuple(BY_NAME)


def fsm(name: str) -> dict:
    """The `source` and `target` of the model's django-fsm transition `name`."""
    from django_fsm import RETURN_VALUE

    t = BY_NAME[name]
    return {
        "source": list(t.sources),
        "target": t.target[0] if len(t.target) == 1 else RETURN_VALUE(*t.target),
    }
