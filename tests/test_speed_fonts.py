"""The CID fonts that format their widths once per process write exactly the bytes reportlab's own
UnicodeCIDFont writes — first document and every later one, both faces."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from addin.outputs.fonts import GOTHIC, MINCHO, CachedCIDFont


def _stock(face: str) -> str:
    font = UnicodeCIDFont(face)
    font.fontName = font.name = f"stock-{face}"
    pdfmetrics.registerFont(font)
    return font.fontName


def _page(fonts: list[str]) -> bytes:
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4, invariant=1)
    for i, font in enumerate(fonts):
        pdf.setFont(font, 10 + i)
        pdf.drawString(50, 800 - 20 * i, f"請求書 ¥{i:,} 株式会社テスト 御中")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_cached_fonts_write_reportlabs_own_bytes():
    assert isinstance(pdfmetrics.getFont(GOTHIC), CachedCIDFont)
    stock_gothic, stock_mincho = _stock(GOTHIC), _stock(MINCHO)
    for _ in range(3):  # the cache warm and cold alike
        assert _page([GOTHIC, MINCHO]) == _page([stock_gothic, stock_mincho])
        assert _page([MINCHO, GOTHIC, MINCHO]) == _page([stock_mincho, stock_gothic, stock_mincho])
