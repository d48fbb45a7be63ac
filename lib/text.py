"""Text helpers for Vietnamese."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case text without diacritics, so that "nguyen van" matches "Nguyễn Văn".

    NFD splits most Vietnamese letters into a base letter and combining marks; đ/Đ do not
    decompose and are mapped by hand.
    """
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
