"""Japanese text in PDFs with reportlab's built-in CID fonts: they render in every PDF reader
without embedding or installing a font.

A CID font's dictionary (its glyph widths: thousands of numbers) is the same in every document, yet
reportlab formats it afresh for each one — most of a one-page invoice's cost. The fonts registered here
format it once per process and reuse the bytes, so every document is byte-for-byte what reportlab
would have written, only cheaper.
"""

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.cidfonts import CIDFontInfo, UnicodeCIDFont, structToPDF

GOTHIC = "HeiseiKakuGo-W5"
MINCHO = "HeiseiMin-W3"

_formatted: dict[tuple[str, str, str], bytes] = {}


class _FormattedOnce(pdfdoc.PDFObject):
    """A font dictionary whose PDF text depends only on its key (face, encoding, internal name)."""

    def __init__(self, key: tuple[str, str, str], structure: dict):
        self.key, self.structure = key, structure

    def format(self, document) -> bytes:
        if self.key not in _formatted:
            _formatted[self.key] = structToPDF(self.structure).format(document)
        return _formatted[self.key]


class CachedCIDFont(UnicodeCIDFont):
    def addObjects(self, doc) -> None:
        """As UnicodeCIDFont.addObjects, with the dictionary formatted once per process."""
        internal = "F" + repr(len(doc.fontMapping) + 1)
        structure = dict(CIDFontInfo[self.face.name], Name="/" + internal, Encoding="/" + self.encodingName)
        reference = doc.Reference(_FormattedOnce((self.face.name, self.encodingName, internal), structure), internal)
        doc.idToObject["BasicFonts"].dict[internal] = reference
        doc.fontMapping[self.name] = "/" + internal


for _name in (GOTHIC, MINCHO):
    pdfmetrics.registerFont(CachedCIDFont(_name))
