"""Reads on decisions and letters: who has a part in a decision, who receives it."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from personnel.models import Assignment, Official
from personnel.roles import Actor
from personnel.selectors import active_on_q

from .models import Decision, Delivery, ProposalDocument


def user_display_name(user) -> str:
    """The official's name when the login belongs to one, else the account's name."""
    official = Official.objects.filter(user=user).only("full_name").first()
    if official is not None:
        return official.full_name
    return user.get_full_name() or user.get_username()


def staff_committee_ids(user, day: dt.date | None = None) -> set[int]:
    """Committees the user serves on `day` as a member, on its board or in its office."""
    return Actor.for_user(user, day=day).committee_ids()


def decisions_visible_to(user) -> QuerySet:
    """Decisions in which the user has a part: the official concerned, the proposal's author,
    members of the committee, of its board and of its office, users of the sending and receiving
    units (an official whose post in that unit is active on the issue date), the superuser."""
    if not user.is_authenticated:
        return Decision.objects.none()
    if user.is_superuser:
        return Decision.objects.all()
    in_recipient_unit = Assignment.objects.filter(
        active_on_q(OuterRef("issued_on")),
        Q(position__unit_id=OuterRef("proposal__from_assignment__position__unit_id"))
        | Q(position__unit_id=OuterRef("proposal__target_position__unit_id")),
        official__user=user,
    )
    delivered = Delivery.objects.filter(decision=OuterRef("pk"), recipient=user)
    return Decision.objects.filter(
        Q(proposal__official__user=user)
        | Q(proposal__author=user)
        | Q(committee_id__in=staff_committee_ids(user))
        | Exists(delivered)
        | Exists(in_recipient_unit)
    )


def decision_list_for_user(user) -> QuerySet:
    """Visible decisions with what a list shows, in a fixed number of queries."""
    return decisions_visible_to(user).select_related(
        "committee", "proposal__official", "proposal__target_position"
    )


def decision_get_for_user(user, pk: int) -> Decision:
    """The decision, or 404 when the user has no part in it (not 403: do not reveal it exists)."""
    decision = (
        decision_list_for_user(user)
        .select_related("proposal__official__user", "proposal__from_assignment__position__unit")
        .filter(pk=pk)
        .first()
    )
    if decision is None:
        raise Http404(_("Decision not found."))
    return decision


def decision_recipients(decision: Decision) -> list[tuple]:
    """(user, unit or None, reason) for each inbox the decision goes to: the official concerned,
    then every user whose official holds a post in the sending or receiving unit on the issue
    date. Each user once."""
    recipients = {}
    subject = decision.proposal.official
    if subject.user_id and subject.user.is_active:
        recipients[subject.user_id] = (subject.user, None, Delivery.Reason.SUBJECT)
    units = [
        decision.proposal.from_assignment.position.unit_id,
        decision.proposal.target_position.unit_id,
    ]
    assignments = (
        Assignment.objects.filter(
            active_on_q(decision.issued_on),
            position__unit_id__in=units,
            official__user__isnull=False,
            official__user__is_active=True,
        )
        .select_related("official__user", "position__unit")
        .order_by("id")
    )
    for assignment in assignments:
        recipients.setdefault(
            assignment.official.user_id,
            (assignment.official.user, assignment.position.unit, Delivery.Reason.UNIT),
        )
    return list(recipients.values())


def decision_verify(code: str) -> Decision | None:
    """The decision carrying this verification code, for the public page."""
    return Decision.objects.select_related("proposal", "committee").filter(verify_code=code).first()


def proposal_documents_visible_to(user) -> QuerySet:
    """Submissions and minutes are internal: committee, board and office staff, the superuser."""
    if not user.is_authenticated:
        return ProposalDocument.objects.none()
    qs = ProposalDocument.objects.select_related("proposal", "vote_round")
    if user.is_superuser:
        return qs
    return qs.filter(proposal__committee_id__in=staff_committee_ids(user))


def inbox_for_user(user) -> QuerySet:
    return (
        Delivery.objects.filter(recipient=user)
        .select_related("decision__committee", "decision__proposal__official")
        .order_by("-delivered_at", "-id")
    )


def audit_anchors():
    """The audit chain heads kept with issued decisions, for audit_verify: (label, seq, hash)."""
    anchored = Decision.objects.exclude(audit_hash="")
    for number, seq, hash_ in anchored.values_list("number", "audit_seq", "audit_hash"):
        yield gettext("Decision %(number)s") % {"number": number}, seq, hash_


def with_acknowledgement(decisions):
    """Each decision with the time the official concerned acknowledged it (or None)."""
    acknowledged = Delivery.objects.filter(
        decision=OuterRef("pk"),
        recipient_id=OuterRef("proposal__official__user_id"),
        acknowledged_at__isnull=False,
    ).values("acknowledged_at")[:1]
    return decisions.annotate(acknowledged_at=Subquery(acknowledged))


def decision_status(decision: Decision, user) -> dict:
    """The context of documents/_decision_status.html: the PDF's state and, for the official
    concerned, when they acknowledged receipt."""
    is_subject = decision.proposal.official.user_id == user.pk
    acknowledged_at = None
    if is_subject:
        acknowledged_at = (
            Delivery.objects.filter(decision=decision, recipient=user)
            .values_list("acknowledged_at", flat=True)
            .first()
        )
    return {
        "decision": decision,
        "done": decision.status in (Decision.Status.READY, Decision.Status.FAILED),
        "is_subject": is_subject,
        "acknowledged_at": acknowledged_at,
    }
