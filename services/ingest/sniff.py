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
import pypdfium2.raw as pdfium_c
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
            raise InvalidInput("tom fil (0 byte)")
        if size > settings.max_upload_bytes:
            raise PayloadTooLarge(f"filen är {_mb(size)}, större än gränsen {_mb(settings.max_upload_bytes)}")
        with path.open("rb") as f:
            head = f.read(1024)
    except OSError as e:
        raise InvalidInput(f"filen kan inte läsas: {e.strerror or type(e).__name__}") from e
    mime = mime_from_header(head)
    if mime is None:
        raise UnsupportedType(
            "filtypen stöds inte: innehållet är inte PDF, TIFF, PNG eller JPEG (filens innehåll avgör, inte namnet)"
        )
    why = polyglot_reason(path, mime, head, size)
    if why:
        raise InvalidInput(
            f"filen är samtidigt något annat än {IMAGE_TYPES.get(mime, 'PDF')} ({why}); skicka ett rent dokument"
        )
    pages = _pdf_pages(path, size, settings) if mime == PDF else _image_pages(path, mime, settings)
    if pages == 0:
        raise InvalidInput("dokumentet har inga sidor")
    if pages > settings.max_pages:
        raise InvalidInput(f"för många sidor: {pages} (gränsen är {settings.max_pages} per försändelse)")
    return FileInfo(mime=mime, pages=pages)


def _pdf_pages(path: Path, size: int, settings: Settings) -> int:
    # A PDF ends with %%EOF; without it the file was cut off (an interrupted upload or a scanner
    # still writing). PDFium would "repair" it and silently lose pages, so refuse it here.
    with path.open("rb") as f:
        f.seek(max(0, size - _PDF_EOF_WINDOW))
        if b"%%EOF" not in f.read():
            raise InvalidInput("avkortad eller skadad PDF (filslutsmarkering saknas)")
    # Our own file object, closed here whatever PDFium does (it leaked a descriptor per failed load).
    with path.open("rb") as f, PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(f, autoclose=False)
        except pdfium.PdfiumError as e:
            if "password" in str(e).lower():
                raise InvalidInput("krypterad PDF (lösenordsskyddad); skicka den utan lösenord") from e
            if _is_empty_page_tree(path):  # PDFium's own error code is unreliable here ("Success")
                raise InvalidInput("PDF-filen har inga sidor (0 sidor)") from e
            raise InvalidInput(f"skadad PDF, kan inte öppnas ({_pdfium_reason(e)})") from e
        try:
            pages = len(pdf)
            if 0 < pages <= settings.max_pages:
                for index in range(pages):
                    check_embedded_images(pdf, index, settings)
            return pages
        except pdfium.PdfiumError as e:  # a page that cannot be loaded (a looping page tree, ...)
            raise InvalidInput(f"skadad PDF, en sida kan inte läsas ({_pdfium_reason(e)})") from e
        finally:
            pdf.close()


_PAGE_OBJECT_RE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_PAGE_TREE_RE = re.compile(rb"/Type\s*/Pages(?![a-zA-Z])")


_MARKUP = (b"<html", b"<!doctype", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")
_FOREIGN = (b"%PDF-", b"PK\x03\x04", b"PK\x05\x06", *_MARKUP)
_TAIL = 1 << 20


def polyglot_reason(path: Path, mime: str, head: bytes, size: int) -> str | None:
    """Why the file is also another kind of file (a polyglot: HTML, ZIP or PDF hidden in or around it), or None.

    Checks the file's edges only: what stands before a PDF's header, a ZIP directory at the end, and
    what follows an image's end marker. Bounded: the first kilobyte and the last megabyte are read.
    """
    with path.open("rb") as f:
        f.seek(max(0, size - _TAIL))
        tail = f.read()
    if b"PK\x05\x06" in tail[-(65536 + 22) :]:
        return "ett ZIP-arkiv i slutet"
    if mime == PDF:
        prefix = head[: head.find(b"%PDF-")].lower()
        if any(m in prefix for m in (*_MARKUP, b"pk\x03\x04", b"mz")):
            return "annat innehåll före PDF-huvudet"
        return None
    if mime == PNG:
        end = tail.rfind(b"IEND")
        trailing = tail[end + 8 :] if end >= 0 else tail
    elif mime == JPEG:
        end = tail.rfind(b"\xff\xd9")
        trailing = tail[end + 2 :] if end >= 0 else tail
    else:
        return None  # TIFF is laid out by offsets: nothing "after the end" to look at
    lowered = trailing.lower()
    if any(m.lower() in lowered for m in _FOREIGN):
        return "data efter bildens slut"
    return None


def _is_empty_page_tree(path: Path) -> bool:
    """A page tree (/Type /Pages) without a single page object (/Type /Page): a PDF of zero pages."""
    found_tree = False
    with path.open("rb") as f:
        tail = b""
        for chunk in iter(lambda: f.read(1 << 20), b""):
            window = tail + chunk
            if _PAGE_OBJECT_RE.search(window):
                return False
            found_tree = found_tree or _PAGE_TREE_RE.search(window) is not None
            tail = chunk[-32:]
    return found_tree


def check_embedded_images(pdf: pdfium.PdfDocument, index: int, settings: Settings) -> None:
    """The pixel limit for the images inside a PDF page (a 40000x40000 JPEG in a 1.5 MB PDF); headers only,
    nothing is decoded. Call with PDFIUM_LOCK held."""
    page = pdf[index]
    try:
        for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=4):
            size = obj.get_px_size if hasattr(obj, "get_px_size") else obj.get_size  # pypdfium2 5 / 4
            width, height = size()
            if width * height > settings.max_image_pixels:
                raise InvalidInput(
                    f"sida {index + 1}: inbäddad bild för stor: {width}x{height} pixlar "
                    f"(gränsen är {settings.max_image_pixels:,} pixlar)"
                )
    finally:
        page.close()


def _pdfium_reason(e: Exception) -> str:
    msg = str(e)
    return msg.split("(PDFium: ", 1)[1].rstrip(").") if "(PDFium: " in msg else msg


def check_image_size(width: int, height: int, settings: Settings, page: int | None = None) -> None:
    if width * height > settings.max_image_pixels:
        where = f"sida {page + 1}: " if page is not None else ""
        raise InvalidInput(
            f"{where}bilden är för stor: {width}x{height} pixlar (gränsen är {settings.max_image_pixels:,} pixlar)"
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
        size = f"{int(pixels.group(1)):,} pixlar" if pixels else "för många pixlar"
        raise InvalidInput(f"bilden är för stor: {size}, över den säkra gränsen för avkodning") from e
    except (OSError, SyntaxError, ValueError) as e:
        raise InvalidInput(f"skadad eller oläsbar bild: {e}") from e


def _tiff_chain_loops(path: Path, limit: int) -> bool:
    """Whether a classic TIFF's chain of directories points back at itself (PIL silently stops there)."""
    with path.open("rb") as f:
        head = f.read(8)
        if len(head) < 8 or head[:4] not in (b"II*\x00", b"MM\x00*"):
            return False  # BigTIFF or damaged: PIL judges it
        order = "<" if head[:2] == b"II" else ">"
        offset = struct.unpack(order + "I", head[4:8])[0]
        seen: set[int] = set()
        while offset and len(seen) < limit:
            if offset in seen:
                return True
            seen.add(offset)
            f.seek(offset)
            raw = f.read(2)
            if len(raw) < 2:
                return False
            (entries,) = struct.unpack(order + "H", raw)
            f.seek(offset + 2 + 12 * entries)
            raw = f.read(4)
            if len(raw) < 4:
                return False
            offset = struct.unpack(order + "I", raw)[0]
    return False


def _image_pages(path: Path, mime: str, settings: Settings) -> int:
    with open_image(path) as im:
        kind = IMAGE_TYPES[mime]
        if im.format != kind:
            raise InvalidInput(f"skadad bild: huvudet säger {kind}, innehållet läses som {im.format}")
        if mime != TIFF:
            check_image_size(im.width, im.height, settings)
            return 1
        if _tiff_chain_loops(path, settings.max_pages + 2):
            raise InvalidInput("skadad TIFF: sidkedjan går i cirkel (en sida pekar tillbaka på en tidigare)")
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
            raise InvalidInput(f"skadad TIFF (sida {count + 1}): {e}") from e


def image_dpi(image: Image.Image) -> int:
    """A page image's resolution as OCR takes it."""
    dpi = image.info.get("dpi")
    try:
        value = round(float(dpi[0])) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    return value if 72 <= value <= 1200 else 300  # no or nonsense resolution: assume a 300 dpi scan
