"""The workflow raises the application's errors (lib/errors.py): a code, parameters and a gettext
message. `WorkflowError` is their common base under its old name."""

from lib.errors import AppError as WorkflowError
from lib.errors import Conflict, Invalid, NotAllowed, NotFound, WrongState

__all__ = ["Conflict", "Invalid", "NotAllowed", "NotFound", "WorkflowError", "WrongState"]
