"""Web pages for decisions: the decision page with its live status, the PDF, and the public
verification page. Short function views: fetch with a guard (404 if you have no part), do one
thing."""

import hashlib

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from . import rendering, selectors, services
from .api import pdf_response
from .models import Decision


def _kind_label(content: dict) -> str:
    """The kind of move (rotation, transfer, secondment) in the user's language."""
    kinds = Decision.proposal.field.related_model._meta.get_field("kind").flatchoices
    return dict(kinds).get(content.get("kind"), "")


def _content_context(content: dict) -> dict:
    """What a page shows of a decision's frozen content."""
    return {
        "official_name": content.get("official", {}).get("name", ""),
        "from_post": content.get("from_post", ""),
        "to_post": content.get("to_post", ""),
        "kind_label": _kind_label(content),
    }


def _status(request, decision: Decision, status: int = 200):
    """The decision's status fragment (the page polls it; a 409 when the PDF is not ready)."""
    context = selectors.decision_status(decision, request.user)
    return render(request, "documents/_decision_status.html", context, status=status)


@login_required
@require_safe
def decision_detail(request, pk):
    decision = selectors.decision_get_for_user(request.user, pk)
    context = {
        **selectors.decision_status(decision, request.user),
        **_content_context(decision.content),
    }
    return render(request, "documents/decision_detail.html", context)


@never_cache
@login_required
@require_safe
def decision_status(request, pk):
    """The status fragment the decision page polls (htmx, every 2 s) until the PDF is ready."""
    return _status(request, selectors.decision_get_for_user(request.user, pk))


@login_required
@require_safe
@csp_update({"style-src": ["'unsafe-inline'"]})
def decision_preview(request, pk):
    """The letter as HTML, from the same template as the PDF (whose style is inline: the only
    page whose Content-Security-Policy allows inline style; scripts stay refused)."""
    decision = selectors.decision_get_for_user(request.user, pk)
    return HttpResponse(rendering.decision_html(decision, preview=True))


@login_required
@require_safe
def decision_pdf(request, pk):
    decision = selectors.decision_get_for_user(request.user, pk)
    if decision.status != Decision.Status.READY:
        return _status(request, decision, status=409)
    return pdf_response(decision, filename=services.attachment_name(decision))


@login_required
@require_http_methods(["POST"])
def decision_acknowledge(request, pk):
    decision = selectors.decision_get_for_user(request.user, pk)
    try:
        services.decision_acknowledge(decision=decision, user=request.user)
    except services.DocumentNotReady:
        return _status(request, decision, status=409)
    return _status(request, decision)


# --- Public verification --------------------------------------------------------------------


class _UploadLimit(FileUploadHandler):
    """Stops reading an upload past the limit, so an oversized file is never stored."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit
        self.exceeded = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.limit + 64 * 1024:
            self.exceeded = True

    def receive_data_chunk(self, raw_data, start):
        if self.exceeded or start + len(raw_data) > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def _upload_digest(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request, code):
    """Public: is this decision genuine, and is the copy I hold unaltered? The size limit is
    set before CSRF checking reads the body; CSRF is then checked as usual."""
    limit = _UploadLimit(settings.DOCUMENT_VERIFY_MAX_UPLOAD_BYTES)
    request.upload_handlers.insert(0, limit)
    return _verify(request, code, limit)


@csrf_protect
def _verify(request, code, limit):
    decision = selectors.decision_verify(code)
    if decision is None:
        return render(request, "documents/verify.html", {"found": False}, status=404)
    context = {
        "found": True,
        "decision": decision,
        "revoked": decision.proposal.state == "revoked",
        **_content_context(decision.content),
        "issuing_body": decision.content.get("issuing_body", ""),
        "max_mb": settings.DOCUMENT_VERIFY_MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if limit.exceeded:
            too_large = _("The file is too large: at most %(mb)s MB.")
            context["upload_error"], status = too_large % {"mb": context["max_mb"]}, 413
        elif upload is None:
            context["upload_error"], status = _("No file was chosen."), 400
        elif decision.status != Decision.Status.READY:
            not_ready = _("The decision has no file to compare with yet.")
            context["upload_error"], status = not_ready, 409
        else:
            context["uploaded_sha256"] = _upload_digest(upload)
            context["matches"] = context["uploaded_sha256"] == decision.sha256
    return render(request, "documents/verify.html", context, status=status)


# --- Decision lists (the workflow's web pages) ----------------------------------------------

DECISIONS_PER_PAGE = 25


def _decision_rows(user, **about):
    """Visible decisions (narrowed by `about`) as a list shows them, newest first."""
    return selectors.with_acknowledgement(
        selectors.decision_list_for_user(user)
        .filter(**about)
        .select_related("proposal__from_assignment__position")
        .order_by("-issued_on", "-number", "-id")
    )


@login_required
@require_safe
def decision_list(request):
    """Every decision the user has a part in, newest first."""
    page = Paginator(_decision_rows(request.user), DECISIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "documents/decision_list.html", {"page": page})


@login_required
@require_safe
def decision_mine(request):
    """Quyết định của tôi: the decisions about the user (to download and acknowledge), and those
    delivered to the user's unit."""
    about_me = _decision_rows(request.user, proposal__official__user=request.user)
    for_my_unit = (
        selectors.inbox_for_user(request.user)
        .exclude(decision__proposal__official__user=request.user)
        .select_related("decision__proposal__target_position", "unit")
    )
    return render(
        request,
        "documents/decision_mine.html",
        {"about_me": list(about_me), "for_my_unit": list(for_my_unit)},
    )


@login_required
@require_http_methods(["POST"])
def decision_mine_acknowledge(request, pk):
    """Acknowledge receipt from "my decisions": back to the list with a message (without
    JavaScript), or the row's status fragment for htmx."""
    decision = selectors.decision_get_for_user(request.user, pk)
    try:
        services.decision_acknowledge(decision=decision, user=request.user)
    except services.DocumentNotReady:
        messages.error(
            request, _("The decision's PDF is not ready yet; acknowledge it once it is.")
        )
    else:
        messages.success(
            request,
            _("Receipt of decision %(number)s is acknowledged.")
            % {"number": decision.number_label},
        )
    return redirect("decision-mine")
