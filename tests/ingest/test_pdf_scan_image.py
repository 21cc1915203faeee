"""A PDF page that is just a full-page JPEG is decoded, not rendered; anything else is rendered as before."""

from __future__ import annotations

import io
from pathlib import Path

import img2pdf
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageStat

from services.core.settings import get_settings
from services.ingest.extract import _render, extract_document
from services.ingest.pdf_scan_image import scanned_jpeg
from tests.ingest.conftest import LINES, text_page


def _jpeg(dpi: int, mode: str = "L") -> bytes:
    page = text_page(LINES, (2480 * dpi // 300, 1200 * dpi // 300)).convert(mode)
    buf = io.BytesIO()
    page.save(buf, "JPEG", quality=75, dpi=(dpi, dpi))
    return buf.getvalue()


def _pdf(tmp_path: Path, jpeg: bytes, name: str = "scan.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(img2pdf.convert(jpeg))
    return path


def _scan(path: Path) -> tuple[Image.Image, int] | None:
    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[0]
        try:
            return scanned_jpeg(page, 300)
        finally:
            page.close()
    finally:
        pdf.close()


def _rendered(path: Path) -> Image.Image:
    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[0]
        image = page.render(scale=300 / 72, grayscale=True).to_pil().convert("L")
        page.close()
        return image
    finally:
        pdf.close()


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_a_full_page_jpeg_is_decoded_as_pdfium_would_render_it(tmp_path: Path, mode: str) -> None:
    path = _pdf(tmp_path, _jpeg(300, mode))
    got = _scan(path)
    assert got is not None
    image, dpi = got
    assert dpi == 300 and image.mode == "L" and image.size == (2480, 1200)
    rendered = _rendered(path).resize(image.size)
    assert ImageStat.Stat(ImageChops.difference(image, rendered)).mean[0] < 3


def test_a_600_dpi_jpeg_is_decoded_at_half_scale(tmp_path: Path) -> None:
    got = _scan(_pdf(tmp_path, _jpeg(600)))
    assert got is not None and got[1] == 300 and got[0].size == (2480, 1200)


def test_a_low_resolution_jpeg_is_rendered_up_to_the_ocr_resolution(tmp_path: Path) -> None:
    path = _pdf(tmp_path, _jpeg(150))
    assert _scan(path) is None
    image, dpi = _render(pdfium.PdfDocument(str(path)), 0, get_settings())
    assert dpi == 300 and abs(image.width - 2480) <= 2


def test_an_inverted_jpeg_is_rendered_as_the_pdf_shows_it(tmp_path: Path) -> None:
    path = _pdf(tmp_path, _jpeg(300))
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        (image,) = pdf.pages[0].images.values()
        image.Decode = pikepdf.Array([1, 0])  # white is black: the picture is not the JPEG's
        pdf.save(path)
    assert _scan(path) is None


def test_a_jpeg_with_more_on_the_page_is_rendered(tmp_path: Path) -> None:
    path = _pdf(tmp_path, _jpeg(300))
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]
        page.contents_add(pdf.make_stream(b"q 0 g 10 10 100 20 re f Q"), prepend=False)  # a stamp drawn over it
        pdf.save(path)
    assert _scan(path) is None


def test_the_page_is_read(tmp_path: Path, isolated_settings: Path) -> None:
    path = _pdf(tmp_path, _jpeg(300))
    (page,) = list(extract_document(path, "application/pdf", get_settings()))
    assert page.method == "ocr" and "Ekeby 4:112" in page.text
