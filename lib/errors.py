"""The one application error type (HackSoft's styleguide): a machine code, parameters and a
gettext message with English msgid. Nothing stores a sentence in two languages: the message is
translated when it is shown, in the language of the request (or Vietnamese, for documents).

    raise Invalid(_("The rotation must last at least %(min)s months."), code="min_duration",
                  params={"min": 36})

The API maps the class to an HTTP status once (lib/api.py answers {detail, code, params}); pages
show `error.text()` through the catalogue.
"""

from django.utils.translation import gettext_lazy as _


class AppError(Exception):
    status = 400
    default_code = "error"
    default_message = _("The action could not be done.")

    def __init__(self, message=None, *, code: str | None = None, params: dict | None = None):
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        self.params = dict(params or {})
        super().__init__(self.code)

    def text(self) -> str:
        """The message in the active language, with its parameters filled in."""
        message = str(self.message)
        if self.params:
            try:
                return message % self.params
            except (KeyError, TypeError, ValueError):
                return message
        return message

    def __str__(self) -> str:
        return self.text()

    def as_dict(self) -> dict:
        return {"detail": self.text(), "code": self.code, "params": _plain(self.params)}


def _plain(params: dict) -> dict:
    """Parameters as JSON values: lazy strings and dates become text."""
    out = {}
    for key, value in params.items():
        if isinstance(value, (int, float, bool)) or value is None:
            out[key] = value
        else:
            out[key] = str(value)
    return out


class Invalid(AppError):
    """Bad input: unknown ids, impossible dates, a missing comment (HTTP 400)."""

    status = 400
    default_code = "invalid"
    default_message = _("The data is not valid.")


class NotAllowed(AppError):
    """The actor's role or separation of duties forbids the action (HTTP 403)."""

    status = 403
    default_code = "not_allowed"
    default_message = _("You are not allowed to do this.")


class NotFound(AppError):
    """The object does not exist or the actor may not see it (HTTP 404)."""

    status = 404
    default_code = "not_found"
    default_message = _("Not found.")


class Conflict(AppError):
    """Wrong state, or the object changed meanwhile (HTTP 409)."""

    status = 409
    default_code = "conflict"
    default_message = _("This proposal changed, please reload.")


class WrongState(Conflict):
    default_code = "wrong_state"
