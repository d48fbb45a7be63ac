"""Numbers from query strings and forms, one parser for pages and the API.

`str.isdigit` accepts '²' and `int` accepts '١', ' 1' and '1_0': neither is an id. An id is plain
ASCII digits, within the 64-bit range the database stores."""

import re

from django.core.exceptions import BadRequest


class TooLarge(ValueError):
    """Plain digits, beyond the 64-bit range."""


_INTEGER = re.compile(r"-?[0-9]+")
_LIMIT = 2**63


def parse_int(value: str) -> int:
    """The integer written in ASCII digits; ValueError for anything else or out of range."""
    if not isinstance(value, str) or not _INTEGER.fullmatch(value):
        raise ValueError(value)
    number = int(value)
    if not -_LIMIT <= number < _LIMIT:
        raise TooLarge(value)
    return number


def query_int(request, name: str) -> int | None:
    """A page's ?name= id: None when absent or empty, a 400 page when malformed."""
    value = request.GET.get(name, "")
    if value == "":
        return None
    try:
        return parse_int(value)
    except ValueError:
        raise BadRequest(f"malformed {name}")
