"""The home page: what waits for the user (SPEC §8), and the ways into each part of the product."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from lib.urls import first_url
from personnel.roles import request_actor
from workflow.models import ProposalState as S
from workflow.selectors import INBOX_SECTIONS, inbox_querysets
from workflow.transitions import BY_NAME

# The first rows of each section; the rest are in the proposal list, filtered by state (the
# states the section's transitions start from).
HOME_ROWS = 20
OTHER_SECTION_STATES = {"to_vote": (S.VOTING,), "rotations_ending": (S.IN_EFFECT,)}


def _section_states(key, names) -> str:
    states = OTHER_SECTION_STATES.get(key) or [s for n in names for s in BY_NAME[n].sources]
    return ",".join(dict.fromkeys(states))


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
    for key, label, names in INBOX_SECTIONS:
        qs = querysets.get(key)
        items = list(qs[: HOME_ROWS + 1]) if qs is not None else []
        total = len(items) if len(items) <= HOME_ROWS else qs.count()
        more_url = None
        states = _section_states(key, names)
        if total > HOME_ROWS and states:
            more_url = f"{first_url(PROPOSAL_LIST_NAMES)}?state={states}"
        sections.append(InboxSection(key, label, items[:HOME_ROWS], total, more_url))
    return sections


PROPOSAL_PAGE_NAMES = ("workflow:proposal_detail", "proposal-detail")
PROPOSAL_LIST_NAMES = ("workflow:proposal_list", "proposal-list")


def proposal_url(proposal) -> str | None:
    """The proposal's page, once the workflow pages exist."""
    return first_url(PROPOSAL_PAGE_NAMES, proposal.pk)


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
