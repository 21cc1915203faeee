"""The separation decision on pages as extraction hands them over (text + signals), no OCR here."""

from __future__ import annotations

from services.ingest.separation import PageIn, decide
from services.ingest.separation_scorer import PageView, evidence, page_number
from tests.ingest.separation_samples import LETTER_A, LETTER_B1, LETTER_B2, TAIL_PAGE_2

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


# --- continuation signals and short files (one upload is nearly always one letter) ---

# Page 2 of a letter whose page 1 ended inside the signature block (as a rendered two-page remiss does).
SIGNED_PAGE_1 = [*LETTER_B1, "Frågor besvaras av handläggare Erik Lundmark, tfn 010-224 51 38.", "", "Karin Öhrwall"]


def test_a_short_file_without_a_new_letters_opening_is_one_letter_without_review() -> None:
    result = decide(
        [content(0, SIGNED_PAGE_1, SANS), content(1, TAIL_PAGE_2, {**SANS, "lines": 8})],
        blank_ink=0.00005,
        min_confidence=0.85,
    ).as_json(details=True)
    assert [d["pages"] for d in result["documents"]] == [[0, 1]] and result["review"] is False
    assert "top_is_tail" in result["starts"]["1"]["evidence"]


def test_the_same_pages_in_a_pile_are_scored_as_a_pile() -> None:
    # With the short-file rule off, the tail page is still read as a continuation (top_is_tail), sure enough.
    pages = [content(0, SIGNED_PAGE_1, SANS), content(1, TAIL_PAGE_2, {**SANS, "lines": 8})]
    result = decide(pages, blank_ink=0.00005, min_confidence=0.85, short_file_pages=0).as_json()
    assert [d["pages"] for d in result["documents"]] == [[0, 1]] and result["review"] is False


def test_a_short_file_with_a_second_letters_opening_is_still_split() -> None:
    result = run([content(0, LETTER_A, SERIF), content(1, LETTER_B1, SANS)])
    assert [d["pages"] for d in result["documents"]] == [[0], [1]]


def test_page_numbers_across_pages_say_continue_or_ended() -> None:
    # "Sida 1 (2)" on the page before: the letter goes on, even if this page looks like an opening.
    first = ["Sida 1 (2)", *LETTER_A]
    looks_new = ["Sida 2 (2)", *LETTER_B1]
    pile = [content(0, LETTER_A, SERIF), content(1, first, SANS), content(2, looks_new, SANS)]
    pile += [content(3, LETTER_A, SERIF), content(4, ["1/2", *LETTER_B1], SANS), content(5, ["2/2", *LETTER_B1], SANS)]
    result = run(pile, min_confidence=0.85)
    assert [d["pages"] for d in result["documents"]] == [[0], [1, 2], [3], [4, 5]]
    assert result["review"] is False
    found = evidence(PageView(2, "\n".join(looks_new)), PageView(1, "\n".join(first)))
    assert {"page_later", "prev_not_last"} <= set(found)
    ended = evidence(PageView(3, "\n".join(LETTER_B2)), PageView(2, "\n".join(looks_new)))
    assert "prev_last" in ended


def test_bare_page_numbers_are_read() -> None:
    assert page_number(PageView(0, "text\n2 (2)")) == (2, 2)
    assert page_number(PageView(0, "2/3\ntext")) == (2, 3)
    assert page_number(PageView(0, "Sida 2 (3)")) == (2, 3)


def test_a_page_opening_with_a_greeting_or_enclosures_continues() -> None:
    for top in (["Med vänliga hälsningar", "Anna Berg"], ["Bilagor:", "1. Ritning"], ["Handläggare", ""]):
        assert "top_is_tail" in evidence(PageView(1, "\n".join(top + LETTER_B2)), PageView(0, "\n".join(LETTER_A)))


def test_a_sheets_only_channel_is_never_split_by_content() -> None:
    pages = [content(0, LETTER_A, SERIF), content(1, LETTER_B1, SANS), content(2, LETTER_A, SERIF)]
    pages.append(content(3, LETTER_B1, SANS))
    result = decide(pages, blank_ink=0.00005, min_confidence=0.85, content_split=False).as_json()
    assert [d["pages"] for d in result["documents"]] == [[0, 1, 2, 3]] and result["review"] is False
