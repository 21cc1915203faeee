"""`posthantering split FILE --json` (nothing stored) and `ingest --json` reporting source_pages per letter."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from services.cli.main import app
from tests.ingest.separation_samples import (
    LETTER_A,
    LETTER_B1,
    TAIL_PAGE_2,
    blank_back,
    letter_page,
    one_bit,
    pdf_pile,
    separator_page,
)


def _pile(tmp_path: Path) -> Path:
    # letter A, a QR separator sheet, letter B, a blank page (born-digital letters: no OCR needed)
    parts = [("text", LETTER_A), ("image", separator_page("qr")), ("text", LETTER_B1), ("image", blank_back("holes"))]
    return pdf_pile(tmp_path / "hog.pdf", parts)


def test_split_prints_the_decision_without_storing_anything(tmp_path: Path, isolated_settings: Path) -> None:
    result = CliRunner().invoke(app, ["split", str(_pile(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["pages"] == 4
    assert out["documents"] == [{"pages": [0], "confidence": 1.0}, {"pages": [2], "confidence": 1.0}]
    assert (out["blank"], out["separators"], out["review"]) == ([3], [1], False)
    assert not (isolated_settings / "posthantering.db").exists()


def test_split_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["split", str(tmp_path / "nej.pdf"), "--json"])
    assert result.exit_code == 1 and "filen finns inte" in result.output


def test_ingest_reports_each_letter_with_its_source_pages(tmp_path: Path, migrated: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", str(_pile(tmp_path)), "--inline", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["source_pages"] for r in rows] == [[0], [2]]
    assert len({r["batch_id"] for r in rows}) == 1 and rows[0]["batch_id"] is not None
    assert all(r["state"] in {"routed", "needs_review"} for r in rows)


def test_a_scanned_two_page_letter_is_one_letter_without_review(tmp_path: Path, isolated_settings: Path) -> None:
    # Two small purpose-made 1-bit pages, OCR'd: page 2 opens with the signer's role and the enclosures.
    page_1 = one_bit(letter_page([*LETTER_B1, "Frågor besvaras av handläggare Erik Lundmark.", "", "Karin Öhrwall"]))
    page_2 = one_bit(letter_page(TAIL_PAGE_2))
    path = tmp_path / "brev.tif"
    page_1.save(path, "TIFF", save_all=True, append_images=[page_2], compression="group4", dpi=(300, 300))
    result = CliRunner().invoke(app, ["split", str(path), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [d["pages"] for d in out["documents"]] == [[0, 1]] and out["review"] is False
