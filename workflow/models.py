"""A rotation proposal and everything recorded about it: opinions, exceptions, votes, reminders.

Transition methods only set fields. The services in workflow/services.py lock the row, check
who may act, call the transition, save and write the audit event (STYLE.md).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from audit.models import AuditEvent
from lib.text import TEXT_MAX

from .states import ProposalKind, ProposalState
from .transitions import fsm

S = ProposalState

# A proposal in one of these states blocks another proposal for the same official.
OPEN_STATES = (
    S.DRAFT,
    S.SUBMITTED,
    S.IN_REVIEW,
    S.RETURNED,
    S.ENDORSED,
    S.VOTING,
    S.APPROVED,
    S.ISSUED,
)


class RotationOutcome(models.TextChoices):
    RETURNED = "returned", _("Returned to the home unit")
    REASSIGNED = "reassigned", _("Reassigned to another post")
    KEPT = "kept", _("Kept at the destination")


class RotationProposal(ConcurrentTransitionMixin, models.Model):
    committee = models.ForeignKey(
        "personnel.Committee",
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ProposalKind.choices)
    official = models.ForeignKey(
        "personnel.Official",
        verbose_name=_("official"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    from_assignment = models.ForeignKey(
        "personnel.Assignment",
        verbose_name=_("current assignment"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_position = models.ForeignKey(
        "personnel.Position",
        verbose_name=_("target position"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    effective_date = models.DateField(_("effective date"))
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), null=True, blank=True
    )
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    rationale = models.TextField(_("rationale"), max_length=TEXT_MAX)
    higher_post_justification = models.TextField(
        _("justification for a higher post"), max_length=TEXT_MAX, blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="authored_proposals",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewed_proposals",
    )
    state = FSMField(
        _("state"), default=S.DRAFT, choices=ProposalState.choices, protected=True, db_index=True
    )
    # What the committee saw: the checklist and exceptions at endorsement.
    eligibility_snapshot = models.JSONField(_("eligibility at endorsement"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=RotationOutcome.choices, blank=True
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rotation proposal")
        verbose_name_plural = _("rotation proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["official"],
                condition=Q(state__in=OPEN_STATES),
                name="proposal_one_open_per_official",
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True) | Q(planned_end__gt=F("effective_date")),
                name="proposal_planned_end_after_effective_date",
            ),
        ]
        indexes = [
            models.Index(fields=["committee", "state"]),
            # The list is newest first: a page is read along this index, not sorted whole.
            models.Index(fields=["-created_at", "-id"], name="proposal_newest_first"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} — {self.official}"

    @property
    def from_position(self):
        return self.from_assignment.position

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    @property
    def events(self):
        """The proposal's audit events (the audit log keeps the proposal's id, not a key)."""
        return AuditEvent.objects.filter(proposal_id=self.pk)

    # Transitions: bodies only set fields (SPEC §4).

    @transition(field=state, **fsm("submit"))
    def submit(self):
        pass

    @transition(field=state, **fsm("withdraw"))
    def withdraw(self):
        pass

    @transition(field=state, **fsm("start_review"))
    def start_review(self, *, reviewer):
        self.reviewer = reviewer

    @transition(field=state, **fsm("return_for_revision"))
    def return_for_revision(self):
        pass

    @transition(field=state, **fsm("endorse"))
    def endorse(self, *, snapshot):
        self.eligibility_snapshot = snapshot

    @transition(field=state, **fsm("reject"))
    def reject(self):
        pass

    @transition(field=state, **fsm("open_vote"))
    def open_vote(self):
        pass

    @transition(field=state, **fsm("cancel_vote"))
    def cancel_vote(self):
        pass

    @transition(field=state, **fsm("close_vote"))
    def close_vote(self, *, passed):
        return S.APPROVED if passed else S.REJECTED

    @transition(field=state, **fsm("issue_decision"))
    def issue_decision(self):
        pass

    @transition(field=state, **fsm("post"))
    def post(self, *, at):
        self.posted_at = at

    @transition(field=state, **fsm("end_rotation"))
    def end_rotation(self, *, outcome):
        self.outcome = outcome

    @transition(field=state, **fsm("revoke"))
    def revoke(self):
        pass


class Opinion(models.Model):
    class Choice(models.TextChoices):
        ENDORSE = "endorse", _("Endorse")
        REVISE = "revise", _("Needs revision")
        OPPOSE = "oppose", _("Oppose")

    proposal = models.ForeignKey(
        RotationProposal, on_delete=models.CASCADE, related_name="opinions"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The how-many-th review of the proposal (its start_review events) the opinion belongs to.
    review_round = models.PositiveSmallIntegerField(_("review round"), default=1)
    opinion = models.CharField(_("opinion"), max_length=16, choices=Choice.choices)
    comment = models.TextField(_("comment"), max_length=TEXT_MAX)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "author", "review_round"], name="opinion_once_per_round"
            ),
        ]


class EligibilityException(models.Model):
    """The board head lifts one error check for endorsement, with a written justification."""

    proposal = models.ForeignKey(
        RotationProposal, on_delete=models.CASCADE, related_name="exceptions"
    )
    code = models.CharField(_("check"), max_length=32)
    justification = models.TextField(_("justification"), max_length=TEXT_MAX)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("eligibility exception")
        verbose_name_plural = _("eligibility exceptions")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "code"], name="exception_once_per_check"),
        ]


class VoteRound(models.Model):
    """One opening of the vote. A cancelled round keeps its row; its ballots are discarded."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    proposal = models.ForeignKey(
        RotationProposal, on_delete=models.CASCADE, related_name="vote_rounds"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Incumbent members when the vote opened (the base for quorum and majority).
    incumbent_count = models.PositiveSmallIntegerField()
    # Ballots needed to close, from the committee's quorum fraction when the vote opened.
    quorum = models.PositiveSmallIntegerField(default=0)
    # Filled at close.
    approve_count = models.PositiveSmallIntegerField(null=True, blank=True)
    disapprove_count = models.PositiveSmallIntegerField(null=True, blank=True)
    abstain_count = models.PositiveSmallIntegerField(null=True, blank=True)
    casting_choice = models.CharField(max_length=16, blank=True)
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("vote round")
        verbose_name_plural = _("vote rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(status="open"),
                name="voteround_one_open_per_proposal",
            ),
        ]


class EligibleVoter(models.Model):
    """The voters frozen at open_vote: incumbent members less the subject and the author."""

    round = models.ForeignKey(VoteRound, on_delete=models.CASCADE, related_name="eligible_voters")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="eligiblevoter_once"),
        ]


class BallotReceipt(models.Model):
    """*That* a member voted. No time, no ordered key, nothing shared with a Ballot but the round."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(VoteRound, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="ballotreceipt_one_per_member"),
        ]


class Ballot(models.Model):
    """*What* was voted, with no link to a member. While the vote is open the choice is sealed
    (encrypted with a key the database does not hold); at close the ballots are unsealed and
    rewritten in random order in one transaction (workflow/ballots.py)."""

    class Choice(models.TextChoices):
        APPROVE = "approve", _("Approve")
        DISAPPROVE = "disapprove", _("Disapprove")
        ABSTAIN = "abstain", _("Abstain")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(VoteRound, on_delete=models.CASCADE, related_name="ballots")
    sealed = models.TextField(blank=True)
    choice = models.CharField(max_length=16, choices=Choice.choices, blank=True)


class Reminder(models.Model):
    """A term reminder to the board (SPEC §6): `days_before` the planned end of a rotation or
    secondment. One row per threshold, so a job that runs twice, or two at once, sends it once:
    a run claims the row (`claimed_at`), e-mails, then stamps `sent_at`."""

    proposal = models.ForeignKey(
        RotationProposal,
        verbose_name=_("proposal"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    days_before = models.PositiveSmallIntegerField(_("days before the planned end"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Usernames e-mailed, for the record.
    recipients = models.JSONField(_("recipients"), default=list, blank=True)

    class Meta:
        verbose_name = _("term reminder")
        verbose_name_plural = _("term reminders")
        ordering = ["proposal", "-days_before"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "days_before"], name="reminder_once_per_threshold"
            ),
        ]

    def __str__(self):
        return f"#{self.proposal_id} — {self.days_before}"
