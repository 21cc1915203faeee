"""What separation needs to see on a page image, read from the same render that OCR gets.

- ink: the share of the page (margins cut off, so punch holes and scanner edges do not count) that is
  covered by ink once isolated specks are averaged away. A blank back (white paper, speckles, a faint
  show-through of the front, punched-hole shadows) has next to none; a page with one line of text has
  hundreds of times more.
- barcodes: Code 39 and QR codes read with zxing-cpp in any orientation. `PATCHT` (the patch-code
  convention of open-source capture) or `POSTHANTERING:SEPARATOR` marks a separator sheet.
- layout: text line height and margins in millimetres (a letter keeps its font and margins from page
  to page; the next letter usually does not).

Computed once per page image, before OCR: a blank page or a separator sheet is then not OCR'd at all.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import numpy as np
from PIL import Image

SEPARATOR_CODES = frozenset({"PATCHT", "POSTHANTERING:SEPARATOR"})
# Cells of about 1/75 inch: a speck of a few pixels averages to light grey, a stroke stays dark.
CELL_DPI = 75
INK_LEVEL = 170  # a cell darker than this holds ink
MARGIN = 0.07  # share of width/height cut off each side before counting ink


def _formats() -> object:
    import zxingcpp

    return (zxingcpp.BarcodeFormat.Code39, zxingcpp.BarcodeFormat.QRCode)


def analyse_page(image: Image.Image, dpi: int) -> dict[str, Any]:
    """The page's separation signals as a JSON-able dict (stored with the page)."""
    started = time.perf_counter()
    gray = image if image.mode == "L" else image.convert("L")
    cells = _cells(gray, dpi)
    ink_mask = cells < INK_LEVEL
    h, w = ink_mask.shape
    my, mx = int(h * MARGIN), int(w * MARGIN)
    inner = ink_mask[my : h - my, mx : w - mx]
    ink = float(inner.mean()) if inner.size else 0.0
    codes = read_codes(gray, dpi)
    signals: dict[str, Any] = {
        "ink": round(ink, 6),
        "barcodes": codes,
        "separator": any(c in SEPARATOR_CODES for c in codes),
    }
    signals.update(_layout(inner, mx, my, w, h))
    signals["seconds"] = round(time.perf_counter() - started, 4)
    return signals


def _cells(gray: Image.Image, dpi: int) -> np.ndarray:
    factor = max(1, round(dpi / CELL_DPI))
    small = gray.reduce(factor) if factor > 1 else gray
    return np.asarray(small, dtype=np.uint8)


def read_codes(gray: Image.Image, dpi: int) -> list[str]:
    """Texts of the Code 39 and QR codes on the page (any orientation; 1-bit pages too)."""
    import zxingcpp

    # 100 dpi is plenty for a separator sheet's codes (modules of a millimetre and more) and costs
    # a tenth of reading the full page.
    factor = max(1, round(dpi / 100))
    img = gray.reduce(factor) if factor > 1 else gray
    found = zxingcpp.read_barcodes(img, formats=_formats(), try_rotate=True)
    return sorted({r.text for r in found if r.valid and r.text})


def _layout(inner: np.ndarray, mx: int, my: int, w: int, h: int) -> dict[str, Any]:
    """Line height and margins (in cells of 1/75 inch, reported in mm) of the text on the page."""
    if not inner.any():
        return {}
    rows = inner.sum(axis=1) > max(2, inner.shape[1] // 200)
    lines: list[tuple[int, int]] = []
    start = None
    for y, on in enumerate(rows):
        if on and start is None:
            start = y
        elif not on and start is not None:
            lines.append((start, y))
            start = None
    if start is not None:
        lines.append((start, len(rows)))
    heights = [b - a for a, b in lines if b - a >= 2]
    if not heights:
        return {}
    tops = [a for a, b in lines if b - a >= 2]
    pitches = [b - a for a, b in itertools.pairwise(tops) if b - a < 40]
    cols = np.flatnonzero(inner.any(axis=0))
    mm = 25.4 / CELL_DPI
    return {
        "line_mm": round(float(np.median(heights)) * mm, 2),
        "pitch_mm": round(float(np.median(pitches)) * mm, 2) if pitches else None,
        "left_mm": round((int(cols[0]) + mx) * mm, 1),
        "right_mm": round((w - mx - int(cols[-1])) * mm, 1),
        "top_mm": round((tops[0] + my) * mm, 1),
        "bottom_mm": round((h - my - lines[-1][1]) * mm, 1),
        "lines": len(heights),
    }


def turned(signals: dict[str, Any], rotation: int) -> dict[str, Any]:
    """The layout as seen upright, when OCR found the page upside down."""
    if rotation % 360 != 180 or "left_mm" not in signals:
        return signals
    out = dict(signals)
    out["left_mm"], out["right_mm"] = signals["right_mm"], signals["left_mm"]
    out["top_mm"], out["bottom_mm"] = signals["bottom_mm"], signals["top_mm"]
    return out
