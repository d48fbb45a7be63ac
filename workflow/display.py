"""What the workflow's web pages call things: checks, severities and audit events, in the
reader's language (transitions carry their own labels in workflow/transitions.py)."""

from django.utils.translation import gettext_lazy as _

from documents.rendering import CHECK_LABELS

from .transitions import BY_NAME

# The checks' names, shared with the board's submission.
CHECK_TITLES = CHECK_LABELS

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


def event_label(action: str) -> str:
    transition = BY_NAME.get(action)
    return str(transition.history if transition else EVENT_LABELS.get(action, action))
