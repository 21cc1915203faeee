"""Sender rules on OCR text (lost blank lines, collapsed columns): small purpose-made letters."""

from __future__ import annotations

from tests.registration.rules_helpers import fields

# --- OCR text -------------------------------------------------------------------------------------------


def test_a_letterhead_joined_with_the_date_beside_it() -> None:
    text = """VÄSTERBY TINGSRÄTT 2025-04-22
Avdelning 1 Mål nr T 1187-25

Solvik kommun
Kommunstyrelsen

KALLELSE TILL MUNTLIG FÖRBEREDELSE

Tingsrätten kallar parterna till muntlig förberedelse den 20 maj 2025 kl. 09.30 i tingsrättens lokaler.

Ulrika Sandin
"""
    f = fields(text)
    assert f["sender_org"] == "Västerby tingsrätt"
    assert f["letter_date"] == "2025-04-22"


def test_the_sender_block_of_a_letter_without_blank_lines() -> None:
    text = """Per Gunnarsson
Ringvägen 14
734 34 Solvik
2025-08-08
Solvik kommun
Miljö- och hälsoskyddsnämnden
Ärende: Bullerstörning från fläkt på matbutiken
Sedan i våras står en kylfläkt på taket till matbutiken och går dygnet runt, även på natten
och helgerna. Jag har pratat med butikschefen men inget har hänt.
/Per
"""
    assert fields(text)["sender_name"] == "Per Gunnarsson"


def test_a_wrapped_paragraph_ends_the_body_and_attachments_do_not() -> None:
    text = """Barn- och utbildningsnämnden
Solvik kommun

Ansökan om skolskjuts
för Elin Ström, årskurs 4, Ekeby skola

Vi bor 4,2 km från skolan och vägen saknar gång- och cykelbana på en
lång sträcka. Vi ansöker därför om skolskjuts för vår dotter från och
med hösten.

Jonas Ström          Linda Ström

Bilaga: Karta över skolvägen med avstånd och sträckor utan gång- och cykelbana
"""
    f = fields(text)
    assert f["sender_org"] == ""
    assert f["sender_name"] == "Jonas Ström; Linda Ström"
