"""Issue 9.6: zero-page PDFs, images inside PDFs, polyglots and broken page trees, checked at intake."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from services.core.errors import InvalidInput
from services.core.settings import Settings, get_settings
from services.ingest.sniff import sniff
from tests.support import hostile


@pytest.fixture
def settings() -> Settings:
    return get_settings()


def _sniff(tmp_path: Path, data: bytes, settings: Settings, name: str = "f") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InvalidInput) as info:
        sniff(path, settings)
    return info.value.message


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_zero_page_pdf_has_its_own_reason_and_leaks_no_file(tmp_path: Path, settings: Settings) -> None:
    zero = hostile.pdf([b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"])
    before = _open_fds()
    for _ in range(5):
        reason = _sniff(tmp_path, zero, settings)
        assert reason == "PDF-filen har inga sidor (0 sidor)"
    assert _open_fds() == before


def test_images_inside_a_pdf_obey_the_pixel_limit(tmp_path: Path, settings: Settings) -> None:
    for side in (40000, 56000):
        reason = _sniff(tmp_path, hostile.image_pdf(side, side), settings)
        assert f"inbäddad bild för stor: {side}x{side}" in reason
    ok = tmp_path / "ok.pdf"
    ok.write_bytes(hostile.image_pdf(2000, 2000))
    assert sniff(ok, settings).pages == 1


def test_render_refuses_an_embedded_bomb_too(tmp_path: Path, settings: Settings) -> None:
    """The worker checks again before rendering (a file recorded before the intake check existed)."""
    import pypdfium2 as pdfium

    from services.ingest.extract import _render

    path = tmp_path / "bomb.pdf"
    path.write_bytes(hostile.image_pdf(40000, 40000))
    pdf = pdfium.PdfDocument(str(path))
    try:
        with pytest.raises(InvalidInput, match="inbäddad bild för stor"):
            _render(pdf, 0, settings)
    finally:
        pdf.close()


@pytest.mark.parametrize(
    "name",
    [
        "html-fore-pdf.pdf",
        "pdf-med-zip-efter.pdf",
        "png-med-pdf-efter.png",
        "png-med-html-efter.png",
        "jpeg-med-html-efter.jpg",
        "jpeg-med-zip-efter.jpg",
        "cirkular-sidtrad.pdf",
    ],
)
def test_polyglots_and_broken_trees_are_refused(tmp_path: Path, settings: Settings, name: str) -> None:
    data = dict(hostile.hostile_files())[name]
    reason = _sniff(tmp_path, data, settings)
    assert reason and "/" not in reason


def test_a_looping_tiff_directory_chain_is_refused(tmp_path: Path, settings: Settings) -> None:
    assert "i cirkel" in _sniff(tmp_path, hostile.tiff_loop(), settings)
    ok = tmp_path / "ok.tif"
    ok.write_bytes(hostile.tiff_frames(3))
    assert sniff(ok, settings).pages == 3
