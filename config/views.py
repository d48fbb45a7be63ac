"""The home page: what waits for the user (SPEC §8), and the ways into each part of the product."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from workflow.permissions import actor_for
from workflow.selectors import INBOX_SECTIONS, inbox_for_user

# The page's own labels, translated; a section the workflow adds later shows its API label.
INBOX_LABELS = {
    "to_submit": _("Drafts to submit"),
    "to_review": _("Proposals to appraise"),
    "to_endorse": _("Proposals to endorse or reject"),
    "to_open_vote": _("Votes to open"),
    "to_vote": _("Ballots to cast"),
    "to_close_vote": _("Votes to close"),
    "to_issue": _("Decisions to issue"),
    "to_post": _("Decisions to put into effect"),
}


@dataclass
class InboxSection:
    key: str
    label: str
    items: list


def _inbox(user) -> list[InboxSection]:
    """The one place the home page reads the workflow: the inbox sections, in workflow order."""
    sections = inbox_for_user(actor=actor_for(user))
    return [
        InboxSection(key, INBOX_LABELS.get(key, fallback), sections.get(key, []))
        for key, fallback in INBOX_SECTIONS
    ]


PROPOSAL_PAGE_NAMES = ("workflow:proposal_detail", "proposal-detail")


def proposal_url(proposal) -> str | None:
    """The proposal's page, once the workflow pages exist."""
    for name in PROPOSAL_PAGE_NAMES:
        try:
            return reverse(name, args=[proposal.pk])
        except NoReverseMatch:
            continue
    return None


@login_required
@require_safe
def home(request):
    sections = _inbox(request.user)
    for section in sections:
        for proposal in section.items:
            proposal.page_url = proposal_url(proposal)
    return render(
        request,
        "home.html",
        {
            "sections": [s for s in sections if s.items],
            "waiting": sum(len(s.items) for s in sections),
        },
    )
