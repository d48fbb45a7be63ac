"""The home page: what waits for the user (SPEC §8), and the ways into each part of the product."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from personnel.roles import request_actor
from workflow.selectors import INBOX_SECTIONS, inbox_querysets

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
    "rotations_ending": _("Rotation and secondment terms ending"),
    "decisions_received": _("Decisions sent to me"),
}


# The first rows of each section; the rest are in the proposal list, filtered by state.
HOME_ROWS = 20
SECTION_STATES = {
    "to_submit": "draft,returned",
    "to_review": "submitted,in_review",
    "to_endorse": "in_review",
    "to_open_vote": "endorsed",
    "to_vote": "voting",
    "to_close_vote": "voting",
    "to_issue": "approved",
    "to_post": "issued",
    "rotations_ending": "in_effect",
}


@dataclass
class InboxSection:
    key: str
    label: str
    items: list
    total: int = 0
    more_url: str | None = None


def _inbox(actor) -> list[InboxSection]:
    """The one place the home page reads the workflow: the inbox sections, in workflow order,
    each with its first rows and its size (counted only when there are more)."""
    querysets = inbox_querysets(actor=actor)
    sections = []
    for key, fallback in INBOX_SECTIONS:
        qs = querysets.get(key)
        items = list(qs[: HOME_ROWS + 1]) if qs is not None else []
        total = len(items) if len(items) <= HOME_ROWS else qs.count()
        more_url = None
        if total > HOME_ROWS and key in SECTION_STATES:
            more_url = f"{_first_url(PROPOSAL_LIST_NAMES)}?state={SECTION_STATES[key]}"
        label = INBOX_LABELS.get(key, fallback)
        sections.append(InboxSection(key, label, items[:HOME_ROWS], total, more_url))
    return sections


PROPOSAL_PAGE_NAMES = ("workflow:proposal_detail", "proposal-detail")
PROPOSAL_LIST_NAMES = ("workflow:proposal_list", "proposal-list")


def _first_url(names) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


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
    actor = request_actor(request)
    # The header shows the roles read here, instead of reading them again (five queries).
    request.user_roles = actor.role_names()
    sections = _inbox(actor)
    for section in sections:
        for proposal in section.items:
            proposal.page_url = proposal_url(proposal)
    return render(
        request,
        "home.html",
        {
            "sections": [s for s in sections if s.items],
            "waiting": sum(s.total for s in sections),
        },
    )
