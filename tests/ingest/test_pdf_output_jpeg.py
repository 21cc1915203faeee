"""The searchable PDF keeps a JPEG page's original stream (no larger re-encoding), with the text layer over it."""

from __future__ import annotations

import io
from pathlib import Path

import img2pdf
import pdfplumber
import pikepdf
from PIL import Image, ImageDraw, ImageFont

from services.core.settings import get_settings
from services.ingest.extract import extract_document
from services.ingest.pdf_output import build_searchable_pdf


def _jpeg_letter() -> bytes:
    img = Image.new("RGB", (1240, 1754), "white")  # A4 at 150 dpi
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype("DejaVuSans.ttf", 34)
    for i, line in enumerate(["Ansökan om bygglov", "Fastighet Ekeby 4:112", "Garage med förråd"]):
        draw.text((120, 160 + 70 * i), line, fill="black", font=font)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=60, dpi=(150, 150))
    return buf.getvalue()


def test_jpeg_pdf_page_keeps_its_jpeg_and_gets_a_text_layer(tmp_path: Path, isolated_settings: Path) -> None:
    jpeg = _jpeg_letter()
    original = tmp_path / "scan.pdf"
    original.write_bytes(img2pdf.convert(jpeg))
    pdf_dir = tmp_path / "pages"
    pages = list(extract_document(original, "application/pdf", get_settings(), pdf_dir=pdf_dir))
    assert pages[0].method == "ocr"
    dest = tmp_path / "searchable.pdf"
    build_searchable_pdf(original, "application/pdf", [0], pdf_dir, dest)

    with pikepdf.open(pdf_dir / "page-00000.pdf") as layer:
        assert "/XObject" not in layer.pages[0].Resources  # tesseract made the text only, no image
    assert dest.stat().st_size < original.stat().st_size * 1.5
    with pikepdf.open(dest) as pdf:
        (image,) = pdf.pages[0].images.values()
        assert image.Filter == "/DCTDecode"
        assert image.read_raw_bytes() == jpeg  # the very same JPEG stream
    with pdfplumber.open(dest) as pdf:
        assert "bygglov" in (pdf.pages[0].extract_text() or "")


def test_jpeg_file_keeps_its_stream(tmp_path: Path, isolated_settings: Path) -> None:
    jpeg = _jpeg_letter()
    original = tmp_path / "scan.jpg"
    original.write_bytes(jpeg)
    pdf_dir = tmp_path / "pages"
    list(extract_document(original, "image/jpeg", get_settings(), pdf_dir=pdf_dir))
    dest = tmp_path / "searchable.pdf"
    build_searchable_pdf(original, "image/jpeg", [0], pdf_dir, dest)
    with pikepdf.open(dest) as pdf:
        (image,) = pdf.pages[0].images.values()
        assert image.read_raw_bytes() == jpeg
    with pdfplumber.open(dest) as pdf:
        assert "Ekeby" in (pdf.pages[0].extract_text() or "")
