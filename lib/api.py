"""Shared REST framework pieces: pagination and the {detail, code} error format (SPEC §9)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import AppError


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = "Trang không hợp lệ (invalid page)."


# DRF's own messages, in Vietnamese first with the English in parentheses. A message an app
# raised itself is left alone.
DRF_MESSAGES = {
    "Authentication credentials were not provided.": (
        "Chưa đăng nhập (authentication credentials were not provided)."
    ),
    "Incorrect authentication credentials.": (
        "Thông tin đăng nhập không đúng (incorrect authentication credentials)."
    ),
    "Invalid token.": "Mã token không hợp lệ (invalid token).",
    "Invalid token header. No credentials provided.": (
        "Tiêu đề Authorization thiếu mã token (invalid token header, no credentials provided)."
    ),
    "Invalid token header. Token string should not contain spaces.": (
        "Mã token không được chứa dấu cách (token string should not contain spaces)."
    ),
    "Invalid token header. Token string should not contain invalid characters.": (
        "Mã token chứa ký tự không hợp lệ (token string contains invalid characters)."
    ),
    "User inactive or deleted.": "Tài khoản đã bị khóa hoặc bị xóa (user inactive or deleted).",
    "You do not have permission to perform this action.": (
        "Bạn không có quyền thực hiện thao tác này (you do not have permission)."
    ),
    "Not found.": "Không tìm thấy (not found).",
    "Request was throttled.": "Quá nhiều yêu cầu, hãy thử lại sau (request was throttled).",
}
# Protocol errors: DRF's English text stays, after a Vietnamese sentence.
PROTOCOL_MESSAGES = {
    "parse_error": "Không đọc được dữ liệu gửi lên",
    "method_not_allowed": "Phương thức không được hỗ trợ",
    "unsupported_media_type": "Kiểu dữ liệu không được hỗ trợ",
    "not_acceptable": "Không đáp ứng được tiêu đề Accept",
}


def _bilingual(text: str, code: str) -> str:
    for english, ours in DRF_MESSAGES.items():
        if text in (english, gettext(english)):
            return ours
    if code in PROTOCOL_MESSAGES:
        return f"{PROTOCOL_MESSAGES[code]} ({text})"
    return text


def _flatten(detail):
    """One readable sentence from DRF's nested error detail."""
    if isinstance(detail, dict):
        parts = []
        for field, value in detail.items():
            text = _flatten(value)
            parts.append(text if field in ("non_field_errors", "detail") else f"{field}: {text}")
        return "; ".join(parts)
    if isinstance(detail, list):
        return " ".join(_flatten(item) for item in detail)
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, AppError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = getattr(exc, "detail", response.data)
    code = "error"
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
        body = {"detail": _flatten(detail), "code": code}
        if isinstance(detail, dict):
            body["fields"] = {k: _flatten(v) for k, v in detail.items()}
        response.data = body
        return response
    if hasattr(detail, "code"):
        code = detail.code
    elif isinstance(exc, exceptions.APIException):
        code = exc.default_code
    response.data = {"detail": _bilingual(_flatten(detail), code), "code": code}
    return response
