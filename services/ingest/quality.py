"""Is a PDF page's text layer worth trusting, or should the page be OCR'd?

A text layer is used only when it is real, visible text that plausibly covers the page. It is junk,
and the page is OCR'd instead, when it is:
- invisible: most characters drawn with text render mode 3 (or 7), as a scanner's or another
  program's OCR lays them over a page image. Our OCR is tuned for Swedish letters; theirs is unknown.
- garbled: glyph codes instead of characters ("(cid:12)", U+FFFD), symbol soup, mojibake ("Ã¤"), or
  "words" without vowels, as a font without a usable ToUnicode map produces.
- far too short for the page: a few words ("Sida 1", a scanner's footer) over an image covering most
  of the page, i.e. the content is in the image.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# Fewer non-space characters than this is not a page of text.
MIN_TEXT_CHARS = 40
# A page mostly covered by images needs this many characters before its text layer is believed.
MIN_TEXT_CHARS_OVER_IMAGE = 200
# Images covering at least this share of the page make it a scan.
IMAGE_PAGE_SHARE = 0.5
# Letters and digits among the non-space characters.
MIN_ALNUM_SHARE = 0.6
# Words (three or more letters, not all capitals: acronyms like SBN have none) that contain a vowel.
MIN_VOWEL_WORD_SHARE = 0.5
# Characters drawn invisibly (render mode 3 or 7).
MAX_INVISIBLE_SHARE = 0.5
# Mojibake: UTF-8 read as Latin-1 turns å ä ö into Ã¥ Ã¤ Ã¶.
MAX_MOJIBAKE_SHARE = 0.01

VOWELS = set("aeiouyåäöéèüáàæøAEIOUYÅÄÖÉÈÜÁÀÆØ")
INVISIBLE_MODES = {3, 7}  # FPDF_TEXTRENDERMODE_INVISIBLE, _CLIP
_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True)
class PageFacts:
    """What PDFium sees on a page, without rendering it."""

    chars: int  # characters in PDFium's text page
    invisible_chars: int
    image_share: float  # share of the page area covered by image objects (0-1, capped)


@dataclass(frozen=True)
class Verdict:
    usable: bool
    reason: str | None = None  # why the text layer was not used


def page_facts(page: pdfium.PdfPage) -> PageFacts:
    """Count invisible characters and measure image coverage. The caller holds PDFIUM_LOCK."""
    width, height = page.get_size()
    area = max(width * height, 1.0)
    covered = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        w = max(0.0, min(right, width) - max(left, 0.0))
        h = max(0.0, min(top, height) - max(bottom, 0.0))
        covered += w * h
    textpage = page.get_textpage()
    try:
        n = textpage.count_chars()
        invisible = 0
        last_obj: Any = None
        last_mode = 0
        for i in range(n):
            obj = pdfium_c.FPDFText_GetTextObject(textpage.raw, i)
            if not obj:
                continue
            if obj != last_obj:  # consecutive characters mostly share a text object
                last_obj, last_mode = obj, pdfium_c.FPDFTextObj_GetTextRenderMode(obj)
            if last_mode in INVISIBLE_MODES:
                invisible += 1
    finally:
        textpage.close()
    return PageFacts(chars=n, invisible_chars=invisible, image_share=min(covered / area, 1.0))


def garbled_reason(text: str) -> str | None:
    """Why `text` is not readable text, or None when it looks like language."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return "no text"
    if "(cid:" in text or "\ufffd" in text:
        return "garbled text (glyph codes)"
    if sum(c.isalnum() for c in chars) / len(chars) < MIN_ALNUM_SHARE:
        return "garbled text (symbols)"
    mojibake = len(re.findall(r"Ã[\x80-\xbf¤¥¶©]|Â[\xa0-\xbf]", text))
    if mojibake and mojibake / len(chars) >= MAX_MOJIBAKE_SHARE:
        return "garbled text (mojibake)"
    words = [w for w in _WORD.findall(text) if not w.isupper()]
    if words and sum(any(c in VOWELS for c in w) for w in words) / len(words) < MIN_VOWEL_WORD_SHARE:
        return "garbled text (no words)"
    return None


def judge_text_layer(text: str | None, facts: PageFacts | None) -> Verdict:
    """Use the text layer, or OCR the page (with the reason)."""
    if text is None:
        return Verdict(False, "text layer unreadable")
    nonspace = sum(not c.isspace() for c in text)
    if nonspace == 0:
        return Verdict(False, None)  # no text layer at all: a plain scan, nothing to report
    if facts is not None and facts.chars and facts.invisible_chars / facts.chars > MAX_INVISIBLE_SHARE:
        return Verdict(False, "invisible text layer")
    if nonspace < MIN_TEXT_CHARS:
        return Verdict(False, "text layer too short for the page")
    reason = garbled_reason(text)
    if reason:
        return Verdict(False, reason)
    if facts is not None and facts.image_share >= IMAGE_PAGE_SHARE and nonspace < MIN_TEXT_CHARS_OVER_IMAGE:
        return Verdict(False, "text layer too short for the page")
    return Verdict(True)
