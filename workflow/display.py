"""What the workflow's web pages call things: actions, checks, audit events and messages, in the
reader's language. The services speak "Vietnamese (English)."; a page shows one of the two."""

import re

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .transitions import BY_NAME, TRANSITIONS

# The state diagram's arrow labels, read from the declarations (workflow/diagram.py may read
# transitions.TRANSITIONS directly).
TRANSITION_LABELS = {t.name: t.label for t in TRANSITIONS}

CHECK_TITLES = {
    "in_planning": _("In the planning"),
    "remaining_service": _("Remaining service"),
    "min_duration": _("Duration"),
    "non_local": _("Not local to the target unit"),
    "equivalent_post": _("Equivalent post"),
    "single_open_proposal": _("No other open proposal"),
    "target_vacancy": _("Target post vacant"),
    "current_assignment": _("Holds the current post"),
}

SEVERITY_LABELS = {"error": _("Error"), "warning": _("Warning")}

# Audit actions that are not transitions, as the history shows them (a transition's line is
# its declaration's `history`).
EVENT_LABELS = {
    "create": _("Drafted the proposal"),
    "update": _("Edited the proposal"),
    "opinion": _("Recorded an appraisal opinion"),
    "exception": _("Granted an exception"),
    "ballot_receipt": _("Cast a ballot"),
    "decision_issued": _("Numbered the decision"),
    "decision_rendered": _("The decision's PDF was made"),
    "decision_render_failed": _("Making the decision's PDF failed"),
    "decision_render_retried": _("Asked again for the decision's PDF"),
    "decision_delivered": _("The decision was delivered"),
    "decision_acknowledged": _("Acknowledged receipt of the decision"),
    "document_rendered": _("A document's PDF was made"),
    "document_render_failed": _("Making a document's PDF failed"),
}

# "Vietnamese text (English text)." — the last parenthesised part at the very end is English.
_BILINGUAL = re.compile(r"^(?P<vi>.*\S)\s+\((?P<en>[^()]*)\)(?P<stop>[.!?]?)\s*$", re.DOTALL)


def localized(message) -> str:
    """One language of a service message written "Vietnamese (English).": the Vietnamese part on
    a Vietnamese page, the English part (capitalised) on an English one. Other text unchanged."""
    text = str(message or "")
    match = _BILINGUAL.match(text)
    if match is None:
        return text
    stop = match["stop"] or "."
    if (get_language() or "vi").startswith("en"):
        english = match["en"].strip()
        return (
            english[:1].upper() + english[1:] + ("" if english.endswith((".", "!", "?")) else stop)
        )
    vietnamese = match["vi"].strip()
    return vietnamese + ("" if vietnamese.endswith((".", "!", "?", ":", ";")) else stop)


def event_label(action: str) -> str:
    transition = BY_NAME.get(action)
    return str(transition.history if transition else EVENT_LABELS.get(action, action))
