"""Tesseract calls: one page image in, upright text and its mean word confidence out.

Orientation: most pages arrive upright, so a page is read once as it is; only when the mean word
confidence is low is tesseract's orientation detection (OSD) asked, and the page read again turned
the way OSD says (or by 180 degrees when OSD gives up, as it does on pages with little text). The
better of the readings is kept. This costs one OCR pass for a good page instead of OSD + OCR.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytesseract
import pytesseract.pytesseract as tess
from PIL import Image, ImageOps

from services.core.errors import InvalidInput

# Below this mean word confidence a page may be upside down (upright scans read at 85-96,
# upside-down ones at 40-55 on the corpus).
LOW_CONFIDENCE = 70.0
# OSD's own confidence below this is a guess.
MIN_OSD_CONFIDENCE = 2.0
# A page with fewer dark pixels than this fraction is blank (the back of a duplex scan).
BLANK_INK_FRACTION = 0.0001
# Guard against a tesseract process that never returns.
TESSERACT_TIMEOUT = 300


@dataclass
class OcrText:
    text: str
    confidence: float | None  # mean word confidence 0-100; None when no words were found
    words: int
    pdf: bytes | None = None  # the page's invisible text layer as a PDF page, from the same pass
    pdf_text_only: bool = False  # `pdf` holds only the text: the original page goes under it when joined


def limit_threads() -> None:
    # Tesseract's OpenMP threads make a page several times slower on a busy machine; one process
    # per core is faster. Set at call time so importing this module changes nothing.
    os.environ["OMP_THREAD_LIMIT"] = "1"


def to_grayscale(image: Image.Image) -> Image.Image:
    if image.mode in ("1", "L"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("L")
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        return ImageOps.autocontrast(image.convert("F").convert("L"))
    return image.convert("L")


def is_blank(image: Image.Image) -> bool:
    gray = image if image.mode == "L" else image.convert("L")
    hist = gray.histogram()
    dark = sum(hist[:128])
    return dark < BLANK_INK_FRACTION * gray.width * gray.height


def read_text(
    image: Image.Image, lang: str, config: str = "", pdf_dpi: int | None = None, text_only: bool = False
) -> OcrText:
    """One tesseract pass: text laid out as lines and paragraphs, and the mean word confidence.

    With `pdf_dpi`, the same pass also renders the page as a searchable PDF page at that resolution,
    so a searchable PDF costs no second recognition: with `text_only`, only the invisible text (the
    original page is laid under it when the document is joined: tesseract re-encoding the page image
    costs CPU and makes it larger), else the page image with the text over it.
    """
    data, pdf = _tesseract(_tsv_and_pdf, image, lang=lang, config=config, dpi=pdf_dpi, text_only=text_only)
    paragraphs: list[list[list[str]]] = []  # paragraphs of lines of words
    confs: list[float] = []
    last_par: tuple[int, int] | None = None
    last_line: int | None = None
    for block, par, line, word, conf in zip(
        data["block_num"], data["par_num"], data["line_num"], data["text"], data["conf"], strict=True
    ):
        word = (word or "").strip()
        if not word:
            continue
        if (block, par) != last_par:
            paragraphs.append([])
            last_par, last_line = (block, par), None
        if line != last_line:
            paragraphs[-1].append([])
            last_line = line
        paragraphs[-1][-1].append(word)
        if float(conf) >= 0:
            confs.append(float(conf))
    text = "\n\n".join("\n".join(" ".join(words) for words in lines) for lines in paragraphs)
    confidence = round(sum(confs) / len(confs), 2) if confs else None
    return OcrText(text=text, confidence=confidence, words=len(confs), pdf=pdf, pdf_text_only=bool(pdf and text_only))


def _tsv_and_pdf(
    image: Image.Image, *, lang: str, config: str, dpi: int | None, text_only: bool, timeout: int
) -> tuple[dict, bytes | None]:
    """Run tesseract once: the TSV (words, boxes, confidences) and, with `dpi`, the page as a PDF.

    The page goes to tesseract as an uncompressed TIFF: PNG (pytesseract's default) costs ~0.15 s to
    compress a 300 dpi grayscale page and PNM is slower for leptonica to read; measured with
    bench/ocr_throughput.py, uncompressed TIFF brings tesseract's CPU time per page to the floor.
    """
    with tempfile.TemporaryDirectory(prefix="posthantering-ocr-") as tmp:
        source = _raw_tiff(image, Path(tmp))
        base = str(Path(tmp) / "out")
        options = "-c tessedit_create_tsv=1"
        if dpi:
            options = f"--dpi {dpi} {options} -c tessedit_create_pdf=1"
            if text_only:
                options += " -c textonly_pdf=1"
        tess.run_tesseract(str(source), base, "", lang, f"{options} {config}".strip(), 0, timeout)
        tsv = Path(f"{base}.tsv").read_text(encoding="utf-8")
        pdf = Path(f"{base}.pdf").read_bytes() if dpi else None
    return tess.file_to_dict(tsv, "\t", -1), pdf


def _raw_tiff(image: Image.Image, folder: Path) -> Path:
    source = folder / "page.tif"
    page = image if image.mode in ("1", "L", "RGB") else image.convert("L")
    page.save(source, "TIFF", compression="raw")
    return source


def _osd(image: Image.Image, *, timeout: int) -> dict:  # type: ignore[type-arg]
    """`tesseract --psm 0` on the page as an uncompressed TIFF (pytesseract's image_to_osd spends
    ~0.15 s compressing it as a PNG first)."""
    with tempfile.TemporaryDirectory(prefix="posthantering-osd-") as tmp:
        source = _raw_tiff(image, Path(tmp))
        base = str(Path(tmp) / "out")
        tess.run_tesseract(str(source), base, "osd", "osd", "--psm 0", 0, timeout)
        return tess.osd_to_dict(Path(f"{base}.osd").read_text(encoding="utf-8"))


def detect_rotation(image: Image.Image) -> int | None:
    """Degrees (clockwise) to turn the page upright per tesseract OSD, or None when OSD cannot tell."""
    try:
        osd = _tesseract(_osd, image)
    except InvalidInput:
        return None  # "Too few characters", an empty page, ...
    if float(osd.get("orientation_conf", 0)) < MIN_OSD_CONFIDENCE:
        return None
    return int(osd.get("rotate", 0)) % 360


def turn(image: Image.Image, degrees: int) -> Image.Image:
    # OSD's "rotate" is clockwise; PIL's rotate() is counter-clockwise.
    return image.rotate(-degrees, expand=True) if degrees else image


def read_upright(
    image: Image.Image, lang: str, config: str = "", pdf_dpi: int | None = None, text_only: bool = False
) -> tuple[OcrText, int]:
    """Read a page, turning it upright if needed. Returns the reading and the degrees turned (a turned
    reading's text-only PDF page lies as the turned image: pdf_output.turn_back_layer fits it to the
    original)."""
    first = read_text(image, lang, config, pdf_dpi, text_only)
    if first.confidence is None or first.confidence >= LOW_CONFIDENCE:
        return first, 0
    rotation = detect_rotation(image)
    if rotation == 0:
        return first, 0  # upright, just a poor scan
    rotation = rotation or 180
    second = read_text(turn(image, rotation), lang, config, pdf_dpi, text_only)
    if second.confidence is not None and second.confidence > first.confidence:
        return second, rotation
    return first, 0


def _tesseract(fn, image: Image.Image, **kwargs):  # type: ignore[no-untyped-def]
    try:
        return fn(image, timeout=TESSERACT_TIMEOUT, **kwargs)
    except pytesseract.TesseractNotFoundError:
        raise  # a broken installation, not a bad page
    except pytesseract.TesseractError as e:
        raise InvalidInput(f"OCR misslyckades: {str(e.message).strip() or e.status}") from e
    except RuntimeError as e:  # pytesseract's timeout
        raise InvalidInput(f"OCR misslyckades: {e}") from e
