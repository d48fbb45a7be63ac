"""Request-level guards, in one place for every page and the API (SPEC §11).

MalformedInputMiddleware answers 400 to a NUL byte in the path, the query string or a
form-encoded body (PostgreSQL refuses NUL in text: it used to be a 500 wherever the value reached
a query), and gives the API a JSON answer when a body is over DATA_UPLOAD_MAX_MEMORY_SIZE or
has too many fields, where Django would answer with its HTML 400 page."""

import time

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from .errors import Invalid

API_PREFIX = "/api/"
FORM = "application/x-www-form-urlencoded"

MALFORMED = _("The request contains characters that are not allowed.")
TOO_LARGE = _("The request is too large.")
TOO_MANY_FIELDS = _("The request has too many fields.")


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    fields = [request.GET]
    if request.method == "POST" and request.content_type == FORM:
        fields.append(request.POST)
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for query in fields
        for key, values in query.lists()
    )


def refusal(request, error: Invalid, status: int):
    """The error as JSON {detail, code, params} on the API, as the 400 page elsewhere."""
    if is_api(request):
        return JsonResponse(error.as_dict(), status=status)
    return render(request, "400.html", {"message": error.text()}, status=status)


# Exceptions Django raises while reading a request, as (error, status).
READING_ERRORS = {
    RequestDataTooBig: (lambda: Invalid(TOO_LARGE, code="too_large"), 413),
    TooManyFieldsSent: (lambda: Invalid(TOO_MANY_FIELDS, code="too_many_fields"), 400),
    TooManyFilesSent: (lambda: Invalid(TOO_MANY_FIELDS, code="too_many_fields"), 400),
}


class MalformedInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            malformed = _has_nul(request)
        except tuple(READING_ERRORS) as exc:
            response = self.process_exception(request, exc)
            if response is None:
                raise
            return response
        if malformed:
            return refusal(request, Invalid(MALFORMED, code="invalid"), 400)
        return self.get_response(request)

    def process_exception(self, request, exception):
        for kind, (error, status) in READING_ERRORS.items():
            if isinstance(exception, kind) and is_api(request):
                return refusal(request, error(), status)
        return None


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in user (pages, API
    answers, documents): no shared or browser cache keeps personnel data (SPEC §11). DRF sets
    the user of a token request on the Django request too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
            patch_vary_headers(response, ["Cookie", "Authorization"])
        return response


def mark_session_renewed(sender, request, user, **kwargs):
    """At sign-in (user_logged_in): the session is new, so its idle timer starts now."""
    if getattr(request, "session", None) is not None:
        request.session["renewed_at"] = int(time.time())


class IdleSessionMiddleware:
    """Sessions end after SESSION_COOKIE_AGE without a request (SPEC §11). A signed-in request
    renews the session at most once a minute: saving it on every request would cost each page a
    database write for an expiry that moves by seconds."""

    RENEW_AFTER_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get("renewed_at", 0) >= self.RENEW_AFTER_SECONDS:
                session["renewed_at"] = now  # modified: saved with a new expiry and cookie
        return self.get_response(request)
