from __future__ import annotations

import time
from pathlib import Path

import pytest

from services.core.errors import InvalidInput, PayloadTooLarge, UnsupportedType
from services.core.settings import Settings, get_settings
from services.ingest.sniff import sniff


@pytest.fixture
def settings() -> Settings:
    return get_settings()


@pytest.mark.parametrize(
    ("name", "mime", "pages"),
    [
        ("scan", "image/png", 1),
        ("photo", "image/jpeg", 1),
        ("two_page", "image/tiff", 2),
        ("digital", "application/pdf", 1),
        ("image_only", "application/pdf", 1),
    ],
)
def test_identifies_type_by_content(samples: dict[str, Path], settings: Settings, name: str, mime: str, pages: int):
    info = sniff(samples[name], settings)
    assert (info.mime, info.pages) == (mime, pages)


def test_name_does_not_matter(samples: dict[str, Path], settings: Settings, tmp_path: Path):
    renamed = tmp_path / "brev.txt"
    renamed.write_bytes(samples["digital"].read_bytes())
    assert sniff(renamed, settings).mime == "application/pdf"


def test_external_phototest(settings: Settings):
    from tests.ingest.conftest import EXTERNAL

    assert sniff(EXTERNAL / "phototest.tif", settings).mime == "image/tiff"


@pytest.mark.parametrize(
    ("name", "error", "words"),
    [
        ("empty", InvalidInput, "tom fil (0 byte)"),
        ("text_named", UnsupportedType, "filtypen stöds inte"),
        ("truncated", InvalidInput, "avkortad"),
        ("encrypted", InvalidInput, "krypterad PDF"),
        ("huge", InvalidInput, "bilden är för stor: 900,000,000 pixlar"),
    ],
)
def test_rejects_bad_files_with_a_reason(
    samples: dict[str, Path], settings: Settings, name: str, error: type[Exception], words: str
):
    start = time.perf_counter()
    with pytest.raises(error) as exc:
        sniff(samples[name], settings)
    assert words in str(exc.value)
    assert time.perf_counter() - start < 2  # header checks only, nothing decoded


def test_too_many_pages(samples: dict[str, Path], settings: Settings):
    with pytest.raises(InvalidInput, match="för många sidor: 2"):
        sniff(samples["two_page"], settings.model_copy(update={"max_pages": 1}))


def test_too_large(samples: dict[str, Path], settings: Settings):
    with pytest.raises(PayloadTooLarge):
        sniff(samples["digital"], settings.model_copy(update={"max_upload_bytes": 100}))


def test_pixel_limit_applies_to_every_tiff_page(samples: dict[str, Path], settings: Settings):
    with pytest.raises(InvalidInput, match="bilden är för stor"):
        sniff(samples["two_page"], settings.model_copy(update={"max_image_pixels": 1000}))


def test_garbage_after_png_signature(tmp_path: Path, settings: Settings):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    with pytest.raises(InvalidInput):
        sniff(bad, settings)


def test_pdf_that_is_garbage_inside(tmp_path: Path, settings: Settings):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n" + b"nonsense " * 100 + b"\n%%EOF\n")
    with pytest.raises(InvalidInput, match="skadad PDF"):
        sniff(bad, settings)
