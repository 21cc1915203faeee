"""Issue 12: the archival PDF checked structurally for PDF/A-2b with pikepdf (veraPDF is not available
here): an sRGB output intent with its ICC profile, XMP declaring part 2 conformance B, no encryption,
every font embedded, the text layer present; and for a JPEG scan neither the searchable nor the
archival PDF is larger than the scan's own JPEG bytes plus a small overhead (no re-encoding)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pdfplumber
import pikepdf
import pytest

from services.core.settings import get_settings
from services.export.archival import make_pdfa
from services.ingest.extract import extract_document
from services.ingest.pdf_output import build_searchable_pdf
from tests.ingest.test_pdf_output_jpeg import _jpeg_letter

OVERHEAD = 16 * 1024  # text layer, its glyphless font, the ICC profile, the XMP packet (measured: ~3-5 KB)


@pytest.fixture(scope="module")
def jpeg() -> bytes:
    return _jpeg_letter()  # an A4 letter at 150 dpi, JPEG quality 60


@pytest.fixture
def searchable(tmp_path: Path, isolated_settings: Path, jpeg: bytes) -> Path:
    original = tmp_path / "scan.jpg"
    original.write_bytes(jpeg)
    pdf_dir = tmp_path / "pages"
    pages = list(extract_document(original, "image/jpeg", get_settings(), pdf_dir=pdf_dir))
    assert pages[0].method == "ocr"
    dest = tmp_path / "searchable.pdf"
    build_searchable_pdf(original, "image/jpeg", [0], pdf_dir, dest)
    return dest


def _fonts(resources: Any, seen: set[tuple[int, int]]) -> list[Any]:
    """Every font of a resource dictionary, also inside form XObjects."""
    out: list[Any] = []
    if resources is None:
        return out
    for font in (resources.get("/Font") or {}).values():
        out.append(font)
    for xobj in (resources.get("/XObject") or {}).values():
        if xobj.get("/Subtype") == "/Form" and xobj.objgen not in seen:
            seen.add(xobj.objgen)
            out.extend(_fonts(xobj.get("/Resources"), seen))
    return out


def _embedded(font: Any) -> bool:
    if font.get("/Subtype") == "/Type0":
        return all(_embedded(d) for d in font.DescendantFonts)
    if font.get("/Subtype") == "/Type3":
        return True  # glyphs are content streams of the font itself
    desc = font.get("/FontDescriptor")
    return desc is not None and any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_archival_pdf_has_the_pdfa_2b_structure(searchable: Path, tmp_path: Path) -> None:
    dest = make_pdfa(searchable, "application/pdf", tmp_path / "archival.pdf", title="Försändelse 7")
    with pikepdf.open(dest) as pdf:
        assert not pdf.is_encrypted and "/Encrypt" not in pdf.trailer
        (intent,) = pdf.Root.OutputIntents
        assert intent.Type == "/OutputIntent" and intent.S == "/GTS_PDFA1"
        assert "sRGB" in str(intent.OutputConditionIdentifier)
        icc = intent.DestOutputProfile
        assert int(icc.N) == 3
        profile = icc.read_bytes()
        assert profile[36:40] == b"acsp" and profile[16:20] == b"RGB "  # an ICC profile of an RGB space
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
        assert meta["dc:title"] == "Försändelse 7"
        assert pdf.Root.Metadata.Type == "/Metadata" and pdf.Root.Metadata.Subtype == "/XML"
        fonts = [f for page in pdf.pages for f in _fonts(page.get("/Resources"), set())]
        assert fonts, "the text layer needs a font"
        assert all(_embedded(f) for f in fonts), [str(f.get("/BaseFont")) for f in fonts]
    with pdfplumber.open(dest) as doc:
        text = doc.pages[0].extract_text() or ""
    assert "bygglov" in text and "Ekeby" in text  # the text layer over the image


def test_a_jpeg_scan_is_not_made_larger(searchable: Path, tmp_path: Path, jpeg: bytes) -> None:
    archival = make_pdfa(searchable, "application/pdf", tmp_path / "archival.pdf", title="Försändelse 7")
    assert searchable.stat().st_size <= len(jpeg) + OVERHEAD, (searchable.stat().st_size, len(jpeg))
    assert archival.stat().st_size <= len(jpeg) + OVERHEAD, (archival.stat().st_size, len(jpeg))
    with pikepdf.open(archival) as pdf:
        (image,) = pdf.pages[0].images.values()
        assert image.Filter == "/DCTDecode" and image.read_raw_bytes() == jpeg  # the scan's own stream


def test_an_image_without_a_searchable_pdf_is_wrapped_losslessly(tmp_path: Path, jpeg: bytes) -> None:
    original = tmp_path / "scan.jpg"
    original.write_bytes(jpeg)
    archival = make_pdfa(original, "image/jpeg", tmp_path / "archival.pdf", title="")
    assert archival.stat().st_size <= len(jpeg) + OVERHEAD
    with pikepdf.open(archival) as pdf:
        assert not pdf.is_encrypted and pdf.open_metadata()["pdfaid:part"] == "2"
        (image,) = pdf.pages[0].images.values()
        assert image.read_raw_bytes() == jpeg
