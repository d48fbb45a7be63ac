"""Reads on proposals: what a user may see, the inbox, the vote, the history."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from documents.models import Decision, Delivery
from lib.text import fold
from personnel.models import Assignment, Position
from personnel.selectors import active_on_q, unit_subtree_ids

from .errors import NotFound
from .models import (
    BallotReceipt,
    EligibleVoter,
    ProposalKind,
    ProposalState,
    RotationProposal,
    VoteRound,
)
from .permissions import Actor, can_cast_ballot, can_read_opinions, role_committees, visible_q
from .reminders import terms_ending_q
from .transitions import BY_NAME

S = ProposalState

# What a list row shows. Two joins, the rest prefetched: PostgreSQL spends longer planning a
# seven-way join than running it, and a page costs the same fixed number of queries either way.
LIST_RELATED = ("official", "author", "target_position")


def _list_rows(qs: QuerySet) -> QuerySet:
    return qs.select_related(*LIST_RELATED).prefetch_related(
        Prefetch("from_assignment", queryset=Assignment.objects.select_related("position")),
        Prefetch("decision", queryset=Decision.objects.select_related("committee")),
    )


# One proposal with everything its page and its eligibility checks read, in one query.
DETAIL_RELATED = (
    *LIST_RELATED,
    "committee",
    "reviewer",
    "target_position__unit",
    "target_position__title",
    "from_assignment__position__unit",
    "from_assignment__position__title",
    "decision__committee",
)


def proposals_visible(actor: Actor) -> QuerySet:
    """Every proposal the actor may see: the one queryset behind the API, the pages and the
    reports (their charts and CSV exports too)."""
    visible = visible_q(actor)
    qs = RotationProposal.objects.all()
    return qs if visible is None else qs.filter(visible)


def proposal_list(
    *,
    actor: Actor,
    state: str | None = None,
    kind: str | None = None,
    official_id=None,
    search: str = "",
    unit_id: int | None = None,
    term=None,
):
    """Proposals the actor may see, newest first, with what a list row shows in one query.

    `search`: words of the official's name, diacritics optional, each beginning a word of it;
    `unit_id`: the move leaves or enters that unit or a unit below it; `term`: the effective
    date falls in that Term."""
    qs = _list_rows(proposals_visible(actor))
    if state:
        qs = qs.filter(state__in=state.split(","))
    if kind:
        qs = qs.filter(kind=kind)
    if official_id is not None:
        qs = qs.filter(official_id=official_id)
    for word in fold(search).split():
        qs = qs.filter(
            Q(official__search_name__startswith=word)
            | Q(official__search_name__contains=f" {word}")
        )
    if unit_id is not None:
        units = unit_subtree_ids(unit_id)
        qs = qs.filter(
            Q(target_position__unit_id__in=units) | Q(from_assignment__position__unit_id__in=units)
        )
    if term is not None:
        qs = qs.filter(effective_date__gte=term.start, effective_date__lte=term.end)
    return qs.order_by("-created_at", "-id")


@dataclass
class TargetChoice:
    position: Position
    vacant: bool


def target_positions_for(*, committee, exclude_position_id=None, day) -> list[TargetChoice]:
    """Posts a proposal to `committee` may aim at: those in the units it governs, vacant on
    `day` first, then by unit (Vietnamese order) and title; the official's own post left out."""
    units = unit_subtree_ids(committee.unit_id)
    positions = (
        Position.objects.filter(unit_id__in=units)
        .exclude(pk=exclude_position_id)
        .select_related("unit", "title")
        .annotate(held=Count("assignments", filter=active_on_q(day, "assignments__")))
    )
    choices = [TargetChoice(p, p.held < p.seats) for p in positions]
    choices.sort(
        key=lambda c: (
            not c.vacant,
            fold(c.position.unit.name),
            c.position.title.order,
            fold(c.position.name),
            c.position.pk,
        )
    )
    return choices


def proposal_get(*, actor: Actor, proposal_id) -> RotationProposal:
    """One proposal the actor may see; NotFound (404) otherwise, whether it exists or not."""
    try:
        proposal_id = int(proposal_id)
    except (TypeError, ValueError):
        raise NotFound()
    proposal = (
        proposals_visible(actor).select_related(*DETAIL_RELATED).filter(pk=proposal_id).first()
    )
    if proposal is None:
        raise NotFound()
    return proposal


def proposal_history(*, proposal, actor: Actor | None = None) -> list[AuditEvent]:
    """The proposal's events, as `actor` may read them: without the opinions while its subject
    may not read them (permissions.can_read_opinions)."""
    events = proposal.events.select_related("actor").order_by("id")
    if actor is not None and not can_read_opinions(actor, proposal):
        events = events.exclude(action="opinion")
    return list(events)


@dataclass
class VoteStatus:
    round_id: int | None
    status: str | None
    incumbent: int
    eligible: int
    cast: int
    quorum: int
    quorum_met: bool
    majority: int
    tally: dict | None
    i_may_vote: bool
    i_have_voted: bool


# Before a vote opens (or when every round was cancelled): nothing counted yet.
NO_VOTE = VoteStatus(None, None, 0, 0, 0, 0, False, 0, None, False, False)


def vote_status(*, proposal, actor: Actor) -> VoteStatus:
    """The current (or last) vote round: counts and, only once closed, the tally."""
    from .ballots import majority_needed

    # The round with its counts and the actor's part in it, in one query.
    uid = actor.user_id
    vote_round = (
        proposal.vote_rounds.exclude(status=VoteRound.Status.CANCELLED)
        .annotate(
            n_eligible=Count("eligible_voters", distinct=True),
            n_cast=Count("receipts", distinct=True),
            me_eligible=Exists(EligibleVoter.objects.filter(round=OuterRef("pk"), user_id=uid)),
            me_cast=Exists(BallotReceipt.objects.filter(round=OuterRef("pk"), user_id=uid)),
        )
        .order_by("-id")
        .first()
    )
    if vote_round is None:
        return NO_VOTE
    tally = None
    if vote_round.status == VoteRound.Status.CLOSED:
        tally = {
            "approve": vote_round.approve_count,
            "disapprove": vote_round.disapprove_count,
            "abstain": vote_round.abstain_count,
            "casting": vote_round.casting_choice or None,
            "passed": vote_round.passed,
        }
    may_vote = bool(
        vote_round.status == VoteRound.Status.OPEN
        and not vote_round.me_cast
        and can_cast_ballot(actor, proposal, eligible=vote_round.me_eligible)
    )
    return VoteStatus(
        round_id=vote_round.pk,
        status=vote_round.status,
        incumbent=vote_round.incumbent_count,
        eligible=vote_round.n_eligible,
        cast=vote_round.n_cast,
        quorum=vote_round.quorum,
        quorum_met=vote_round.n_cast >= vote_round.quorum,
        majority=majority_needed(vote_round.incumbent_count),
        tally=tally,
        i_may_vote=may_vote,
        i_have_voted=vote_round.me_cast,
    )


# The inbox: each section lists what waits for the user, by the transitions it is for (their
# declarations say the states, the role and whether the author is left out), in this order.
INBOX_SECTIONS = (
    ("to_submit", _("Drafts to submit"), ("submit",)),
    ("to_review", _("Proposals to appraise"), ("start_review", "return_for_revision")),
    ("to_endorse", _("Proposals to endorse or reject"), ("endorse",)),
    ("to_open_vote", _("Votes to open"), ("open_vote",)),
    ("to_vote", _("Ballots to cast"), ()),
    ("to_close_vote", _("Votes to close"), ("close_vote",)),
    ("to_issue", _("Decisions to issue"), ("issue_decision",)),
    ("to_post", _("Decisions to put into effect"), ("post",)),
    ("rotations_ending", _("Rotation and secondment terms ending"), ()),
    ("decisions_received", _("Decisions sent to me"), ()),
)


def inbox_for_user(*, actor: Actor) -> dict[str, list[RotationProposal]]:
    """What waits for this user, by section; separation of duties is applied (no proposal about
    themselves, no appraisal of their own proposal)."""
    return {name: list(qs) for name, qs in inbox_querysets(actor=actor).items()}


def _waiting_for(actor: Actor, base: QuerySet, names) -> QuerySet:
    """Proposals on which the actor may take one of the transitions `names`, as their
    declarations say (the effective date of `post` is the one date rule checked here)."""
    uid = actor.user_id
    q = Q(pk__in=[])
    for name in names:
        t = BY_NAME[name]
        if t.who == "author":
            step = Q(author_id=uid)
        else:
            step = Q(committee_id__in=role_committees(actor, t.who))
        if not t.author_may_act:
            step &= ~Q(author_id=uid)
        if name == "post":
            step &= Q(effective_date__lte=actor.day)
        q |= step & Q(state__in=t.sources)
    return base.filter(q)


def inbox_querysets(*, actor: Actor) -> dict[str, QuerySet]:
    """The inbox sections as querysets, not yet read: a page that shows the first rows of each
    (the home page) slices and counts them itself."""
    base = _list_rows(RotationProposal.objects.order_by("effective_date", "id"))
    if actor.official_id is not None:
        base = base.exclude(official_id=actor.official_id)
    uid = actor.user_id
    if uid is None:
        return {name: base.none() for name, _label, _names in INBOX_SECTIONS}
    sections = {name: _waiting_for(actor, base, names) for name, _label, names in INBOX_SECTIONS}
    open_round = {"round__proposal": OuterRef("pk"), "round__status": VoteRound.Status.OPEN}
    sections["to_vote"] = (
        base.filter(state=S.VOTING)
        .filter(Exists(EligibleVoter.objects.filter(user_id=uid, **open_round)))
        .exclude(Exists(BallotReceipt.objects.filter(user_id=uid, **open_round)))
        .exclude(author_id=uid)
    )
    # The board prepares the placement after the term and records the outcome; the 90- and
    # 30-day e-mails are sent by workflow/reminders.py.
    sections["rotations_ending"] = base.filter(
        terms_ending_q(actor.day), committee_id__in=role_committees(actor, "reviewer")
    ).order_by("planned_end", "id")
    # Decisions delivered to me: as the official concerned until I acknowledge receipt; as a
    # user of the sending or receiving unit until the decision takes effect.
    sections["decisions_received"] = _decisions_received(actor)
    return sections


def _decisions_received(actor: Actor):
    delivered = Delivery.objects.filter(
        decision__proposal=OuterRef("pk"), recipient_id=actor.user_id
    )
    mine = delivered.filter(reason=Delivery.Reason.SUBJECT, acknowledged_at__isnull=True)
    for_unit = delivered.filter(reason=Delivery.Reason.UNIT)
    return (
        _list_rows(RotationProposal.objects)
        .filter(Q(Exists(mine)) | Q(Exists(for_unit), state=S.ISSUED))
        .order_by("effective_date", "id")
    )


# --- Rotated cadres -------------------------------------------------------------------------


@dataclass
class RotatedOfficial:
    official: object
    proposal: RotationProposal
    position: Position
    since: object
    planned_end: object


def rotated_officials(*, committee, on) -> list[RotatedOfficial]:
    """Officials serving a rotation or a secondment decided by `committee` on the day `on`: the
    posting took effect on or before it, and the term had not been ended by then. Ending the
    term stops the count from the day the outcome is recorded: a cadre kept at the destination
    is no longer a rotated cadre (QĐ 65 Art. 10), one who returned or was reassigned neither."""
    ended_at = (
        AuditEvent.objects.filter(proposal_id=OuterRef("pk"), action="end_rotation")
        .order_by("id")
        .values("at")[:1]
    )
    proposals = (
        RotationProposal.objects.filter(
            committee=committee,
            kind__in=(ProposalKind.ROTATION, ProposalKind.SECONDMENT),
            state__in=(S.IN_EFFECT, S.COMPLETED),
            effective_date__lte=on,
        )
        .select_related("official", "target_position__unit")
        .annotate(ended_at=Subquery(ended_at))
        .order_by("effective_date", "id")
    )
    return [
        RotatedOfficial(p.official, p, p.target_position, p.effective_date, p.planned_end)
        for p in proposals
        # A completed term still counts on the days before its end was recorded.
        if p.state != S.COMPLETED
        or (p.ended_at is not None and timezone.localdate(p.ended_at) > on)
    ]
