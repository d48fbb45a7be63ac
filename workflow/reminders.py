"""Term reminders (SPEC §6): the board hears 90 and 30 days before a rotation or a secondment
reaches its planned end, in the inbox and by e-mail.

In the inbox the list is live: `inbox_for_user` shows the board every term within 90 days of its
end, or past it, until the outcome is recorded (workflow/selectors.py). The e-mail goes once per
threshold: one `Reminder` row per (proposal, threshold), claimed with a conditional UPDATE before
sending and stamped after, so a job that runs twice, late, or in two processes at once sends each
one once. A late run sends every threshold already passed that was not sent (a job down for two
months sends the 90-day and the 30-day reminders together).
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from audit.services import audit_append
from documents.rendering import in_vietnamese
from lib.dates import short_date
from personnel.models import BoardMember

from .models import ProposalKind, ProposalState, Reminder, RotationProposal

logger = logging.getLogger(__name__)

# Days before the planned end, largest first.
REMINDER_DAYS = (90, 30)
TERM_KINDS = (ProposalKind.ROTATION, ProposalKind.SECONDMENT)
# A claim older than this belongs to a run that died before sending; another run may take it.
CLAIM_STALE = dt.timedelta(minutes=15)


def terms_ending_q(day: dt.date) -> Q:
    """Rotations and secondments in effect whose planned end is within the first reminder's
    reach of `day`, or already past."""
    return Q(
        state=ProposalState.IN_EFFECT,
        kind__in=TERM_KINDS,
        planned_end__isnull=False,
        planned_end__lte=day + dt.timedelta(days=max(REMINDER_DAYS)),
    )


def thresholds_due(planned_end: dt.date, day: dt.date) -> list[int]:
    """The thresholds whose day has come on `day`: 90 from 90 days before the end, and so on."""
    return [days for days in REMINDER_DAYS if day >= planned_end - dt.timedelta(days=days)]


def reminder_recipients(proposal, day: dt.date) -> list:
    """The board's head and members (the reviewers, not the specialists) on `day`, less the
    official concerned: no one is reminded about their own term."""
    members = (
        BoardMember.objects.active_on(day)
        .filter(
            board__committee_id=proposal.committee_id,
            role__in=(BoardMember.Role.HEAD, BoardMember.Role.MEMBER),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__username")
    )
    subject_user = proposal.official.user_id
    users = {}
    for member in members:
        if member.user_id != subject_user:
            users.setdefault(member.user_id, member.user)
    return list(users.values())


@dataclass
class ReminderRun:
    today: dt.date
    sent: list[Reminder] = field(default_factory=list)
    failed: list[tuple[RotationProposal, int, str]] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "sent": [[r.proposal_id, r.days_before] for r in self.sent],
            "failed": [[p.pk, days, message] for p, days, message in self.failed],
        }


def reminders_send_due(*, today: dt.date) -> ReminderRun:
    """Send every reminder whose day has come and that no run has sent yet."""
    run = ReminderRun(today=today)
    proposals = (
        RotationProposal.objects.filter(terms_ending_q(today))
        .select_related("official", "target_position", "committee")
        .order_by("planned_end", "id")
    )
    for proposal in proposals:
        for days in thresholds_due(proposal.planned_end, today):
            try:
                reminder = reminder_send(proposal=proposal, days_before=days, today=today)
            except Exception as error:  # one failed e-mail must not stop the others
                logger.exception("Reminder %s days for proposal %s failed", days, proposal.pk)
                run.failed.append((proposal, days, f"{type(error).__name__}: {error}"))
                continue
            if reminder is not None:
                run.sent.append(reminder)
    return run


def reminder_send(*, proposal, days_before: int, today: dt.date) -> Reminder | None:
    """Send one reminder unless it was sent or another run holds it; None when there was
    nothing to do. The claim is released when the e-mail fails, so the next run tries again."""
    reminder, _ = Reminder.objects.get_or_create(proposal=proposal, days_before=days_before)
    token = timezone.now()
    claimed = (
        Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=token - CLAIM_STALE))
        .update(claimed_at=token)
    )
    if not claimed:
        return None
    users = reminder_recipients(proposal, today)
    try:
        _email(proposal, users, days_before=days_before, today=today)
    except Exception:
        Reminder.objects.filter(pk=reminder.pk, claimed_at=token).update(claimed_at=None)
        raise
    usernames = [user.get_username() for user in users]
    with transaction.atomic():
        done = Reminder.objects.filter(
            pk=reminder.pk, claimed_at=token, sent_at__isnull=True
        ).update(sent_at=timezone.now(), recipients=usernames)
        if not done:
            return None
        audit_append(
            action="term_reminder",
            proposal=proposal,
            from_state=proposal.state,
            to_state=proposal.state,
            data={
                "days_before": days_before,
                "planned_end": proposal.planned_end,
                "recipients": usernames,
            },
        )
    reminder.refresh_from_db()
    return reminder


def proposal_link(proposal) -> str:
    """The proposal's page when the web pages exist, else its API resource."""
    for name in ("workflow:proposal_detail", "proposal-detail"):
        try:
            return settings.SITE_URL + reverse(name, args=[proposal.pk])
        except NoReverseMatch:
            continue
    return f"{settings.SITE_URL}/api/v1/proposals/{proposal.pk}/"


def _when(planned_end: dt.date, today: dt.date) -> str:
    left = (planned_end - today).days
    if left > 0:
        return ngettext("%(days)s day left", "%(days)s days left", left) % {"days": left}
    if left == 0:
        return gettext("ends today")
    return ngettext("%(days)s day overdue", "%(days)s days overdue", -left) % {"days": -left}


@in_vietnamese
def _email(proposal, users, *, days_before: int, today: dt.date) -> None:
    addressed = [user for user in users if user.email]
    if not addressed:
        return
    decision = getattr(proposal, "decision", None)
    params = {
        "kind": str(ProposalKind(proposal.kind).label).lower(),
        "official": proposal.official.full_name,
        "post": proposal.target_position.name,
        "end_date": short_date(proposal.planned_end),
        "when": _when(proposal.planned_end, today),
        "days_before": days_before,
        "link": proposal_link(proposal),
        "by_decision": gettext(" under decision %(number)s") % {"number": decision.number_display}
        if decision
        else "",
    }
    subject = gettext("Reminder: the %(kind)s term of %(official)s ends on %(end_date)s") % params
    messages = []
    for user in addressed:
        name = getattr(getattr(user, "official", None), "full_name", "") or (
            user.get_full_name() or user.get_username()
        )
        body = gettext(
            "Dear %(name)s,\n\n"
            "The %(kind)s term of %(official)s (%(post)s)%(by_decision)s ends on "
            "%(end_date)s (%(when)s; reminder %(days_before)s days before).\n"
            "The organisation board should prepare the placement after the %(kind)s and "
            "record its outcome: a return to the former unit, another post, or staying at "
            "the destination.\n\n"
            "See the proposal: %(link)s\n"
        ) % {**params, "name": name}
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    get_connection(fail_silently=False).send_messages(messages)
