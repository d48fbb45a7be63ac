"""Text helpers for Vietnamese."""

import unicodedata

from django.utils.translation import gettext

from .dates import months_text, short_date


def fold(text: str) -> str:
    """Lower-case text without diacritics, so that "nguyen van" matches "Nguyễn Văn".

    NFD splits most Vietnamese letters into a base letter and combining marks; đ/Đ do not
    decompose and are mapped by hand.
    """
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def message_text(text: str, params: dict | None = None) -> str:
    """A stored message (an English msgid and its parameters) in the active language.

    Parameters named `*_date` are dates and `*_months` lengths of time, written the way the
    language writes them. A text not in the catalogue is shown as it is."""
    message = gettext(text) if text else ""
    if not params:
        return message
    try:
        return message % {key: _shown(key, value) for key, value in params.items()}
    except (KeyError, TypeError, ValueError):
        return message


def _shown(key: str, value):
    if key.endswith("_date"):
        return short_date(value)
    if key.endswith("_months"):
        return months_text(value)
    return value
