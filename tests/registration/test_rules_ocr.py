"""Registration rules on what OCR makes of a letter (characters, stamps, run-together paragraphs):
small purpose-made texts, scored with the packaged ranker as in production."""

from __future__ import annotations

import pytest

from services.registration import ocr_clean
from tests.registration.rules_helpers import ranked_fields as fields

# --- OCR text -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ocr", "fixed"),
    [
        ("E-post: eva.ek(Qtelia.com", "E-post: eva.ek@telia.com"),
        ("orten.schack Q gmail.com", "orten.schack@gmail.com"),
        ("eva.ekMhotmail.com", "eva.ek@hotmail.com"),
        ("enligt 14 kap. 1 s SOCIALTJÄNSTLAGEN", "enligt 14 kap. 1 § SOCIALTJÄNSTLAGEN"),
        ("enligt 11 8 och 14 8 MBL", "enligt 11 § och 14 § MBL"),
        ("Norra Allén 22 Igh 1301", "Norra Allén 22 lgh 1301"),
        ("AStrid Magnusson", "Astrid Magnusson"),
        ("Quality AB, IKEA, MBL 8 st", "Quality AB, IKEA, MBL 8 st"),
    ],
)
def test_what_ocr_makes_of_a_few_characters(ocr: str, fixed: str) -> None:
    cleaned, where = ocr_clean.clean(ocr)
    assert cleaned == fixed
    assert len(where) == len(cleaned) + 1


def test_the_stamps_date_under_inkom_is_not_the_letter_date() -> None:
    alone = "INKOM\nUppsala 2025-10-02\n\n2025-07-20\n\nTill Exempelby kommun\n\nKlagomål på hemtjänsten\n\nNils Ek\n"
    assert fields(alone)["letter_date"] == "2025-10-02"
    merged = "INKOM\nDansföreningen Takt 2026-03-02\nOrten\n\nHej!\n\nVi vill dansa.\n\nOrten 10 april 2025\nEva Ek\n"
    assert fields(merged)["letter_date"] == "2025-04-10"
    beside = "Orten 2025-03-03 INKOM\n\n2026-11-23\n\nTill Exempelby kommun\n\nHej!\n\nEva Ek\n"
    assert fields(beside)["letter_date"] == "2025-03-03"


def test_the_stamp_is_neither_letterhead_nor_part_of_the_subject() -> None:
    text = """INKOM

2024-02-01

Ekbackens skola
Skolvägen 2, 123 45 Orten

OROSANMÄLAN – BARN SOM KAN BEHÖVA STÖD
Datum: 2025-11-06
"""
    f = fields(text)
    assert f["sender_org"] == "Ekbackens skola"
    assert f["sender_kind"] == "authority"
    title = "INKOM\n\nAnsökan om plats i förskola 2026-07-03\n\nBarnets namn: Alva Ek\n\nDatum: 2025-09-15\n"
    assert fields(title)["subject"] == "Ansökan om plats i förskola"


def test_paragraphs_ocr_ran_together() -> None:
    text = """Västanå 2025-07-08
Till Exempelby kommun
Klagomål på grannen igen
Jag anmälde det här redan i fjol och då var det någon som kom ut och tittade och sedan
blev det lite bättre ett tag.

Nils Ek
"""
    f = fields(text)
    assert f["subject"] == "Klagomål på grannen igen"
    assert f["letter_date"] == "2025-07-08"


def test_a_subject_on_two_lines() -> None:
    label = """Exempelby kommun
Storgatan 1
123 45 Exempelby

Angående upphandling av lokalvård för kommunens förvaltningsbyggnader, dnr KS
2025/0112

Vi har några frågor.

Eva Ek
"""
    assert fields(label)["subject"] == "Upphandling av lokalvård för kommunens förvaltningsbyggnader, dnr KS 2025/0112"
    title = "RAPPORT OM MISSFÖRHÅLLANDE ELLER RISK FÖR MISSFÖRHÅLLANDE (LEX\nSARAH)\n\nVerksamhet: Ekbacken\n"
    assert fields(title)["subject"] == "Rapport om missförhållande eller risk för missförhållande (lex sarah)"


def test_two_signers_with_one_surname_on_one_line() -> None:
    text = "Anmälan om värmepump\n\nVi installerar en pump.\n\nOrten 2025-03-18\nCamilla Rask Johan Rask\n"
    assert fields(text)["sender_name"] == "Camilla Rask; Johan Rask"
