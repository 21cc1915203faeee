"""A scanned PDF page's image taken straight from its JPEG, when the page is nothing but that JPEG.

Rendering a page with PDFium decodes the JPEG and resamples it onto the page (~0.07 s CPU for an A4
page at 300 dpi); when the page is one full-page JPEG at about the resolution OCR wants, PIL decodes
the same pixels in a sixth of that (for a 600 dpi scan, libjpeg scales while decoding). A thumbnail
rendered by PDFium is compared with the decoded image, so anything the PDF itself does to the image
(a /Decode array, a mask, a colour transform) sends the page back to rendering.
"""

from __future__ import annotations

import io
from typing import Any

import pypdfium2.raw as pdfium_c
from PIL import Image, ImageChops, ImageStat

# The decoded image's resolution may be this far from the one OCR asked for (a scanner's 299.99 dpi).
DPI_TOLERANCE = 0.05
# The page box and the image's edges may differ by this much (points).
EDGE_TOLERANCE = 1.0
# Mean grey-level difference (0-255) between PDFium's thumbnail and ours above which the PDF changes
# the picture (measured: 0.3 on scans; an inverted or masked image differs by far more).
MAX_THUMB_DIFFERENCE = 6.0
THUMB_WIDTH = 120


def scanned_jpeg(page: Any, dpi: int) -> tuple[Image.Image, int] | None:
    """(grayscale image, its dpi) from the page's only object, a full-page JPEG; None to render instead.

    Call with PDFIUM_LOCK held."""
    if page.get_rotation() % 360:
        return None
    objects = list(page.get_objects(max_depth=1))
    if len(objects) != 1 or objects[0].type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
        return None
    image = objects[0]
    if image.get_filters() != ["DCTDecode"]:
        return None
    meta = image.get_metadata()
    if meta.colorspace not in (pdfium_c.FPDF_COLORSPACE_DEVICEGRAY, pdfium_c.FPDF_COLORSPACE_DEVICERGB):
        return None
    a, b, c, d, e, f = image.get_matrix().get()
    left, bottom, right, top = page.get_cropbox()
    if b or c or a <= 0 or d <= 0 or not _covers((e, f, e + a, f + d), (left, bottom, right, top)):
        return None
    decoded = _decode(image.get_data(decode_simple=False), meta.width, meta.height, a, dpi)
    if decoded is None:
        return None
    gray, got_dpi = decoded
    thumb = page.render(scale=THUMB_WIDTH / (right - left), grayscale=True).to_pil()
    ours = gray.resize(thumb.size, Image.Resampling.BOX)
    if ImageStat.Stat(ImageChops.difference(ours, thumb.convert("L"))).mean[0] > MAX_THUMB_DIFFERENCE:
        return None
    return gray, got_dpi


def _covers(image_box: tuple[float, ...], page_box: tuple[float, ...]) -> bool:
    return all(abs(i - p) <= EDGE_TOLERANCE for i, p in zip(image_box, page_box, strict=True))


def _decode(data: bytes, width: int, height: int, width_pt: float, dpi: int) -> tuple[Image.Image, int] | None:
    try:
        im = Image.open(io.BytesIO(data))
        if im.format != "JPEG" or im.mode not in ("L", "RGB") or im.size != (width, height):
            return None
        native = width / (width_pt / 72)
        want = (max(1, round(width * dpi / native)), max(1, round(height * dpi / native)))
        im.draft("L", want)  # libjpeg decodes at 1/2, 1/4 or 1/8 scale when that is still >= `want`
        got = im.size[0] / (width_pt / 72)
        if abs(got - dpi) > DPI_TOLERANCE * dpi:
            return None  # a 200 dpi scan: PDFium resamples it to the OCR resolution
        gray = im.convert("L")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    return gray, round(got)
