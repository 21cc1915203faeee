"""Rules that make the extraction generalise beyond the letters they were written from: small purpose-made
letters in shapes the corpus's set a lacks (English dates, columns in the letterhead, footers, e-mail heads)."""

from __future__ import annotations

from datetime import date

from services.registration.service import propose_record
from services.registration.text import find_dates

OWN = frozenset({"KS", "SBN", "SN"})


def fields(text: str) -> dict[str, str]:
    return {k: v["value"] for k, v in propose_record(text, [], OWN, ranker=None)["fields"].items()}


# --- dates ----------------------------------------------------------------------------------------------


def test_english_dates_with_the_month_first() -> None:
    assert [d for d, _, _ in find_dates("March 14, 2025 and April 3rd 2025")] == [date(2025, 3, 14), date(2025, 4, 3)]


def test_a_short_date_with_a_space_before_the_year() -> None:
    assert [d for d, _, _ in find_dates("Fakturadatum: 3/4 -25")] == [date(2025, 4, 3)]


def test_an_english_letter_date_and_subject_label() -> None:
    text = """Anna Brown
Storgatan 1
734 30 Exempelby

March 14, 2025

Subject: Question about parking permits

Dear Sir or Madam,

I would like to know how to apply for a parking permit for my car in the town centre.

Best regards,
Anna Brown
"""
    f = fields(text)
    assert f["letter_date"] == "2025-03-14"
    assert f["subject"] == "Question about parking permits"


# --- subject --------------------------------------------------------------------------------------------


def test_a_subject_starting_with_a_skip_word_prefix_is_kept() -> None:
    """ "Tillsynsbesök ..." starts with "Till", which is not the word "Till" of an address."""
    text = """Länsstyrelsen i Exempellän
Miljöskyddsenheten

Datum 2025-06-17

Miljönämnden
Exempelby kommun
734 80 Exempelby

Tillsynsbesök vid reningsverket

Länsstyrelsen genomförde den 3 juni 2025 ett tillsynsbesök vid reningsverket och fann brister.

Johan Eriksson
Miljöhandläggare
"""
    assert fields(text)["subject"] == "Tillsynsbesök vid reningsverket"
