"""What the workflow's web pages call things: actions, checks, audit events and messages, in the
reader's language. The services speak "Vietnamese (English)."; a page shows one of the two."""

import re

from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from documents.rendering import CHECK_LABELS
from personnel.models import BoardMember, CommitteeMember

# A transition as a button and as a confirmation title.
ACTION_TITLES = {
    "submit": _("Submit the proposal"),
    "withdraw": _("Withdraw the proposal"),
    "start_review": _("Start the appraisal"),
    "return_for_revision": _("Return for revision"),
    "endorse": _("Endorse to the Standing Committee"),
    "reject": _("Reject the proposal"),
    "open_vote": _("Open the vote"),
    "cancel_vote": _("Cancel the vote"),
    "close_vote": _("Close the vote"),
    "issue_decision": _("Issue the decision"),
    "post": _("Put the decision into effect"),
    "end_rotation": _("End the rotation"),
    "revoke": _("Revoke the decision"),
}

# A transition as the state diagram labels its arrow: a word or two.
TRANSITION_LABELS = {
    "submit": pgettext_lazy("transition", "submit"),
    "withdraw": pgettext_lazy("transition", "withdraw"),
    "start_review": pgettext_lazy("transition", "start appraisal"),
    "return_for_revision": pgettext_lazy("transition", "return"),
    "endorse": pgettext_lazy("transition", "endorse"),
    "reject": pgettext_lazy("transition", "reject"),
    "open_vote": pgettext_lazy("transition", "open vote"),
    "cancel_vote": pgettext_lazy("transition", "cancel vote"),
    "close_vote": pgettext_lazy("transition", "close vote"),
    "issue_decision": pgettext_lazy("transition", "issue"),
    "post": pgettext_lazy("transition", "put into effect"),
    "end_rotation": pgettext_lazy("transition", "end"),
    "revoke": pgettext_lazy("transition", "revoke"),
}

# What happened, for the message after the action.
ACTION_DONE = {
    "submit": _("The proposal was submitted to the organisation board."),
    "withdraw": _("The proposal was withdrawn."),
    "start_review": _("You are now the reviewer of this proposal."),
    "return_for_revision": _("The proposal was returned to its author for revision."),
    "endorse": _("The proposal was endorsed to the Standing Committee."),
    "reject": _("The proposal was rejected."),
    "open_vote": _("The vote is open."),
    "cancel_vote": _("The vote was cancelled; its ballots were discarded."),
    "close_vote": _("The vote is closed."),
    "issue_decision": _("The decision was issued; its PDF is being prepared."),
    "post": _("The decision is in effect."),
    "end_rotation": _("The rotation has ended."),
    "revoke": _("The decision was revoked."),
}

# Why the confirmation page asks what it asks.
ACTION_HELP = {
    "submit": _("The organisation board will appraise the proposal. You cannot edit it meanwhile."),
    "withdraw": _("A withdrawn proposal cannot be reopened. Say why it is withdrawn."),
    "start_review": _("You become the reviewer: the proposal moves to appraisal."),
    "return_for_revision": _(
        "The author gets the proposal back to revise and submit again. Say what must change."
    ),
    "endorse": _(
        "The proposal goes to the Standing Committee with its checklist and exceptions as they "
        "are now. At least one “endorse” opinion is needed, and every failed error check needs "
        "an exception."
    ),
    "reject": _("The proposal ends here. Say why it is rejected."),
    "open_vote": _(
        "The list of members who may vote is frozen now: the incumbent members, less the "
        "official concerned and the author."
    ),
    "cancel_vote": _("The ballots cast so far are discarded. Say why the vote is cancelled."),
    "close_vote": _(
        "The ballots are counted. The proposal passes when approvals are more than half of all "
        "incumbent members; at exactly half you decide."
    ),
    "issue_decision": _(
        "The decision takes the next number of the term; its PDF is made in the background and "
        "delivered to the official and the units concerned."
    ),
    "post": _(
        "The official's current post ends the day before the effective date and the new post "
        "starts on it."
    ),
    "end_rotation": _("Record where the official goes at the end of the rotation."),
    "revoke": _("The decision is revoked before its effective date. Say why."),
}

# Actions whose service requires a comment.
COMMENT_REQUIRED = {"withdraw", "return_for_revision", "reject", "cancel_vote", "revoke"}

# Button style: the actions that end or undo something are drawn as secondary.
NEGATIVE_ACTIONS = {"withdraw", "return_for_revision", "reject", "cancel_vote", "revoke"}

# The checks' names, shared with the board's submission.
CHECK_TITLES = CHECK_LABELS

SEVERITY_LABELS = {"error": _("Error"), "warning": _("Warning")}

# Audit actions as the history shows them.
EVENT_LABELS = {
    "create": _("Drafted the proposal"),
    "update": _("Edited the proposal"),
    "submit": _("Submitted the proposal"),
    "withdraw": _("Withdrew the proposal"),
    "start_review": _("Started the appraisal"),
    "return_for_revision": _("Returned it for revision"),
    "endorse": _("Endorsed it to the Standing Committee"),
    "reject": _("Rejected the proposal"),
    "opinion": _("Recorded an appraisal opinion"),
    "exception": _("Granted an exception"),
    "open_vote": _("Opened the vote"),
    "ballot_receipt": _("Cast a ballot"),
    "cancel_vote": _("Cancelled the vote"),
    "close_vote": _("Closed the vote"),
    "issue_decision": _("Issued the decision"),
    "decision_issued": _("Numbered the decision"),
    "decision_rendered": _("The decision's PDF was made"),
    "decision_render_failed": _("Making the decision's PDF failed"),
    "decision_render_retried": _("Asked again for the decision's PDF"),
    "decision_delivered": _("The decision was delivered"),
    "decision_acknowledged": _("Acknowledged receipt of the decision"),
    "document_rendered": _("A document's PDF was made"),
    "document_render_failed": _("Making a document's PDF failed"),
    "post": _("Put the decision into effect"),
    "end_rotation": _("Ended the rotation"),
    "revoke": _("Revoked the decision"),
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
    return str(EVENT_LABELS.get(action, action))


def user_roles(actor) -> list[str]:
    """The role names of personnel.selectors.user_roles, from the roles the actor already holds
    (the page header shows them; reading them again would cost five queries)."""
    roles = set()
    if actor.is_superuser:
        roles.add("admin")
    for role in actor.committee_roles.values():
        roles.add("committee_member")
        if role in (CommitteeMember.Role.CHAIR, CommitteeMember.Role.DEPUTY):
            roles.add(f"committee_{role}")
    for role in actor.board_roles.values():
        roles.update(
            {
                BoardMember.Role.HEAD: {"board_head", "board_member"},
                BoardMember.Role.MEMBER: {"board_member"},
            }.get(role, {"board_specialist"})
        )
    if actor.office:
        roles.add("office")
    if actor.proposer_scopes:
        roles.add("proposer")
    if actor.official_id is not None:
        roles.add("official")
    return sorted(roles)
