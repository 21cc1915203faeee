"""Letter-date rules of issue 12's second round (small purpose-made letters, not corpus letters)."""

from __future__ import annotations

from tests.registration.rules_helpers import fields


def test_a_dateline_with_a_place_outside_the_swedish_alphabet() -> None:
    text = """Till Exempelby kommun

Vi flyttar hit 1 december 2025.
Vi vill ansöka om plats i förskola för vår dotter.

Tack på förhand!

Jana Dvořák
Łódź, 12.11.2025
"""
    assert fields(text)["letter_date"] == "2025-11-12"


def test_a_dateline_in_capitals_is_still_not_a_place() -> None:
    text = """REDOVISNING 2024

TILLGÅNGAR 1 JANUARI 2024
Bankkonto 12 000 kr

Exempelby 2025-02-18
Eva Ström
"""
    assert fields(text)["letter_date"] == "2025-02-18"


def test_a_dateline_without_a_day_means_the_letter_has_no_date() -> None:
    text = """EXEMPELBY IDROTTSFÖRBUND

Till föreningarna

Exempelby i augusti 2025

Inbjudan till tränarträff

Tid: onsdag 8 oktober 2025, kl. 18.00
Plats: Sporthallen

Välkomna!
"""
    assert fields(text)["letter_date"] == ""


def test_an_events_time_and_a_change_from_a_day_are_not_the_letter_date() -> None:
    text = """Till våra kunder

Nytt bankgiro

Från och med 1 november 2025 har vi nytt bankgironummer.
Det gamla upphör den 31 december 2025.

Carina Ek
"""
    assert fields(text)["letter_date"] == ""


def test_a_forms_place_and_date_field() -> None:
    text = """ÄNDRING AV ABONNEMANG

Fastighetsbeteckning: Exempel 2:61
Mätaren avlästes 2026-08-31
Datum för tillträde: 2026-09-30
Namn: Nils Backman

Ort och datum: Exempelby 1 oktober 2026
Underskrift: Nils Backman
"""
    assert fields(text)["letter_date"] == "2026-10-01"


def test_a_decision_date_in_an_authoritys_header() -> None:
    text = """EXEMPELMYNDIGHETEN                                  UTMÄTNINGSBESLUT
                                                    Beslutsdatum 2026-06-03
                                                    Målnummer 43-771204-26

Exempelby kommun
Löneenheten

Beslut om utmätning av lön

Betala senast den 5 i månaden.
"""
    assert fields(text)["letter_date"] == "2026-06-03"


def test_a_day_in_an_english_sentence_is_not_the_letter_date() -> None:
    text = """Example Analytics Ltd.
101 Finsbury Pavement, London EC2A 1RS

Invitation: free webinar

Dear municipal leader,

Join our free webinar on 22 October 2026 and discover how we help councils to:

- cut energy costs

Best regards,
The Example Team
"""
    assert fields(text)["letter_date"] == ""


def test_handwritten_and_english_date_forms() -> None:
    from services.registration.text import find_dates

    def iso(s: str) -> list[str]:
        return [d.isoformat() for d, _, _ in find_dates(s)]

    assert iso("14th March 2026") == ["2026-03-14"]
    assert iso("the 14th of March 2026") == ["2026-03-14"]
    assert iso("14 March, 2026") == ["2026-03-14"]
    assert iso("14 mars -26") == ["2026-03-14"]
    assert iso("14.3.26") == ["2026-03-14"]
    assert iso("14/03/26") == ["2026-03-14"]
    assert iso("4-3-2026") == ["2026-03-04"]
    assert iso("kl. 10.30, avsnitt 3.1.2, nr 1.2.25.4") == []


def test_a_handwritten_date_under_the_signature() -> None:
    text = """Hej!

Snön plogas inte på Ekvägen. Det har varit så hela vintern.

Mvh
Karin Ek
3 april -26
"""
    assert fields(text)["letter_date"] == "2026-04-03"
