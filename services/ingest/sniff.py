"""Identify an incoming file by its magic bytes and check it against the intake limits.

Fast and bounded: it reads headers only (PIL opens lazily, PDFium parses the page tree), never
decodes pixels or renders pages, so a hostile or broken file is rejected before any real work.
"""

from __future__ import annotations

import re
import struct
import threading
import warnings
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from services.core.errors import InvalidInput, PayloadTooLarge, UnsupportedType
from services.core.settings import Settings
from services.ingest.schemas import FileInfo

PDF = "application/pdf"
TIFF = "image/tiff"
PNG = "image/png"
JPEG = "image/jpeg"
IMAGE_TYPES = {TIFF: "TIFF", PNG: "PNG", JPEG: "JPEG"}

# PDFium is not thread-safe; the API and the hot-folder watcher may share a process.
PDFIUM_LOCK = threading.RLock()

_PDF_EOF_WINDOW = 4096


def mime_from_header(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    # The PDF spec allows bytes before the header; readers accept it within the first kilobyte.
    if b"%PDF-" in head[:1024]:
        return PDF
    return None


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def sniff(path: Path, settings: Settings) -> FileInfo:
    try:
        size = path.stat().st_size
        if size == 0:
            raise InvalidInput("empty file (0 bytes)")
        if size > settings.max_upload_bytes:
            raise PayloadTooLarge(f"file is {_mb(size)}, larger than the limit of {_mb(settings.max_upload_bytes)}")
        with path.open("rb") as f:
            head = f.read(1024)
    except OSError as e:
        raise InvalidInput(f"cannot read the file: {e.strerror or e}") from e
    mime = mime_from_header(head)
    if mime is None:
        raise UnsupportedType("unsupported file type: not a PDF, TIFF, PNG or JPEG (judged by content, not name)")
    pages = _pdf_pages(path, size) if mime == PDF else _image_pages(path, mime, settings)
    if pages == 0:
        raise InvalidInput("the document has no pages")
    if pages > settings.max_pages:
        raise InvalidInput(f"too many pages: {pages} (limit {settings.max_pages})")
    return FileInfo(mime=mime, pages=pages)


def _pdf_pages(path: Path, size: int) -> int:
    # A PDF ends with %%EOF; without it the file was cut off (an interrupted upload or a scanner
    # still writing). PDFium would "repair" it and silently lose pages, so refuse it here.
    with path.open("rb") as f:
        f.seek(max(0, size - _PDF_EOF_WINDOW))
        if b"%%EOF" not in f.read():
            raise InvalidInput("truncated or damaged PDF (no end-of-file marker)")
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as e:
            if "password" in str(e).lower():
                raise InvalidInput("encrypted PDF (password protected); send it without a password") from e
            raise InvalidInput(f"damaged PDF, cannot be opened ({_pdfium_reason(e)})") from e
        try:
            return len(pdf)
        finally:
            pdf.close()


def _pdfium_reason(e: Exception) -> str:
    msg = str(e)
    return msg.split("(PDFium: ", 1)[1].rstrip(")") if "(PDFium: " in msg else msg


def check_image_size(width: int, height: int, settings: Settings, page: int | None = None) -> None:
    if width * height > settings.max_image_pixels:
        where = f"page {page + 1}: " if page is not None else ""
        raise InvalidInput(
            f"{where}image too large: {width}x{height} pixels (limit {settings.max_image_pixels:,} pixels)"
        )


def open_image(path: Path) -> Image.Image:
    """Open lazily (header only), turning PIL's decompression-bomb guard into a readable rejection."""
    try:
        with warnings.catch_warnings():
            # Our own limit (max_image_pixels) decides; PIL's warning threshold is lower.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(path)
    except Image.DecompressionBombError as e:
        # PIL refuses before we see the size: "Image size (900000000 pixels) exceeds limit of ..."
        pixels = re.search(r"\((\d+) pixels\)", str(e))
        size = f"{int(pixels.group(1)):,} pixels" if pixels else "too many pixels"
        raise InvalidInput(f"image too large: {size}, beyond the safe limit for decoding") from e
    except (OSError, SyntaxError, ValueError) as e:
        raise InvalidInput(f"damaged or unreadable image: {e}") from e


def _image_pages(path: Path, mime: str, settings: Settings) -> int:
    with open_image(path) as im:
        kind = IMAGE_TYPES[mime]
        if im.format != kind:
            raise InvalidInput(f"damaged image: header says {kind}, content reads as {im.format}")
        if mime != TIFF:
            check_image_size(im.width, im.height, settings)
            return 1
        # Walk the TIFF directories (headers only) so every frame is size-checked and a huge or
        # looping directory chain stops at max_pages + 1.
        count = 0
        try:
            while True:
                check_image_size(im.width, im.height, settings, page=count)
                count += 1
                if count > settings.max_pages:
                    return count
                try:
                    im.seek(count)
                except EOFError:
                    return count
        except (OSError, SyntaxError, ValueError, struct.error) as e:
            raise InvalidInput(f"damaged TIFF (page {count + 1}): {e}") from e
