"""Numbers on pages and in exports, in the language's notation."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format


def fmt_number(value: float, places: int = 1) -> str:
    """Rounded half up (Django's number_format cuts digits off), in the language's notation."""
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(rounded, places)


def fmt_percent(ratio: float) -> str:
    return f"{fmt_number(ratio * 100)}%"
