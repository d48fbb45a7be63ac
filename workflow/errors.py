"""The workflow's errors are the application's (lib/errors.py): a code, params and a gettext
message; the API maps the class to an HTTP status once."""

from lib.errors import AppError, Conflict, Invalid, NotAllowed, NotFound, WrongState

WorkflowError = AppError

# An error code → the input field it is about: forms show the message next to it, the API
# names it in "fields".
FIELD_FOR_CODE = {
    "invalid_kind": "kind",
    "invalid_date": "effective_date",
    "date_out_of_range": "effective_date",
    "date_in_past": "effective_date",
    "current_assignment": "effective_date",
    "invalid_duration": "duration_months",
    "rationale_required": "rationale",
    "same_position": "target_position",
    "target_outside_committee": "target_position",
    "comment_required": "comment",
    "casting_required": "casting",
    "invalid_signer": "signer",
    "outcome_required": "outcome",
    "invalid_opinion": "opinion",
    "justification_required": "justification",
    "invalid_exception_code": "code",
    "invalid_choice": "choice",
}

__all__ = [
    "FIELD_FOR_CODE",
    "AppError",
    "Conflict",
    "Invalid",
    "NotAllowed",
    "NotFound",
    "WorkflowError",
    "WrongState",
]
