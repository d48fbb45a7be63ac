"""Shared REST framework pieces: pagination and the {detail, code} error format (SPEC §9)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


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
    response.data = {"detail": _flatten(detail), "code": code}
    return response
