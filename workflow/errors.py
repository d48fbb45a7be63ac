"""Errors the workflow services raise. Each carries a machine code and a Vietnamese message with
the English in parentheses; the API maps the class to an HTTP status once (workflow/api.py)."""


class WorkflowError(Exception):
    status = 400
    default_code = "error"
    default_message = "Không thực hiện được (the action could not be done)."

    def __init__(self, message: str | None = None, *, code: str | None = None):
        self.message = message or self.default_message
        self.code = code or self.default_code
        super().__init__(self.message)


class Invalid(WorkflowError):
    """Bad input: unknown ids, impossible dates, a missing comment (HTTP 400)."""

    status = 400
    default_code = "invalid"
    default_message = "Dữ liệu không hợp lệ (invalid input)."


class NotAllowed(WorkflowError):
    """The user's role or separation of duties forbids the action (HTTP 403)."""

    status = 403
    default_code = "not_allowed"
    default_message = "Bạn không có quyền thực hiện việc này (you are not allowed to do this)."


class NotFound(WorkflowError):
    """The proposal does not exist or the user may not see it (HTTP 404)."""

    status = 404
    default_code = "not_found"
    default_message = "Không tìm thấy đề xuất (proposal not found)."


class Conflict(WorkflowError):
    """The proposal is not in a state that allows the action, or it changed meanwhile (HTTP 409)."""

    status = 409
    default_code = "conflict"
    default_message = "Đề xuất đã thay đổi, vui lòng tải lại (this proposal changed, reload)."


class WrongState(Conflict):
    default_code = "wrong_state"
