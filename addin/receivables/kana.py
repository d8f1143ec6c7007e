"""Payer names as banks print them, reduced to one comparable form.

A deposit's payer arrives as half-width katakana (「ｶ)ﾄｳｻﾞｲｼﾖｳｼﾞ」), sometimes with the legal form
spelled out (「ｶﾌﾞｼｷｶﾞｲｼﾔ ﾄｳｻﾞｲｼﾖｳｼﾞ」), after it (「ﾄｳｻﾞｲｼﾖｳｼﾞ(ｶ」), with small kana enlarged by the
bank (ｼﾔ for シャ) or not, with long-vowel marks printed as ｰ or -, and with spaces anywhere. The
customer's own 振込名義 may be typed in full-width katakana or hiragana. `payer_key` maps all of
them to one string: full-width katakana, large kana only, no legal-form marks, no long vowels, no
spaces or punctuation.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jaconv

from addin.normalize.text import clean_text

# Small kana as banks enlarge them (Zengin character set has no small kana).
_SMALL_TO_LARGE = str.maketrans("ァィゥェォャュョッヮヵヶ", "アイウエオヤユヨツワカケ")

# 法人略語 as printed on Zengin transfers (after NFKC and enlarging small kana): カ = 株式会社,
# ユ = 有限会社, ド = 合同会社, メ = 合名会社, シ = 合資会社, イ = 医療法人, ザイ = 財団法人, シヤ = 社団法人,
# トクヒ = 特定非営利活動法人, ガク = 学校法人, フク = 社会福祉法人, シユウ = 宗教法人,
# ギヨ/ノウ/キヨウクミ = 組合 kinds, ソ = 相互会社, ダ = 大学, ベン = 弁護士法人, ゼイ = 税理士法人.
_ABBREVIATIONS = (
    "カ",
    "ユ",
    "ド",
    "メ",
    "シ",
    "イ",
    "ザイ",
    "シヤ",
    "トクヒ",
    "ガク",
    "フク",
    "シユウ",
    "ギヨ",
    "ノウ",
    "キヨウクミ",
    "ソ",
    "ダ",
    "ベン",
    "ゼイ",
    "ギヨウ",
    "シホ",
    "コ",
    "ドク",
    "株",
    "有",
    "同",
    "医",
    "社",
    "財",
)  # the kanji marks people type: (株) 株) (有
_ABBR = "|".join(sorted(_ABBREVIATIONS, key=len, reverse=True))
# 「カ)NAME」 at the start, 「NAME(カ」 at the end, 「(カ)」 anywhere.
_ABBR_MARKS = re.compile(rf"^(?:{_ABBR})\)|\((?:{_ABBR})\)|\((?:{_ABBR})$")
# Legal forms spelled out in kana or written in kanji (customer names typed in the master).
_SPELLED = (
    "カブシキガイシヤ",
    "ユウゲンガイシヤ",
    "ゴウドウガイシヤ",
    "ゴウメイガイシヤ",
    "ゴウシガイシヤ",
    "イリヨウホウジン",
    "イツパンシヤダンホウジン",
    "イツパンザイダンホウジン",
    "シヤダンホウジン",
    "ザイダンホウジン",
    "トクテイヒエイリカツドウホウジン",
    "ガツコウホウジン",
    "シヤカイフクシホウジン",
    "株式会社",
    "有限会社",
    "合同会社",
    "合名会社",
    "合資会社",
    "医療法人社団",
    "医療法人財団",
    "医療法人",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "特定非営利活動法人",
    "学校法人",
    "社会福祉法人",
    "(株)",
    "(有)",
    "(同)",
    "(医)",
    "(社)",
    "(財)",
)
_SPELLED_RE = re.compile("|".join(re.escape(s) for s in sorted(_SPELLED, key=len, reverse=True)))
_NOISE = re.compile(r"[\s\u3000ー\-‐－―−~〜・･.,，、。/／\\「」｢｣'\"]")
_PAREN_WIDTH = str.maketrans("（）", "()")


@lru_cache(maxsize=200_000)
def payer_key(name: str | None) -> str:
    """The comparable form of a payer or transfer name ("" when nothing is left)."""
    text = clean_text(name)  # NFKC: ｶﾞ → ガ, full-width Latin → ASCII, one space
    if not text:
        return ""
    text = text.replace(" ", "")  # a lone ゛ becomes " " + U+3099 under NFKC: join it back
    text = unicodedata.normalize("NFC", text).translate(_PAREN_WIDTH)
    text = jaconv.hira2kata(text).upper().translate(_SMALL_TO_LARGE)
    text = _SPELLED_RE.sub("", text)
    text = _ABBR_MARKS.sub("", text)
    return _NOISE.sub("", text)


def split_names(cell: object) -> list[str]:
    """A Customers 振込名義 cell may hold several names: one per line or separated by ; 、 ,"""
    text = "" if cell is None else str(cell)
    return [part.strip() for part in re.split(r"[;；、,，\n]", text) if part.strip()]
