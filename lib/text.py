"""Text helpers for Vietnamese."""

import unicodedata

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .dates import months_text, short_date
from .errors import Invalid


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


# Free text is bounded (SPEC §11): one limit per kind of field, used by the model, the form,
# the serializer and the service alike.
TEXT_MAX = 5000  # a rationale, comment, justification or opinion
NAME_MAX = 200  # a person's or a body's name

# Characters no name or text may hold: C0 and C1 controls (tab and line breaks excepted) and the
# bidirectional controls, which make text read differently from how it is stored (e.g. U+202E
# RIGHT-TO-LEFT OVERRIDE reverses what follows it in a PDF).
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}
_BIDI_CONTROLS = {"\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F))} | {
    *map(chr, range(0x2066, 0x206A))
}


def _forbidden(ch: str) -> bool:
    code = ord(ch)
    if ch in _ALLOWED_CONTROLS:
        return False
    return code < 0x20 or 0x7F <= code <= 0x9F or ch in _BIDI_CONTROLS


def clean_text(value, *, label, max_length: int = TEXT_MAX) -> str:
    """`value` stripped, or Invalid (400) when it is not text, is longer than `max_length` or
    holds a control or bidirectional character. `label` names the field in the message."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(_("%(field)s must be text."), code="invalid_text", params={"field": label})
    value = value.strip()
    if len(value) > max_length:
        raise Invalid(
            _("%(field)s is too long: %(length)s characters, at most %(max)s."),
            code="text_too_long",
            params={"field": label, "length": len(value), "max": max_length},
        )
    for position, ch in enumerate(value, start=1):
        if _forbidden(ch):
            raise Invalid(
                _(
                    "%(field)s contains a control or text-direction character (U+%(char)s) at "
                    "position %(position)s; remove it."
                ),
                code="invalid_characters",
                params={"field": label, "char": f"{ord(ch):04X}", "position": position},
            )
    return value
