"""Login throttling (django-axes): after AXES_FAILURE_LIMIT failures for one username from one
address, that pair is locked for AXES_COOLOFF_TIME, on the login page, the admin, the API token
endpoint and password reset requests (SPEC §11)."""

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from lib.errors import AppError
from lib.middleware import is_api


class LockedOut(AppError):
    status = 429
    default_code = "locked_out"
    default_message = _(
        "Too many failed attempts: sign-in is locked for %(minutes)s minutes. Try again later."
    )


class AxesBackend(AxesStandaloneBackend):
    """Axes' check, for sign-ins over HTTP only: a shell or a management command calling
    `authenticate()` without a request is not throttled (axes would raise)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def _error() -> LockedOut:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return LockedOut(params={"minutes": minutes})


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: 429, JSON {detail, code, params} on the API, a page elsewhere."""
    error = _error()
    if is_api(request):
        response = JsonResponse(error.as_dict(), status=error.status)
    else:
        response = render(
            request, "accounts/locked_out.html", {"message": error.text()}, status=error.status
        )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


def throttle_request(request, username: str):
    """For requests that are not sign-ins (a password reset): the lockout response when the
    (username, address) pair is locked, counting this one, else None."""
    credentials = {"username": username}
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if not AxesProxyHandler.is_allowed(request, credentials):
        return lockout_response(request, credentials=credentials)
    return None
