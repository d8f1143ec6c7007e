"""Japanese text in PDFs with reportlab's built-in CID fonts: they render in every PDF reader
without embedding or installing a font."""

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

GOTHIC = "HeiseiKakuGo-W5"
MINCHO = "HeiseiMin-W3"

for _name in (GOTHIC, MINCHO):
    pdfmetrics.registerFont(UnicodeCIDFont(_name))
