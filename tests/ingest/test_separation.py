"""The separation decision on pages as extraction hands them over (text + signals), no OCR here."""

from __future__ import annotations

from services.ingest.separation import PageIn, decide
from services.ingest.separation_scorer import PageView, evidence, page_number
from tests.ingest.separation_samples import LETTER_A, LETTER_B1, LETTER_B2

SANS = {"ink": 0.02, "line_mm": 3.6, "pitch_mm": 5.1, "left_mm": 25.0, "right_mm": 25.0, "lines": 15}
SERIF = {"ink": 0.02, "line_mm": 4.4, "pitch_mm": 6.4, "left_mm": 31.0, "right_mm": 20.0, "lines": 15}
BLANK = {"ink": 0.0, "barcodes": [], "separator": False}
SEPARATOR = {"ink": 0.09, "barcodes": ["PATCHT"], "separator": True}


def content(index: int, lines: list[str], signals: dict) -> PageIn:
    return PageIn(index, "\n".join(lines), "ocr", dict(signals))


def blank(index: int) -> PageIn:
    return PageIn(index, "", "empty", dict(BLANK))


def run(pages: list[PageIn], min_confidence: float = 0.85) -> dict:
    return decide(pages, blank_ink=0.00005, min_confidence=min_confidence).as_json()


def test_separator_sheets_split_and_are_removed_with_their_back_in_duplex() -> None:
    pages = [
        content(0, LETTER_B1, SANS),
        blank(1),
        PageIn(2, "", "separator", dict(SEPARATOR)),
        blank(3),  # the separator sheet's back
        content(4, LETTER_B2, SANS),  # looks like a continuation, but the sheet says new letter
        blank(5),
    ]
    result = run(pages)
    assert result["documents"] == [{"pages": [0], "confidence": 1.0}, {"pages": [4], "confidence": 1.0}]
    assert result["separators"] == [2, 3] and result["blank"] == [1, 5] and result["review"] is False


def test_a_one_letter_file_stays_one_document() -> None:
    result = run([content(0, LETTER_B1, SANS), content(1, LETTER_B2, SANS)])
    assert [d["pages"] for d in result["documents"]] == [[0, 1]] and result["review"] is False


def test_content_splits_letters_and_keeps_continuations() -> None:
    pages = [
        content(0, LETTER_A, SERIF),
        content(1, LETTER_B1, SANS),
        content(2, LETTER_B2, SANS),
        content(3, LETTER_A, SERIF),
    ]
    result = run(pages)
    assert [d["pages"] for d in result["documents"]] == [[0], [1, 2], [3]]
    assert result["review"] is False and all(d["confidence"] >= 0.85 for d in result["documents"])


def test_duplex_never_splits_the_two_sides_of_one_sheet() -> None:
    # Sheet 2 printed on both sides: its back (page 3) reads like a first page, but it is the same sheet.
    pages = [content(0, LETTER_A, SERIF), blank(1), content(2, LETTER_B1, SANS), content(3, LETTER_A, SERIF)]
    pages += [content(4, LETTER_A, SERIF), blank(5)]
    result = run(pages)
    assert [d["pages"] for d in result["documents"]] == [[0], [2, 3], [4]]
    assert result["blank"] == [1, 5]


def test_an_unsure_split_goes_to_review_instead_of_guessing() -> None:
    # A page with some first-page evidence but the same font and margins as the page before.
    unsure = ["Till byggnadsnämnden", *LETTER_B2]
    result = run([content(0, LETTER_B1, SANS), content(1, unsure, SANS)], min_confidence=0.99)
    assert result["review"] is True


def test_blank_needs_both_no_ink_and_no_text() -> None:
    faint = PageIn(1, "Bilaga 1: situationsplan och fasadritningar", "ocr", {"ink": 0.00001})
    result = run([content(0, LETTER_A, SANS), faint])
    assert result["blank"] == []


def test_page_numbers_are_read_in_their_usual_forms() -> None:
    assert page_number(PageView(0, "Sida 1 (3)\nHej")) == (1, 3)
    assert page_number(PageView(0, "text\n2/3")) == (2, 3)
    assert page_number(PageView(0, "Sida 2 av 4")) == (2, 4)
    assert page_number(PageView(0, "Sida två\nBilaga")) == (2, None)
    later = evidence(PageView(1, "Sida 2 (2)\n" + "\n".join(LETTER_B1)), PageView(0, "\n".join(LETTER_A)))
    assert "page_later" in later
