from __future__ import annotations

import os
from pathlib import Path

import pytest

from services.core.errors import InvalidInput, UnsupportedType
from services.core.settings import Settings, get_settings
from services.ingest.extract import extract_document, is_real_text, ocr_file
from tests.ingest.conftest import EXTERNAL


@pytest.fixture
def settings() -> Settings:
    return get_settings()


def pages(path: Path, mime: str, settings: Settings):
    return list(extract_document(path, mime, settings))


def test_ocr_of_a_clean_scan(samples: dict[str, Path], settings: Settings, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    [page] = pages(samples["scan"], "image/png", settings)
    assert os.environ["OMP_THREAD_LIMIT"] == "1"
    assert page.method == "ocr" and page.rotation == 0
    assert page.confidence is not None and page.confidence > 80
    assert "Ansökan om bygglov" in page.text
    assert "Ekeby 4:112" in page.text
    assert page.text.index("Till Solvik") < page.text.index("Sara Engström")  # reads top to bottom
    assert page.seconds > 0


def test_upside_down_scan_is_turned(samples: dict[str, Path], settings: Settings):
    [page] = pages(samples["upside_down"], "image/png", settings)
    assert page.rotation == 180
    assert "Ansökan om bygglov" in page.text


def test_multipage_g4_tiff(samples: dict[str, Path], settings: Settings):
    result = pages(samples["two_page"], "image/tiff", settings)
    assert [p.index for p in result] == [0, 1]
    assert "Solvik" in result[0].text
    assert "Sida två" in result[1].text


def test_pdf_text_layer_is_used_without_ocr(samples: dict[str, Path], settings: Settings):
    [page] = pages(samples["digital"], "application/pdf", settings)
    assert page.method == "text-layer" and page.confidence is None
    assert "Klagomål på buller från grannens värmepump" in page.text


def test_image_only_pdf_is_rendered_and_ocrd(samples: dict[str, Path], settings: Settings):
    [page] = pages(samples["image_only"], "application/pdf", settings)
    assert page.method == "ocr"
    assert "bygglov" in page.text


def test_blank_page_is_empty(samples: dict[str, Path], settings: Settings):
    [page] = pages(samples["blank"], "image/png", settings)
    assert (page.method, page.text, page.confidence) == ("empty", "", None)


def test_damaged_image_becomes_invalid_input(samples: dict[str, Path], settings: Settings):
    with pytest.raises(InvalidInput, match="sida 1"):
        pages(samples["cut"], "image/png", settings)


def test_text_layer_quality_check():
    assert is_real_text("Till Solvik kommun. Ansökan om bygglov för en carport på fastigheten.")
    assert not is_real_text("Sida 1")  # too little for a page: OCR it
    assert not is_real_text("(cid:12)(cid:13)(cid:14) " * 10)
    assert not is_real_text("~~~ ||| ### @@@ ;;; ::: --- +++ === ^^^ ***" * 2)


def test_phototest_ground_truth(settings: Settings):
    result = ocr_file(EXTERNAL / "phototest.tif", settings)
    assert result["mime"] == "image/tiff"
    [page] = result["pages"]
    assert page["method"] == "ocr" and page["rotation"] == 0 and page["confidence"] > 80
    assert page["chars"] == len(result["text"])
    for words in ("This is a lot of 12 point text", "quick brown dog", "lazy fox"):
        assert words in result["text"]


def test_phototest_rotated_180(settings: Settings):
    result = ocr_file(EXTERNAL / "phototest-rotated-180.png", settings)
    assert result["pages"][0]["rotation"] == 180
    assert "quick brown dog" in result["text"]


def test_ocr_file_rejects_bad_input(samples: dict[str, Path], settings: Settings):
    with pytest.raises(UnsupportedType):
        ocr_file(samples["text_named"], settings)
    with pytest.raises(InvalidInput, match="krypterad"):
        ocr_file(samples["encrypted"], settings)
