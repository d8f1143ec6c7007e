"""Text as people type it: full-width letters and digits, ideographic spaces, stray blanks."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import jaconv

_SPACES = re.compile(r"\s+")


def is_blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and value.strip() == "")
        or (
            isinstance(value, float) and value != value  # NaN
        )
    )


def number_as_text(value: float | int) -> str:
    """Excel stores 00123 typed as a number as 123.0; give back "123", not "123.0"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def clean_text(value: Any) -> str | None:
    """NFKC (full-width ASCII → half-width, half-width kana → full-width), one space between words."""
    if type(value) is str and value.isascii() and value.isprintable() and "  " not in value and value == value.strip():
        return value or None  # already clean, as most codes and references are: what the rest would give
    if is_blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_as_text(value)
    text = str(value)
    if not (text.isascii() and text.isprintable() and "  " not in text and text == text.strip()):
        text = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    return text or None


def header_key(value: Any) -> str:
    """The form headers and sheet names are compared in: width-, case- and space-insensitive."""
    text = clean_text(value) or ""
    return re.sub(r"[\s_\-・/()（）]", "", text).casefold()


def clean_code(value: Any, pad: int = 0, upper: bool = True) -> str | None:
    """Identifiers and digit codes: bank code 5 typed as a number becomes "0005" with pad=4."""
    text = clean_text(value)
    if text is None:
        return None
    text = text.replace(" ", "")
    if upper:
        text = text.upper()
    if pad and text.isdigit() and len(text) < pad:
        text = text.zfill(pad)
    return text


# Characters a Zengin transfer accepts in a name field (JIS X 0201: half-width katakana, A–Z, 0–9
# and a few symbols; FACTS.md §6). Small kana are not allowed by banks and are enlarged.
ZENGIN_NAME_CHARS = set("ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝﾞﾟABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ().,-/\\｢｣")
_SMALL_TO_LARGE = str.maketrans("ｧｨｩｪｫｬｭｮｯ", "ｱｲｳｴｵﾔﾕﾖﾂ")


def bank_kana(value: Any) -> str | None:
    """An account holder's name the way banks want it: half-width katakana, upper-case Latin."""
    text = clean_text(value)
    if text is None:
        return None
    text = jaconv.hira2kata(text)
    text = jaconv.z2h(text, kana=True, ascii=True, digit=True).upper()
    text = text.replace("ｰ", "-").translate(_SMALL_TO_LARGE)
    return text


def is_zengin_text(text: str) -> bool:
    return all(ch in ZENGIN_NAME_CHARS for ch in text)
