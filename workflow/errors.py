"""The workflow's errors are the application's (lib/errors.py): a code, params and a gettext
message; the API maps the class to an HTTP status once."""

from lib.errors import AppError, Conflict, Invalid, NotAllowed, NotFound, WrongState

WorkflowError = AppError

__all__ = [
    "AppError",
    "Conflict",
    "Invalid",
    "NotAllowed",
    "NotFound",
    "WorkflowError",
    "WrongState",
]
