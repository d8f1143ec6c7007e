"""Yes/no cells: 〇 ✓ はい TRUE 1 … and × いいえ FALSE 0 …"""

from __future__ import annotations

from typing import Any

from addin.normalize.text import clean_text, is_blank

TRUE_WORDS = {
    "true",
    "yes",
    "y",
    "1",
    "〇",
    "○",
    "◯",
    "●",
    "✓",
    "✔",
    "☑",
    "はい",
    "有",
    "あり",
    "有り",
    "可",
    "対象",
    "要",
}
FALSE_WORDS = {"false", "no", "n", "0", "×", "✕", "✗", "✘", "-", "いいえ", "無", "なし", "無し", "否", "対象外", "不要"}


class NotABoolean(ValueError):
    pass


def parse_bool(value: Any, true_words: frozenset = frozenset(), false_words: frozenset = frozenset()) -> bool | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = (clean_text(value) or "").casefold()
    if word in TRUE_WORDS or word in true_words:
        return True
    if word in FALSE_WORDS or word in false_words:
        return False
    raise NotABoolean(value)
