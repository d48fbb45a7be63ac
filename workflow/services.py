"""Writes on a rotation proposal (SPEC §4): drafting, opinions, exceptions, ballots, and the
transitions declared in workflow/transitions.py, taken by `proposal_transition` in one shared
sequence; an action with real work has its function in EFFECTS.

Every write runs in one transaction: lock the proposal row (select_for_update), check the
state and the actor's role and separation of duties (workflow/permissions.py, because django-fsm
does not enforce `permission=`), call the transition method, save, append the audit event. A
concurrent loser waits on the lock, then finds the state changed and gets Conflict (HTTP 409).
Background work is queued only with transaction.on_commit (decision_issue queues its render).

Services take keyword-only arguments and model instances (or ids where named `*_id`), and the
`actor` (personnel.roles.Actor) whose roles were read once for the request; `Actor.system()` is
the daily posting job.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from audit.services import audit_append
from documents.services import decision_issue, minutes_render, submission_render
from lib.text import clean_text
from personnel.models import Committee, CommitteeMember, Official
from personnel.roles import signer_for
from personnel.selectors import unit_subtree_ids

from . import ballots, eligibility, permissions
from .errors import Conflict, Invalid, NotAllowed, NotFound
from .models import (
    BallotReceipt,
    EligibilityException,
    EligibleVoter,
    Opinion,
    ProposalKind,
    RotationOutcome,
    RotationProposal,
    VoteRound,
)
from .permissions import Actor
from .postings import posting_apply
from .transitions import BY_NAME, NAMES

MAX_DURATION_MONTHS = 240
# Effective dates outside this range are typing mistakes, not decisions.
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
# How many days before today a new or edited effective date may lie (none: today at the earliest).
PAST_GRACE_DAYS = 0
_UNSET = object()

# --- Helpers --------------------------------------------------------------------------------


def _lock(proposal_id, actor: Actor) -> RotationProposal:
    """Lock the proposal row for this transaction; 404 when it does not exist or is not visible."""
    try:
        proposal_id = int(proposal_id)
    except (TypeError, ValueError):
        raise NotFound()
    # The bare row: a join would lock (and make PostgreSQL plan) more than needed; the few
    # related rows an action reads are fetched by key when it reads them.
    proposal = RotationProposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None or not permissions.can_view(actor, proposal):
        raise NotFound()
    return proposal


def _require_comment(comment, action: str) -> str:
    comment = clean_text(comment, label=_("Comment"))
    if not comment:
        raise Invalid(
            _("A comment is required (%(action)s)."),
            code="comment_required",
            params={"action": permissions.OTHER_ACTIONS[action]},
        )
    return comment


def _save(proposal) -> None:
    try:
        proposal.save()
    except ConcurrentTransition:
        raise Conflict()


def _record(proposal, *, actor: Actor, action: str, from_state: str, comment="", data=None):
    """Append the audit event of what the actor did, in the caller's transaction."""
    audit_append(
        action=action,
        actor=actor.user,
        proposal=proposal,
        from_state=from_state,
        to_state=proposal.state,
        comment=comment,
        data=data or {},
    )


def _enforce_data_checks(proposal) -> None:
    """Broken data is refused at once: the current post and the single open proposal (SPEC §3)."""
    ctx = eligibility._Context()
    for check in (eligibility.check_current_assignment, eligibility.check_single_open_proposal):
        result = check(proposal, ctx)
        if not result.ok:
            raise Invalid(result.message, code=result.code)


def _texts(rationale, justification) -> tuple[str, str]:
    """The proposal's free texts, stripped and checked (length, characters)."""
    return (
        clean_text(rationale, label=_("Rationale")),
        clean_text(justification, label=_("Justification for a higher post")),
    )


def _check_not_past(effective_date, actor: Actor) -> None:
    """A proposal takes effect today at the earliest: a date in the past is a typing mistake or
    a move that already happened, which is not proposed but recorded."""
    if effective_date < actor.day - dt.timedelta(days=PAST_GRACE_DAYS):
        raise Invalid(
            _(
                "The effective date %(date)s is in the past: a proposal takes effect on "
                "%(today)s at the earliest."
            ),
            code="date_in_past",
            params={
                "date": date_format(effective_date, "SHORT_DATE_FORMAT"),
                "today": date_format(actor.day, "SHORT_DATE_FORMAT"),
            },
        )


def _validate_fields(*, kind, effective_date, duration_months, rationale) -> None:
    if kind not in ProposalKind.values:
        raise Invalid(_("The kind must be rotation, transfer or secondment."), code="invalid_kind")
    if not isinstance(effective_date, dt.date) or isinstance(effective_date, dt.datetime):
        raise Invalid(_("The effective date is not valid."), code="invalid_date")
    if not EARLIEST <= effective_date <= LATEST:
        raise Invalid(
            _("The effective date must be between %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={"earliest": EARLIEST.year, "latest": LATEST.year},
        )
    if duration_months is not None and (
        isinstance(duration_months, bool)
        or not isinstance(duration_months, int)
        or not 1 <= duration_months <= MAX_DURATION_MONTHS
    ):
        raise Invalid(
            _("The duration must be 1 to %(max)s months."),
            code="invalid_duration",
            params={"max": MAX_DURATION_MONTHS},
        )
    if not (rationale or "").strip():
        raise Invalid(_("A rationale is required."), code="rationale_required")


def _check_target(proposal) -> None:
    target = proposal.target_position
    if proposal.from_assignment is not None and proposal.from_assignment.position_id == target.pk:
        raise Invalid(_("The target post is the current post."), code="same_position")
    if target.unit_id not in unit_subtree_ids(proposal.committee.unit_id):
        raise Invalid(
            _("The post %(post)s is outside the area of %(committee)s."),
            code="target_outside_committee",
            params={"post": target.name, "committee": proposal.committee.name},
        )


def _resolve_from_assignment(official, effective_date):
    assignment = eligibility.resolve_from_assignment(official, effective_date)
    if assignment is None:
        raise Invalid(
            _("%(name)s holds no post on the effective date %(date)s."),
            code="current_assignment",
            params={
                "name": official.full_name,
                "date": date_format(effective_date, "SHORT_DATE_FORMAT"),
            },
        )
    return assignment


# --- Drafting -------------------------------------------------------------------------------


def proposal_create(
    *,
    actor: Actor,
    official: Official,
    kind: str,
    target_position,
    effective_date: dt.date,
    rationale: str,
    duration_months: int | None = None,
    higher_post_justification: str = "",
    committee=None,
    backdated: bool = False,
) -> RotationProposal:
    """A proposer drafts the move of one official, inside their proposer scope. The effective
    date is today or later, unless `backdated` (a past move recorded as it happened: the demo's
    history)."""
    rationale, higher_post_justification = _texts(rationale, higher_post_justification)
    _validate_fields(
        kind=kind,
        effective_date=effective_date,
        duration_months=duration_months,
        rationale=rationale,
    )
    from_assignment = _resolve_from_assignment(official, effective_date)
    if not backdated:
        _check_not_past(effective_date, actor)
    unit_id = from_assignment.position.unit_id
    permissions.can_create(actor, official_id=official.pk, unit_id=unit_id).raise_if_refused()
    committee_ids = permissions.proposer_committee_ids(actor, unit_id)
    if committee is not None:
        if committee.pk not in committee_ids:
            raise NotAllowed(
                _("You may not propose to %(committee)s."),
                code="not_allowed",
                params={"committee": committee.name},
            )
    else:
        committee = Committee.objects.get(pk=committee_ids[0])
    proposal = RotationProposal(
        committee=committee,
        kind=kind,
        official=official,
        from_assignment=from_assignment,
        target_position=target_position,
        effective_date=effective_date,
        duration_months=duration_months,
        planned_end=eligibility.planned_end_for(effective_date, duration_months),
        rationale=rationale,
        higher_post_justification=higher_post_justification,
        author=actor.user,
    )
    _check_target(proposal)
    with transaction.atomic():
        _enforce_data_checks(proposal)
        try:
            with transaction.atomic():
                proposal.save(force_insert=True)
        except IntegrityError:
            # Another draft for this official committed between the check and the insert.
            raise Invalid(
                _("The official already has an open proposal."), code="single_open_proposal"
            )
        audit_append(
            action="create",
            actor=actor.user,
            proposal=proposal,
            to_state=proposal.state,
            data=_describe(proposal),
        )
    return proposal


def _describe(proposal) -> dict:
    return {
        "kind": proposal.kind,
        "official": proposal.official_id,
        "from_assignment": proposal.from_assignment_id,
        "target_position": proposal.target_position_id,
        "effective_date": proposal.effective_date,
        "duration_months": proposal.duration_months,
        "planned_end": proposal.planned_end,
    }


def proposal_update(
    *,
    proposal_id,
    actor: Actor,
    kind=_UNSET,
    target_position=_UNSET,
    effective_date=_UNSET,
    duration_months=_UNSET,
    rationale=_UNSET,
    higher_post_justification=_UNSET,
) -> RotationProposal:
    """The author edits a draft or a returned proposal (PATCH: only the fields given)."""
    changes = {
        name: value
        for name, value in (
            ("kind", kind),
            ("target_position", target_position),
            ("effective_date", effective_date),
            ("duration_months", duration_months),
            ("rationale", rationale),
            ("higher_post_justification", higher_post_justification),
        )
        if value is not _UNSET
    }
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        permissions.can_update(actor, proposal).raise_if_refused()
        for name, value in changes.items():
            setattr(proposal, name, value)
        proposal.rationale, proposal.higher_post_justification = _texts(
            proposal.rationale, proposal.higher_post_justification
        )
        _validate_fields(
            kind=proposal.kind,
            effective_date=proposal.effective_date,
            duration_months=proposal.duration_months,
            rationale=proposal.rationale,
        )
        if "effective_date" in changes:
            proposal.from_assignment = _resolve_from_assignment(
                proposal.official, proposal.effective_date
            )
            _check_not_past(proposal.effective_date, actor)
        proposal.planned_end = eligibility.planned_end_for(
            proposal.effective_date, proposal.duration_months
        )
        _check_target(proposal)
        _enforce_data_checks(proposal)
        _save(proposal)
        _record(
            proposal,
            actor=actor,
            action="update",
            from_state=proposal.state,
            data={"changed": sorted(changes), **_describe(proposal)},
        )
    return proposal


# --- Transitions ----------------------------------------------------------------------------


@dataclass
class Work:
    """What an action with real work hands the shared sequence: the arguments of the model's
    transition method, the audit data, and what to do once the proposal is saved (`then`, its
    result joins the audit data) and once the event is recorded (`last`)."""

    kwargs: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    then: Callable | None = None
    last: Callable | None = None


def proposal_transition(
    name: str, *, proposal_id, actor: Actor, comment="", **params
) -> RotationProposal:
    """Take the transition `name` (workflow/transitions.py) in one transaction: lock the row,
    check the declaration (state, role, separation of duties, its own check), the comment, run
    the action's work (EFFECTS), move the state, save and append the audit event. A concurrent
    loser waits on the lock, then finds the state changed (409). `params`: what the entry
    declares (casting, signer, issued_on, outcome); others are ignored."""
    t = BY_NAME.get(name)
    if t is None:
        raise Invalid(
            _("No such action “%(name)s”; the actions are: %(names)s."),
            code="unknown_transition",
            params={"name": name, "names": ", ".join(NAMES)},
        )
    comment = clean_text(comment, label=_("Comment"))
    params = {k: v for k, v in params.items() if k in t.params and v not in (None, "")}
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        permissions.check(name, actor, proposal).raise_if_refused()
        if t.comment_required and not comment:
            raise Invalid(
                _("A comment is required (%(action)s)."),
                code="comment_required",
                params={"action": t.button},
            )
        work = EFFECTS[name](proposal, actor, **params) if name in EFFECTS else Work()
        before = proposal.state
        try:
            getattr(proposal, name)(**work.kwargs)
        except TransitionNotAllowed:  # the check compared states already; this guards drift
            permissions.state_refusal(proposal, name).raise_if_refused()
        _save(proposal)
        data = {**work.data, **(work.then(proposal) if work.then else {})}
        _record(proposal, actor=actor, action=name, from_state=before, comment=comment, data=data)
        if work.last:
            work.last()
    return proposal


def _submit(proposal, actor) -> Work:
    _enforce_data_checks(proposal)
    return Work()


def _start_review(proposal, actor) -> Work:
    """The board member who takes the proposal becomes its reviewer."""
    return Work(kwargs={"reviewer": actor.user})


def _endorse(proposal, actor) -> Work:
    """At least one "endorse" opinion and no error left unexcepted; the checklist and exceptions
    are stored as what the committee saw, and the board's submission is rendered after commit."""
    if not proposal.opinions.filter(opinion=Opinion.Choice.ENDORSE).exists():
        raise Conflict(
            _("At least one “endorse” opinion is needed before endorsing."),
            code="endorse_opinion_required",
        )
    exceptions = list(proposal.exceptions.select_related("granted_by").order_by("id"))
    results = eligibility.evaluate(proposal, exceptions={e.code for e in exceptions})
    blocking = eligibility.blocking_errors(results)
    if blocking:
        raise Conflict(
            _("Checks failed without an exception block the endorsement: %(codes)s."),
            code="eligibility_errors",
            params={"codes": ", ".join(r.code for r in blocking)},
        )
    return Work(
        kwargs={"snapshot": eligibility.snapshot(proposal, results, exceptions)},
        data={"exceptions": [e.code for e in exceptions]},
        last=lambda: submission_render(proposal),
    )


def opinion_add(*, proposal_id, actor: Actor, opinion: str, comment: str) -> Opinion:
    """A board member records an appraisal opinion (endorse, revise, oppose) with a comment."""
    if opinion not in Opinion.Choice.values:
        raise Invalid(
            _("The opinion must be endorse, revise or oppose."),
            code="invalid_opinion",
        )
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        permissions.can_add_opinion(actor, proposal).raise_if_refused()
        comment = _require_comment(comment, "opinion")
        # One opinion per member and review round (a return for revision starts a new round);
        # the proposal row is locked, the constraint guards whatever bypasses this service.
        review_round = proposal.events.filter(action="start_review").count()
        try:
            with transaction.atomic():
                record = Opinion.objects.create(
                    proposal=proposal,
                    author=actor.user,
                    review_round=review_round,
                    opinion=opinion,
                    comment=comment,
                )
        except IntegrityError:
            raise Conflict(
                _("You have already given your opinion in this review round."),
                code="opinion_exists",
            )
        audit_append(
            action="opinion",
            actor=actor.user,
            proposal=proposal,
            from_state=proposal.state,
            to_state=proposal.state,
            comment=comment,
            data={"opinion": opinion, "opinion_id": record.pk},
        )
    return record


def exception_grant(
    *, proposal_id, actor: Actor, code: str, justification: str
) -> EligibilityException:
    """The board head lifts one error check for endorsement, with a written justification."""
    if code not in eligibility.EXCEPTABLE_CODES:
        raise Invalid(
            _("An exception is possible only for these checks: %(codes)s."),
            code="invalid_exception_code",
            params={"codes": ", ".join(eligibility.EXCEPTABLE_CODES)},
        )
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        permissions.can_grant_exception(actor, proposal).raise_if_refused()
        justification = clean_text(justification, label=_("Justification"))
        if not justification:
            raise Invalid(
                _("A justification is required."),
                code="justification_required",
            )
        if proposal.exceptions.filter(code=code).exists():
            raise Conflict(
                _("An exception for the check %(code)s exists already."),
                code="exception_exists",
                params={"code": code},
            )
        record = EligibilityException.objects.create(
            proposal=proposal, code=code, justification=justification, granted_by=actor.user
        )
        audit_append(
            action="exception",
            actor=actor.user,
            proposal=proposal,
            from_state=proposal.state,
            to_state=proposal.state,
            comment=justification,
            data={"code": code},
        )
    return record


# --- The vote -------------------------------------------------------------------------------


def _incumbent_users(committee, day):
    return list(
        CommitteeMember.objects.active_on(day)
        .filter(committee=committee)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _open_round(proposal) -> VoteRound:
    vote_round = proposal.vote_rounds.filter(status=VoteRound.Status.OPEN).first()
    if vote_round is None:
        raise Conflict(_("There is no open vote."), code="no_open_vote")
    return vote_round


def _open_vote(proposal, actor) -> Work:
    """Open the secret ballot; freeze the voters: incumbent members less the subject and author."""
    committee = proposal.committee
    incumbent = _incumbent_users(committee, actor.day)
    excluded = {proposal.author_id, proposal.official.user_id}
    voters = [uid for uid in incumbent if uid not in excluded]
    quorum = ballots.quorum_needed(
        len(incumbent), committee.quorum_numerator, committee.quorum_denominator
    )
    if not incumbent or len(voters) < quorum:
        raise Conflict(
            _("Not enough members may vote to reach the quorum (%(voters)s < %(quorum)s)."),
            code="quorum_unreachable",
            params={"voters": len(voters), "quorum": quorum},
        )
    vote_round = VoteRound.objects.create(
        proposal=proposal, opened_by=actor.user, incumbent_count=len(incumbent), quorum=quorum
    )
    EligibleVoter.objects.bulk_create([EligibleVoter(round=vote_round, user_id=u) for u in voters])
    return Work(
        data={
            "round": vote_round.pk,
            "incumbent": len(incumbent),
            "eligible": len(voters),
            "quorum": quorum,
        }
    )


def ballot_cast(*, proposal_id, actor: Actor, choice: str) -> None:
    """An eligible member casts one secret ballot. The audit records the receipt, never the choice."""
    if choice not in ballots.CHOICES:
        raise Invalid(
            _("The ballot must be approve, disapprove or abstain."),
            code="invalid_choice",
        )
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        vote_round = proposal.vote_rounds.filter(status=VoteRound.Status.OPEN).first()
        eligible = (
            vote_round is not None
            and actor.user is not None
            and EligibleVoter.objects.filter(round=vote_round, user=actor.user).exists()
        )
        permissions.can_cast_ballot(actor, proposal, eligible=eligible).raise_if_refused()
        if BallotReceipt.objects.filter(round=vote_round, user=actor.user).exists():
            raise Conflict(_("You have already voted."), code="already_voted")
        try:
            with transaction.atomic():
                ballots.ballot_record(round=vote_round, user=actor.user, choice=choice)
        except IntegrityError:
            raise Conflict(_("You have already voted."), code="already_voted")
        audit_append(
            action="ballot_receipt",
            actor=actor.user,
            proposal=proposal,
            from_state=proposal.state,
            to_state=proposal.state,
            data={"round": vote_round.pk},
        )


def _cancel_vote(proposal, actor) -> Work:
    """The chair cancels the vote: receipts and ballots of the round are discarded."""
    vote_round = _open_round(proposal)
    ballots.ballots_discard(round=vote_round)
    vote_round.status = VoteRound.Status.CANCELLED
    vote_round.closed_at = timezone.now()
    vote_round.save(update_fields=["status", "closed_at"])
    return Work(data={"round": vote_round.pk})


def _close_vote(proposal, actor, *, casting: str | None = None) -> Work:
    """The chair closes the vote. Quorum: ballots cast ≥ ⌈incumbent × policy fraction⌉. Pass:
    approvals > half of all incumbent members; at exactly half the chair's casting decision
    settles it and is recorded. The minutes (counts only) are rendered after commit."""
    vote_round = _open_round(proposal)
    cast = BallotReceipt.objects.filter(round=vote_round).count()
    if cast < vote_round.quorum:
        raise Conflict(
            _("The quorum is not met: %(cast)s ballots cast, at least %(quorum)s needed."),
            code="quorum_not_met",
            params={"cast": cast, "quorum": vote_round.quorum},
        )
    tally = ballots.ballots_unseal_and_shuffle(round=vote_round)
    if tally.cast != cast:
        # Receipts and ballots are written together; a mismatch means tampering.
        raise Conflict(_("The ballots and the receipts do not match."), code="ballot_mismatch")
    incumbent = vote_round.incumbent_count
    casting_choice = ""
    if tally.approve * 2 == incumbent:
        if casting not in ("approve", "disapprove"):
            raise Invalid(
                _(
                    "Approvals are exactly half (%(approve)s/%(incumbent)s): the chair's casting "
                    "decision (approve or disapprove) is required."
                ),
                code="casting_required",
                params={"approve": tally.approve, "incumbent": incumbent},
            )
        casting_choice = casting
        passed = casting == "approve"
    else:
        passed = tally.approve >= ballots.majority_needed(incumbent)
    vote_round.status = VoteRound.Status.CLOSED
    vote_round.closed_at = timezone.now()
    vote_round.approve_count = tally.approve
    vote_round.disapprove_count = tally.disapprove
    vote_round.abstain_count = tally.abstain
    vote_round.casting_choice = casting_choice
    vote_round.passed = passed
    vote_round.save()
    return Work(
        kwargs={"passed": passed},
        data={
            "round": vote_round.pk,
            "incumbent": incumbent,
            "quorum": vote_round.quorum,
            "cast": cast,
            "approve": tally.approve,
            "disapprove": tally.disapprove,
            "abstain": tally.abstain,
            "casting": casting_choice,
            "passed": passed,
        },
        last=lambda: minutes_render(vote_round),
    )


# --- Decision, posting, end -----------------------------------------------------------------


def _issue_decision(proposal, actor, *, signer=None, issued_on: dt.date | None = None) -> Work:
    """The office issues the numbered decision, signed by personnel.roles.signer_for. The number
    is taken in this transaction (a rollback gives it back); documents.decision_issue queues the
    PDF after commit."""
    if signer is not None and not hasattr(signer, "pk"):
        signer = _user_from(signer)
    chosen = signer_for(proposal.committee, actor.day, user=signer, subject=proposal.official)

    def issue(proposal) -> dict:
        try:
            decision = decision_issue(
                proposal=proposal,
                signer=chosen.user,
                signer_role=chosen.role,
                signer_name=chosen.name,
                issued_by=actor.user,
                issued_on=issued_on,
            )
        except DjangoValidationError as exc:
            raise Invalid(" ".join(exc.messages), code="numbering")
        except IntegrityError:
            raise Conflict()
        return {
            "decision": decision.pk,
            "number": decision.number_label,
            "signer": chosen.user.pk,
            "signer_role": chosen.role,
        }

    return Work(then=issue)


def _post(proposal, actor) -> Work:
    """Put the decision into effect on or after its effective date (the office, or the system
    from the daily job): the post left ends the day before, the new one starts on it, both point
    at the decision (workflow/postings.py); what changed goes into the audit event."""
    now = timezone.now()
    return Work(
        kwargs={"at": now},
        data={"system": actor.is_system},
        then=lambda proposal: posting_apply(proposal=proposal, at=now),
    )


def _end_rotation(proposal, actor, *, outcome: str = "") -> Work:
    """The board head ends a rotation or secondment with its outcome."""
    if outcome not in RotationOutcome.values:
        raise Invalid(
            _("Choose the outcome: returned, reassigned or kept."), code="outcome_required"
        )
    return Work(kwargs={"outcome": outcome}, data={"outcome": outcome})


# The actions with real work, by transition name; the others only move the state.
EFFECTS = {
    "submit": _submit,
    "start_review": _start_review,
    "endorse": _endorse,
    "open_vote": _open_vote,
    "cancel_vote": _cancel_vote,
    "close_vote": _close_vote,
    "issue_decision": _issue_decision,
    "post": _post,
    "end_rotation": _end_rotation,
}


def _user_from(value):
    if value in (None, ""):
        return None
    try:
        return get_user_model().objects.get(pk=int(value))
    except (TypeError, ValueError, get_user_model().DoesNotExist):
        raise Invalid(_("There is no user %(id)s."), code="invalid_signer", params={"id": value})
