"""Text extraction, one page at a time: the PDF text layer when it is real text, OCR otherwise.

Pages are yielded as they are done, so a 300-page document never has more than one page image in
memory. Any failure to decode a page becomes an InvalidInput naming the page.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pytesseract
from PIL import Image, ImageOps

from services.core.environment import is_environment_error, storage_reason
from services.core.errors import DomainError, InvalidInput, StorageUnavailable
from services.core.logging import get_logger
from services.core.settings import Settings
from services.ingest import ocr, quality
from services.ingest.pdf_output import page_pdf_path, turn_back_layer
from services.ingest.pdf_scan_image import scanned_jpeg
from services.ingest.schemas import PageResult
from services.ingest.separation_signals import analyse_page, turned
from services.ingest.sniff import (
    JPEG,
    PDF,
    PDFIUM_LOCK,
    check_embedded_images,
    check_image_size,
    image_dpi,
    open_image,
    sniff,
)

log = get_logger(__name__)


def extract_document(path: Path, mime: str, settings: Settings, pdf_dir: Path | None = None) -> Iterator[PageResult]:
    """Every page in order. With `pdf_dir`, each OCR'd page also leaves its searchable PDF page there."""
    with open_source(path, mime, settings, pdf_dir) as source:
        for index in itertools.count():
            result = source.page(index)
            if result is None:
                return
            yield result


def extract_page(path: Path, mime: str, index: int, settings: Settings, pdf_dir: Path | None = None) -> PageResult:
    """One page (for page-parallel OCR); InvalidInput when the document has no such page."""
    with open_source(path, mime, settings, pdf_dir) as source:
        result = source.page(index)
    if result is None:
        raise InvalidInput(f"sida {index + 1}: dokumentet har ingen sådan sida")
    return result


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
                "note": p.note,
            }
            for p in pages
        ],
        "text": "\n\n".join(p.text for p in pages),
        "seconds": round(time.perf_counter() - start, 3),
    }


def low_confidence_pages(pages: Iterable[Any], threshold: float) -> list[int]:
    """Indexes of OCR'd pages read below `threshold` mean word confidence (PageResult or Page rows)."""
    return [p.index for p in pages if p.method == "ocr" and p.confidence is not None and p.confidence < threshold]


def is_real_text(text: str) -> bool:
    return quality.judge_text_layer(text, None).usable


def ocr_page(
    index: int,
    image: Image.Image,
    settings: Settings,
    start: float,
    pdf_dir: Path | None = None,
    dpi: int = 300,
    text_only: bool = True,
) -> PageResult:
    """OCR one page image. With `pdf_dir`, its PDF page is left there: with `text_only` (the original page
    can go under it: it has no text of its own to hide) just the invisible text, else tesseract's page."""
    image = ocr.to_grayscale(image)
    # Separation's signals come from this same image; a separator sheet or a blank back is not OCR'd.
    signals = analyse_page(image, dpi) if settings.separation_enabled else {}
    if signals.get("separator"):
        return PageResult(index, "", "separator", None, time.perf_counter() - start, 0, signals=signals)
    if ocr.is_blank(image) or signals.get("ink", 1.0) < settings.separation_blank_ink:
        return PageResult(index, "", "empty", None, time.perf_counter() - start, 0, signals=signals)
    reading, rotation = ocr.read_upright(
        image,
        settings.ocr_languages,
        settings.ocr_config,
        pdf_dpi=dpi if pdf_dir is not None else None,
        text_only=text_only,
    )
    if pdf_dir is not None and reading.pdf is not None:
        layer = turn_back_layer(reading.pdf, rotation) if rotation and reading.pdf_text_only else reading.pdf
        if layer is not None:  # else the searchable PDF has this page without text (logged)
            _write_atomic(page_pdf_path(pdf_dir, index), layer)
    method = "ocr" if reading.text else "empty"
    return PageResult(
        index,
        reading.text,
        method,
        reading.confidence,
        time.perf_counter() - start,
        rotation,
        signals=turned(signals, rotation),
    )


def _write_atomic(dest: Path, data: bytes) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, dest)


class _Source:
    """An open document that hands out one page at a time (one page image in memory at most)."""

    def __init__(self, path: Path, mime: str, settings: Settings, pdf_dir: Path | None) -> None:
        self.path, self.mime, self.settings, self.pdf_dir = path, mime, settings, pdf_dir
        self.pdf: pdfium.PdfDocument | None = None
        self.plumber: Any = None
        self.image: Image.Image | None = None

    def open(self) -> None:
        if self.mime == PDF:
            with PDFIUM_LOCK:
                try:
                    self.pdf = pdfium.PdfDocument(str(self.path))
                except pdfium.PdfiumError as e:
                    raise InvalidInput(f"PDF-filen kan inte öppnas: {e}") from e
            self.plumber = _open_plumber(self.path)
        else:
            self.image = open_image(self.path)

    def close(self) -> None:
        if self.plumber is not None:
            self.plumber.close()
        if self.pdf is not None:
            with PDFIUM_LOCK:
                self.pdf.close()
        if self.image is not None:
            self.image.close()

    def page(self, index: int) -> PageResult | None:
        start = time.perf_counter()
        if self.pdf is not None:
            if index >= len(self.pdf):
                return None
            return self._pdf_page(index, start)
        assert self.image is not None
        with page_errors(index):
            frame = _load_frame(self.image, index, self.mime, self.settings)
            if frame is None:
                return None
            dpi = image_dpi(frame)
            return ocr_page(index, frame, self.settings, start, self.pdf_dir, dpi)

    def _pdf_page(self, index: int, start: float) -> PageResult:
        assert self.pdf is not None
        text = _text_layer(self.plumber, index)
        facts = None
        if text and text.strip():
            with page_errors(index), PDFIUM_LOCK:
                page = self.pdf[index]
                try:
                    facts = quality.page_facts(page)
                finally:
                    page.close()
        verdict = quality.judge_text_layer(text, facts)
        if verdict.usable and text is not None:
            return PageResult(index, text.strip(), "text-layer", None, time.perf_counter() - start, 0)
        if verdict.reason:
            log.info("text_layer_rejected", page=index, reason=verdict.reason)
        with page_errors(index):
            image, dpi = _render(self.pdf, index, self.settings)
            # A rejected (or unreadable) text layer stays in the original page: that page then gets
            # tesseract's own, the rendered image with only the OCR text.
            keeps_text = text is None or bool(text.strip())
            result = ocr_page(index, image, self.settings, start, self.pdf_dir, dpi, text_only=not keeps_text)
        result.note = verdict.reason
        return result


@contextmanager
def open_source(path: Path, mime: str, settings: Settings, pdf_dir: Path | None = None) -> Iterator[_Source]:
    ocr.limit_threads()
    source = _Source(path, mime, settings, pdf_dir)
    source.open()
    try:
        yield source
    finally:
        source.close()


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


def _render(pdf: pdfium.PdfDocument, index: int, settings: Settings) -> tuple[Image.Image, int]:
    with PDFIUM_LOCK:
        check_embedded_images(pdf, index, settings)  # a huge image inside the page: quarantine, not 2 GB
        page = pdf[index]
        try:
            scan = scanned_jpeg(page, settings.ocr_dpi)  # a page that is just a JPEG: decoded, not rendered
            if scan is not None:
                return scan
            width, height = page.get_size()  # points, /Rotate applied
            scale = settings.ocr_dpi / 72
            pixels = width * scale * height * scale
            if pixels > settings.max_image_pixels:
                # A poster-sized page: render smaller rather than exhaust memory.
                scale *= math.sqrt(settings.max_image_pixels / pixels)
            bitmap = page.render(scale=scale, grayscale=True)
            return bitmap.to_pil().copy(), round(scale * 72)  # own the pixels, so PDFium's buffer can be freed
        finally:
            page.close()


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
        raise InvalidInput(f"sida {index + 1}: för stor för att behandlas") from e
    except Exception as e:  # PIL and PDFium raise many types for damaged data
        if is_environment_error(e):  # a full or failing disk says nothing about the letter: retried
            raise StorageUnavailable(storage_reason(e)) from e
        raise InvalidInput(f"sida {index + 1}: skadad eller oläsbar ({type(e).__name__}: {e})") from e
