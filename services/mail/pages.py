"""Page images for the UI: rendered on demand from the stored original, cached as PNG beside the blob.

PDF pages are rendered with PDFium, TIFF/PNG/JPEG frames read with Pillow; each is turned by the
rotation OCR found (so it shows upright) and scaled to a fixed width. The cache key is the blob's hash,
the page and the width, so a re-render is never needed for the same file.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageOps

from services.core.blobs import get_blob_store
from services.core.errors import NotFound
from services.core.models import MailItem

PAGE_WIDTH = 1100
PDF = "application/pdf"
_PDFIUM_LOCK = threading.Lock()  # PDFium is not thread-safe; the API serves sync routes from a thread pool


def _render_pdf(path: Path, index: int, width: int) -> Image.Image:
    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(str(path))
        try:
            page = pdf[index]
            try:
                page_width, _ = page.get_size()
                return page.render(scale=width / page_width).to_pil().copy()
            finally:
                page.close()
        finally:
            pdf.close()


def _read_frame(path: Path, index: int) -> Image.Image:
    with Image.open(path) as im:
        im.seek(index)
        im.load()
        frame = ImageOps.exif_transpose(im.copy())
    return frame.convert("L" if frame.mode in ("1", "L", "I;16") else "RGB")


def page_image(item: MailItem, index: int, width: int = PAGE_WIDTH) -> Path:
    """The PNG of page `index` (0-based) of `item`, rendered now or taken from the cache."""
    page = next((p for p in item.pages if p.index == index), None)
    if page is None and not 0 <= index < (item.page_count or 0):
        raise NotFound(f"item {item.id} has no page {index + 1}")
    rotation = page.rotation if page is not None else 0
    store = get_blob_store()
    cached = store.derived_path(item.sha256, f"p{index}-w{width}-r{rotation}.png")
    if cached.exists():
        return cached
    source = store.path(item.sha256)
    if not source.exists():
        raise NotFound(f"the original file of item {item.id} is missing")
    image = _render_pdf(source, index, width) if item.mime == PDF else _read_frame(source, index)
    if rotation:
        image = image.rotate(-rotation, expand=True)  # rotation is clockwise, PIL turns counter-clockwise
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)
    cached.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cached.parent, prefix=".render-", suffix=".png")
    with os.fdopen(fd, "wb") as out:
        image.save(out, format="PNG", optimize=False)
    os.replace(tmp, cached)  # atomic: two requests rendering the same page both end with a whole file
    return cached


def original_file(item: MailItem) -> Path:
    path = get_blob_store().path(item.sha256)
    if not path.exists():
        raise NotFound(f"the original file of item {item.id} is missing")
    return path


def searchable_pdf(item: MailItem) -> Path | None:
    """The searchable PDF made by the OCR step, when that step has made one."""
    return get_blob_store().fetch(item.sha256, "searchable.pdf")
