"""Tesseract writes only the invisible text of a page; the searchable PDF lays it over the original page
as it is: a PNG's or a CCITT TIFF's image stream byte for byte, a scanned PDF page's own objects, the
text where the words are on the page, one page per original page."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pikepdf
import pypdfium2 as pdfium
import pytest
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from services.core.settings import get_settings
from services.ingest.extract import extract_document
from services.ingest.pdf_output import build_searchable_pdf, is_text_only, page_pdf_path
from tests.ingest.conftest import LINES, text_page

DPI = 300
WORD = "Fastighet"  # starts LINES[2], drawn at x = 80 px, y = 70 + 2 * 110 px (tests/ingest/conftest.text_page)


def _png_chunks(data: bytes, kind: bytes) -> bytes:
    out, pos = b"", 8
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        if data[pos + 4 : pos + 8] == kind:
            out += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return out


def _join(original: Path, mime: str, tmp_path: Path) -> tuple[Path, Path, int]:
    pdf_dir = tmp_path / "pages"
    pages = list(extract_document(original, mime, get_settings(), pdf_dir=pdf_dir))
    assert {p.method for p in pages} == {"ocr"}
    for p in pages:  # the tesseract call asked for the text only
        with pikepdf.open(page_pdf_path(pdf_dir, p.index)) as layer:
            assert is_text_only(layer.pages[0])
    dest = tmp_path / "searchable.pdf"
    assert build_searchable_pdf(original, mime, [p.index for p in pages], pdf_dir, dest) == len(pages)
    return dest, pdf_dir, len(pages)


def _word_box(dest: Path, page: int, word: str) -> tuple[float, float]:
    with pdfplumber.open(dest) as pdf:
        words = pdf.pages[page].extract_words()
    (hit,) = [w for w in words if w["text"].startswith(word)]
    return hit["x0"], hit["top"]


def _assert_at_its_place(dest: Path, page: int) -> None:
    x0, top = _word_box(dest, page, WORD)
    assert abs(x0 - 80 * 72 / DPI) < 6 and abs(top - (70 + 2 * 110) * 72 / DPI) < 8, (x0, top)


def test_png_page_keeps_its_image_stream_and_the_text_lies_over_its_words(tmp_path: Path) -> None:
    original = tmp_path / "scan.png"
    text_page(LINES, (2480, 1200)).save(original, dpi=(DPI, DPI))
    dest, _, pages = _join(original, "image/png", tmp_path)
    with pikepdf.open(dest) as pdf:
        assert len(pdf.pages) == pages == 1
        (image,) = pdf.pages[0].images.values()
        assert image.read_raw_bytes() == _png_chunks(original.read_bytes(), b"IDAT")  # not re-encoded
        assert [round(float(v)) for v in pdf.pages[0].mediabox] == [0, 0, 595, 288]  # 2480 x 1200 px at 300 dpi
    assert dest.stat().st_size < original.stat().st_size + 16 * 1024
    _assert_at_its_place(dest, 0)


def test_bilevel_tiff_pages_keep_their_g4_streams(tmp_path: Path) -> None:
    frames = [text_page(LINES, (2480, 1200)).point(lambda v: 255 if v > 128 else 0).convert("1") for _ in range(2)]
    original = tmp_path / "scan.tif"
    frames[0].save(original, compression="group4", save_all=True, append_images=frames[1:], dpi=(DPI, DPI))
    dest, _, pages = _join(original, "image/tiff", tmp_path)
    with pikepdf.open(dest) as pdf:
        assert len(pdf.pages) == pages == 2
        for i, page in enumerate(pdf.pages):
            (image,) = page.images.values()
            assert [str(f) for f in image.Filter] == ["/CCITTFaxDecode"]  # the scanner's G4 data, as it was
            pixels = pikepdf.PdfImage(image).as_pil_image().convert("1")
            assert pixels.tobytes() == frames[i].tobytes()
    for i in range(2):
        _assert_at_its_place(dest, i)


def test_scanned_pdf_page_is_the_original_page_under_the_text(tmp_path: Path) -> None:
    scan = text_page(LINES, (2480, 1200))
    png = io.BytesIO()
    scan.save(png, "PNG")
    original = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(original), pagesize=(2480 * 72 / DPI, 1200 * 72 / DPI))
    c.drawImage(ImageReader(io.BytesIO(png.getvalue())), 0, 0, 2480 * 72 / DPI, 1200 * 72 / DPI)
    c.showPage()
    c.save()
    with pikepdf.open(original) as src:
        (before,) = src.pages[0].images.values()
        raw, pixels = before.read_raw_bytes(), before.read_bytes()
    dest, _, pages = _join(original, "application/pdf", tmp_path)
    with pikepdf.open(dest) as pdf:
        assert len(pdf.pages) == pages == 1
        (image,) = pdf.pages[0].images.values()
        assert image.read_bytes() == pixels  # the original page's image object (only its ASCII85 wrapping gone)
        assert len(image.read_raw_bytes()) <= len(raw)
    _assert_at_its_place(dest, 0)


def _char_box(dest: Path, word: str) -> tuple[float, float, float, float]:
    """The word's box in the page's own (unrotated) space, by PDFium (it reads turned text too)."""
    pdf = pdfium.PdfDocument(str(dest))
    try:
        page = pdf[0]
        text = page.get_textpage()
        start, count = text.search(word).get_next()
        boxes = [text.get_charbox(i) for i in range(start, start + count)]
        text.close()
        page.close()
    finally:
        pdf.close()
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


@pytest.mark.parametrize("degrees", [180, 90])
def test_a_page_read_turned_keeps_its_image_and_is_shown_upright_with_the_text_over_its_words(
    tmp_path: Path, degrees: int
) -> None:
    original = tmp_path / "scan.png"
    text_page(LINES, (2480, 1200)).rotate(degrees, expand=True).save(original, dpi=(DPI, DPI))  # counter-clockwise
    (page,) = list(extract_document(original, "image/png", get_settings(), pdf_dir=tmp_path / "read"))
    assert page.rotation == degrees  # read turned clockwise back
    dest, _, _ = _join(original, "image/png", tmp_path)
    with pikepdf.open(dest) as pdf:
        (image,) = pdf.pages[0].images.values()
        assert image.read_raw_bytes() == _png_chunks(original.read_bytes(), b"IDAT")  # the scan as it lies
        assert int(pdf.pages[0].Rotate) == degrees  # shown upright
    x0, y0, x1, _ = _char_box(dest, WORD)
    # Where the word lies on the turned scan (PDF space: origin bottom left, before /Rotate).
    if degrees == 180:
        assert abs(x1 - (2480 - 80) * 72 / DPI) < 6 and abs(y0 - (70 + 2 * 110) * 72 / DPI) < 8, (x1, y0)
    else:
        assert abs(x0 - (70 + 2 * 110) * 72 / DPI) < 8 and abs(y0 - 80 * 72 / DPI) < 6, (x0, y0)
