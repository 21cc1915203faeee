"""OCR-text rules of issue 12's second round: the arrival stamp and columns OCR closed up (purpose-made texts)."""

from __future__ import annotations

from tests.registration.rules_helpers import fields


def test_a_dateline_split_over_two_lines_under_the_stamp() -> None:
    text = """INKOM
2026-07-26

Stockholm den 4

november 2025

Exempelby kommun
Box 214

Klagomål på hemtjänsten

Jag skriver med anledning av brister i hemtjänsten.
"""
    assert fields(text)["letter_date"] == "2025-11-04"


def test_a_dateline_with_the_month_in_words_is_not_the_stamps_date() -> None:
    text = """INKOM
2026-F&kbacka den

21 maj 2025

Exempelby kommun
Box 214

Begäran om omprövning

Jag begär omprövning av beslutet.
"""
    assert fields(text)["letter_date"] == "2025-05-21"


def test_of_two_dates_alone_in_the_head_of_a_stamped_letter_the_later_is_the_arrival() -> None:
    text = """INKOM
EXEMPEL KVINNOJOUR

Ideell förening
Box 77, 545 22 Exempelby

2025-12-06

Exempelby kommun
Box 214

2025-09-30

Ansökan om verksamhetsbidrag för 2026

Vi ansöker om bidrag.
"""
    assert fields(text)["letter_date"] == "2025-09-30"


def test_a_heading_in_capitals_beside_a_date_label_ocr_closed_up() -> None:
    text = """EXEMPEL INDRIVNING AB
Box 4410, 403 29 Göteborg · Org.nr 559240-6721
Auktoriserat inkassoföretag
INKASSOKRAV Datum: 2025-07-02
Vårt ärendenr: 8874120
Gäldenär: Exempelby kommun
På uppdrag av vår klient ska vi driva in nedanstående fordran, som trots påminnelse inte
har betalats.
"""
    assert fields(text)["subject"] == "Inkassokrav"


def test_a_doubled_dash_read_by_ocr() -> None:
    text = """Exempelby kommun
Box 214

Underrättelse om iakttagelser vid serveringsställe -— Restaurang Kajen

Vid kontrollen noterades brister.
"""
    assert fields(text)["subject"] == "Underrättelse om iakttagelser vid serveringsställe – Restaurang Kajen"
