"""Applying a decision on its effective date (SPEC §6): the posting.

`posting_apply` changes the registry inside the transaction of `proposal_post`
(workflow/services.py): the official's post being left ends the day before the effective date,
the new assignment starts on it, and both point at the decision. `postings_apply_due` is what the
daily job runs (the `apply_due_postings` command and the Celery beat task are thin over it).

The new assignment is open-ended for every kind, including a rotation or a secondment with a
planned end: the planned end lives on the proposal. Return is not automatic (QĐ 65 Art. 10): at
the end of the term the board records the outcome, and a cadre kept at the destination simply
stays; a return or a new post is a decision of its own, whose posting ends this assignment. An
end date set in advance would show the post as vacant, and the unit as missing a non-local
member, on a day when the cadre is still there.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from lib.dates import short_date
from lib.errors import AppError, Conflict
from personnel.models import Assignment
from personnel.selectors import active_on_q

from .models import ProposalState, RotationProposal

logger = logging.getLogger(__name__)

S = ProposalState

# A holder of the target post is "leaving" when a decided move takes them out of it by then,
# as in the `target_vacancy` check (workflow/eligibility.py).
LEAVING_STATES = (S.APPROVED, S.ISSUED)


def _refuse(message, code: str, **params):
    raise Conflict(message, code=code, params=params)


def posting_apply(*, proposal: RotationProposal, at: dt.datetime) -> dict:
    """Move the official to the target post on the effective date. Call inside the transaction
    that moves the proposal to in_effect, with the proposal row locked; raises Conflict (HTTP
    409) and changes nothing when the registry no longer allows the move."""
    decision = getattr(proposal, "decision", None)
    if decision is None:
        _refuse(_("The proposal has no decision to apply."), "no_decision")
    day = proposal.effective_date
    eve = day - dt.timedelta(days=1)
    official = proposal.official
    # Lock the official's assignments: a second posting or an import waits for this one.
    held = list(
        Assignment.objects.select_for_update()
        .filter(official=official)
        .select_related("position__unit")
        .order_by("id")
    )
    leaving = next((a for a in held if a.pk == proposal.from_assignment_id), None)
    if leaving is None or not leaving.is_active_on(day):
        _refuse(
            _(
                "%(official)s no longer holds the post %(post)s (ended %(end_date)s) on the "
                "effective date %(effective_date)s; the decision cannot be applied."
            )
            if leaving and leaving.end
            else _(
                "%(official)s no longer holds the post %(post)s on the effective date "
                "%(effective_date)s; the decision cannot be applied."
            ),
            "from_assignment_ended",
            official=official.full_name,
            post=leaving.position.name if leaving else "",
            end_date=short_date(leaving and leaving.end),
            effective_date=short_date(day),
        )
    if leaving.start > eve:
        _refuse(
            _(
                "The post %(post)s starts on %(start_date)s and cannot end before the effective date."
            ),
            "from_assignment_starts_on_effective_date",
            post=leaving.position.name,
            start_date=short_date(leaving.start),
        )
    target = proposal.target_position
    if any(a.position_id == target.pk and a.is_active_on(day) for a in held):
        _refuse(
            _("%(official)s already holds the post %(post)s on %(effective_date)s."),
            "already_holds_target",
            official=official.full_name,
            post=target.name,
            effective_date=short_date(day),
        )
    _check_target_seat(proposal, day)

    # The post left ends the day before; so does a concurrent post held in the same unit
    # (a Bí thư who is also Chủ tịch HĐND leaves both). Concurrent posts elsewhere stay.
    unit_id = leaving.position.unit_id
    ended = [leaving]
    ended += [
        a
        for a in held
        if a.pk != leaving.pk
        and a.is_concurrent
        and a.position.unit_id == unit_id
        and a.is_active_on(day)
        and a.start <= eve
    ]
    for assignment in ended:
        assignment.end = eve
        assignment.end_decision_id = decision.pk
        assignment.save(update_fields=["end", "end_decision_id"])
    started = Assignment.objects.create(
        official=official,
        position=target,
        start=day,
        end=None,
        is_concurrent=False,
        decision_id=decision.pk,
        decision_ref=decision.number_display,
    )
    return {
        "decision": decision.pk,
        "number": decision.number_label,
        "ended": [a.pk for a in ended],
        "ended_on": eve,
        "started": started.pk,
        "started_on": day,
    }


def _check_target_seat(proposal, day: dt.date) -> None:
    """Refuse when the target's seats are all held on the effective date by people who are not
    leaving it through a decided move."""
    target = proposal.target_position
    holders = set(
        Assignment.objects.filter(active_on_q(day), position=target)
        .exclude(official_id=proposal.official_id)
        .values_list("official_id", flat=True)
    )
    if len(holders) < target.seats:
        return
    leaving = set(
        RotationProposal.objects.filter(
            state__in=LEAVING_STATES,
            from_assignment__position=target,
            official_id__in=holders,
            effective_date__lte=day,
        )
        .exclude(pk=proposal.pk)
        .values_list("official_id", flat=True)
    )
    staying = holders - leaving
    if len(staying) >= target.seats:
        names = ", ".join(
            Assignment.objects.filter(active_on_q(day), position=target, official_id__in=staying)
            .order_by("official__full_name")
            .values_list("official__full_name", flat=True)
            .distinct()
        )
        _refuse(
            _(
                "On %(effective_date)s the post %(post)s is still held by %(holders)s, whom no "
                "decision moves out; the decision cannot be applied."
            ),
            "target_taken",
            post=target.name,
            holders=names,
            effective_date=short_date(day),
        )


# --- The daily job --------------------------------------------------------------------------


@dataclass
class PostingRun:
    """What one run of the daily job did: posted, failed (with the reason), or left alone
    because another run (or a person) acted first."""

    today: dt.date
    posted: list[RotationProposal] = field(default_factory=list)
    failed: list[tuple[RotationProposal, str]] = field(default_factory=list)
    skipped: list[RotationProposal] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "posted": [p.pk for p in self.posted],
            "failed": {p.pk: message for p, message in self.failed},
            "skipped": [p.pk for p in self.skipped],
        }


def postings_due(*, today: dt.date):
    """Issued proposals whose effective date has come, oldest first."""
    return RotationProposal.objects.filter(state=S.ISSUED, effective_date__lte=today).order_by(
        "effective_date", "id"
    )


def postings_apply_due(*, today: dt.date) -> PostingRun:
    """Post every issued proposal whose effective date is on or before `today`, as the system.

    Each proposal is posted in its own transaction by `proposal_post`, which locks the row and
    checks the state: when two runs overlap, the second finds the proposal in effect and leaves
    it. One failure is recorded and the others go on."""
    from personnel.roles import Actor

    from .services import proposal_transition  # services imports this module

    run = PostingRun(today=today)
    for proposal_id in list(postings_due(today=today).values_list("id", flat=True)):
        try:
            run.posted.append(
                proposal_transition("post", proposal_id=proposal_id, actor=Actor.system(day=today))
            )
        except AppError as error:
            current = RotationProposal.objects.filter(pk=proposal_id).first()
            if current is None or current.state != S.ISSUED:
                # Posted or revoked meanwhile: nothing left to do.
                if current is not None:
                    run.skipped.append(current)
                continue
            logger.warning("Posting of proposal %s failed: %s", proposal_id, error.text())
            run.failed.append((current, error.text()))
        except Exception as error:  # one broken row must not stop the others
            logger.exception("Posting of proposal %s failed", proposal_id)
            current = RotationProposal.objects.filter(pk=proposal_id).first()
            if current is not None:
                run.failed.append((current, f"{type(error).__name__}: {error}"))
    return run
