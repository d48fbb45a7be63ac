"""The signed-in user's API tokens: when each was created and expires; revoke any of them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from . import services


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
