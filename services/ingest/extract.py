"""Text extraction, one page at a time: the PDF text layer when it is real text, OCR otherwise.

Pages are yielded as they are done, so a 300-page document never has more than one page image in
memory. Any failure to decode a page becomes an InvalidInput naming the page.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pytesseract
from PIL import Image, ImageOps

from services.core.errors import DomainError, InvalidInput
from services.core.logging import get_logger
from services.core.settings import Settings
from services.ingest import ocr
from services.ingest.schemas import PageResult
from services.ingest.sniff import JPEG, PDF, PDFIUM_LOCK, check_image_size, open_image, sniff

log = get_logger(__name__)

# A text layer counts as real text when it has at least this many non-space characters ...
MIN_TEXT_LAYER_CHARS = 40
# ... and this share of them are letters or digits (not (cid:12) glyph codes or symbol soup).
MIN_ALNUM_SHARE = 0.6


def extract_document(path: Path, mime: str, settings: Settings) -> Iterator[PageResult]:
    ocr.limit_threads()
    if mime == PDF:
        yield from _pdf_pages(path, settings)
    else:
        yield from _image_pages(path, mime, settings)


def ocr_file(path: Path, settings: Settings) -> dict[str, Any]:
    """For `posthantering ocr FILE --json`: the text and how each page was read."""
    start = time.perf_counter()
    info = sniff(path, settings)
    pages = list(extract_document(path, info.mime, settings))
    return {
        "file": str(path),
        "mime": info.mime,
        "pages": [
            {
                "index": p.index,
                "method": p.method,
                "confidence": p.confidence,
                "seconds": round(p.seconds, 3),
                "rotation": p.rotation,
                "chars": len(p.text),
            }
            for p in pages
        ],
        "text": "\n\n".join(p.text for p in pages),
        "seconds": round(time.perf_counter() - start, 3),
    }


def is_real_text(text: str) -> bool:
    chars = [c for c in text if not c.isspace()]
    if len(chars) < MIN_TEXT_LAYER_CHARS or "(cid:" in text or "\ufffd" in text:
        return False
    return sum(c.isalnum() for c in chars) / len(chars) >= MIN_ALNUM_SHARE


def ocr_page(index: int, image: Image.Image, settings: Settings, start: float) -> PageResult:
    image = ocr.to_grayscale(image)
    if ocr.is_blank(image):
        return PageResult(index, "", "empty", None, time.perf_counter() - start, 0)
    reading, rotation = ocr.read_upright(image, settings.ocr_languages)
    method = "ocr" if reading.text else "empty"
    return PageResult(index, reading.text, method, reading.confidence, time.perf_counter() - start, rotation)


def _pdf_pages(path: Path, settings: Settings) -> Iterator[PageResult]:
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as e:
            raise InvalidInput(f"cannot open the PDF: {e}") from e
    plumber = _open_plumber(path)
    try:
        for i in range(len(pdf)):
            start = time.perf_counter()
            text = _text_layer(plumber, i)
            if text is not None and is_real_text(text):
                yield PageResult(i, text.strip(), "text-layer", None, time.perf_counter() - start, 0)
                continue
            with page_errors(i):
                result = ocr_page(i, _render(pdf, i, settings), settings, start)
            yield result
    finally:
        if plumber is not None:
            plumber.close()
        with PDFIUM_LOCK:
            pdf.close()


def _open_plumber(path: Path) -> Any:
    try:
        return pdfplumber.open(path)
    except Exception as e:  # noqa: BLE001 - no text layer is not an error: every page gets OCR
        log.info("pdf_text_layer_unreadable", error=type(e).__name__)
        return None


def _text_layer(plumber: Any, index: int) -> str | None:
    if plumber is None:
        return None
    try:
        page = plumber.pages[index]
        try:
            return page.extract_text() or ""
        finally:
            page.close()  # drop pdfminer's parsed objects for this page
    except Exception as e:  # noqa: BLE001 - fall back to OCR for this page
        log.info("pdf_text_layer_failed", page=index, error=type(e).__name__)
        return None


def _render(pdf: pdfium.PdfDocument, index: int, settings: Settings) -> Image.Image:
    with PDFIUM_LOCK:
        page = pdf[index]
        try:
            width, height = page.get_size()  # points, /Rotate applied
            scale = settings.ocr_dpi / 72
            pixels = width * scale * height * scale
            if pixels > settings.max_image_pixels:
                # A poster-sized page: render smaller rather than exhaust memory.
                scale *= math.sqrt(settings.max_image_pixels / pixels)
            bitmap = page.render(scale=scale, grayscale=True)
            return bitmap.to_pil().copy()  # own the pixels, so PDFium's buffer can be freed
        finally:
            page.close()


def _image_pages(path: Path, mime: str, settings: Settings) -> Iterator[PageResult]:
    with open_image(path) as im:
        for index in itertools.count():
            start = time.perf_counter()
            with page_errors(index):
                image = _load_frame(im, index, mime, settings)
                result = None if image is None else ocr_page(index, image, settings, start)
            if result is None:
                return
            yield result


def _load_frame(im: Image.Image, index: int, mime: str, settings: Settings) -> Image.Image | None:
    try:
        im.seek(index)
    except EOFError:
        return None
    check_image_size(im.width, im.height, settings, page=index)
    im.load()
    frame = im.copy()
    if mime == JPEG:
        frame = ImageOps.exif_transpose(frame)  # phone photos carry their orientation in EXIF
    return frame


@contextmanager
def page_errors(index: int) -> Iterator[None]:
    """A decoding error of any kind on a page becomes an InvalidInput naming the page."""
    try:
        yield
    except (DomainError, pytesseract.TesseractNotFoundError):
        raise  # already readable, or a broken installation rather than a bad file
    except MemoryError as e:
        raise InvalidInput(f"page {index + 1}: too large to process") from e
    except Exception as e:  # PIL and PDFium raise many types for damaged data
        raise InvalidInput(f"page {index + 1}: damaged or unreadable ({type(e).__name__}: {e})") from e
