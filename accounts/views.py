"""The signed-in user's API tokens: when each was created and expires; revoke any of them."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from . import services
from .lockout import throttle_request


@login_required
@require_safe
def token_list(request):
    return render(request, "accounts/tokens.html", {"tokens": services.user_tokens(request.user)})


@login_required
@require_POST
def token_revoke(request):
    if services.revoke_token(request.user, request.POST.get("token", "")):
        messages.success(request, _("The token is revoked: it no longer opens the API."))
    else:
        messages.error(request, _("No such token: it has expired or was revoked already."))
    return redirect("accounts:tokens")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, throttled like a sign-in for each (e-mail, address) pair."""

    def post(self, request, *args, **kwargs):
        refused = throttle_request(request, request.POST.get("email", "")[:254])
        return refused or super().post(request, *args, **kwargs)
