"""The extraction rules one by one, on small purpose-made letters (not corpus letters)."""

from __future__ import annotations

import pytest

from services.registration import ocr_clean
from services.registration.sender_details import orgnr_form, sender_kind
from services.registration.service import propose_record
from services.registration.text import find_dates
from tests.registration.rules_helpers import ranked_fields as fields

# --- sender organisation --------------------------------------------------------------------------------


def test_the_senders_domain_names_an_organisation_written_in_capitals() -> None:
    text = """NORDLJUS BELYSNING
Vårkampanj för skolor!

Till rektor
Exempelby kommun

Nu byter vi ut lysrören mot LED till halva priset.

Med vänliga hälsningar
Per Svensson
Säljare

Frågor? Skriv till info@nordljusbelysning.se
"""
    f = fields(text)
    assert f["sender_org"] == "Nordljus Belysning"
    assert f["sender_kind"] == "company"
    assert f["subject"] == "Vårkampanj för skolor!"


def test_the_domain_rule_takes_the_company_suffix_and_ignores_free_mail() -> None:
    text = """Hej!

Vi på Bergsdata hjälper kommuner med arkiv.

Med vänlig hälsning
Lisa Holm
lisa.holm@gmail.com

Bergsdata Konsult AB | Storgatan 3, 123 45 Byn | www.bergsdata.se
"""
    assert fields(text)["sender_org"] == "Bergsdata Konsult AB"


def test_a_company_footer_with_its_address_names_the_sender() -> None:
    text = """Till kommunens ledning

Prova vår tidning i tre månader för 99 kr!

Beställ på tidningen.example.

Fjällbacka Media AB, Box 12, 111 22 Stockholm
"""
    f = fields(text)
    assert f["sender_org"] == "Fjällbacka Media AB"
    assert f["sender_kind"] == "company"


def test_a_care_centre_under_a_form_is_not_the_sender() -> None:
    text = """Intyg

Namn: Olle Ek
Personnummer: 19800101-0008

Olle Ek har varit sjuk 3–7 mars.

Ortens vårdcentral, Vägen 1, 123 45 Orten
"""
    f = fields(text)
    assert f["sender_org"] == ""
    assert f["sender_kind"] == "person"


def test_a_declared_organiser_wins_over_the_events_name() -> None:
    text = """SKOLDAGARNA 2027
En mötesplats för alla som leder skolan

Till: Förvaltningschefer i Exempelby kommun

Två dagar med föreläsningar.

Arrangör: Konferenshuset Norr AB, Box 12, 111 22 Stockholm
"""
    f = fields(text)
    assert f["sender_org"] == "Konferenshuset Norr AB"
    assert f["subject"] == "Skoldagarna 2027"


def test_the_organisation_written_with_the_signers_name() -> None:
    text = """Redovisning

Förvaltare: Advokat Eva Ek, Eks Advokatbyrå, Orten

Allt är i ordning.

Orten 2025-06-30
Eva Ek
"""
    assert fields(text)["sender_org"] == "Eks Advokatbyrå"


def test_a_contractor_in_a_form_is_not_the_sender_but_the_applicant_is() -> None:
    third = """Anmälan om värmepump

Fastighetsägare: Nils Berg
Installatör: Värme och Sånt AB

Orten 2025-03-18
Nils Berg
"""
    assert fields(third)["sender_org"] == ""
    applicant = """Ansökan om schaktningstillstånd

Sökande (entreprenör): Gräv och Bygg AB
Kontaktperson: Nils Berg

Orten 2025-03-18
Nils Berg
"""
    assert fields(applicant)["sender_org"] == "Gräv och Bygg AB"


def test_a_document_title_is_not_a_letterhead() -> None:
    text = """Ansökan om plats i förskola

Barnets namn: Alva Ek
Vårdnadshavare: Nils Ek

Datum: 2025-09-15
Underskrift: Nils Ek
"""
    f = fields(text)
    assert f["sender_org"] == ""
    assert f["sender_kind"] == "person"


def test_a_signature_with_age_and_friends() -> None:
    text = """hej vi vill ha längre öppettider på fritidsgården.

från Kalle Ek 12 år och kompisar
"""
    assert fields(text)["sender_name"] == "Kalle Ek"


# --- sender kind ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("org", "kind"),
    [
        ("Miljö- och byggnadsnämnden", "authority"),
        ("Socialförvaltningen", "authority"),
        ("Arbetsmiljöinspektionen", "authority"),
        ("Region Exempel", "authority"),
        ("Stiftelsen Gröna Dalen", "association"),
        ("Bygdens Fiber ek. för.", "association"),
        ("Ekbackens Redovisningsbyrå", "company"),
        ("Eks Måleri HB", "company"),
    ],
)
def test_sender_kind_from_the_organisations_name(org: str, kind: str) -> None:
    assert sender_kind(org, "").value == kind


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        ("802400-1235", "association"),
        ("556677-8899", "company"),
        ("212000-0001", "authority"),
        ("769600-1234", "association"),
        ("916500-1232", "company"),
        ("800101-0008", ""),  # a personnummer: a month in digits 3-4
        ("556677-8898", ""),  # a wrong check digit
    ],
)
def test_the_legal_form_in_an_organisationsnummer(number: str, kind: str) -> None:
    assert orgnr_form(number) == kind


def test_sender_kind_from_the_organisationsnummer_when_the_name_says_nothing() -> None:
    assert sender_kind("Gröna Dalen", "", "802400-1235").value == "association"
    assert sender_kind("Gröna Dalen", "", "556677-8899").value == "company"


def test_a_footer_organisationsnummer_is_the_senders_but_the_customers_is_not() -> None:
    text = """Faktura

Er org.nr: 212000-0001

Att betala: 1 200 kr

Gröna Dalen
Org.nr 802400-1235
"""
    assert fields(text)["sender_id"] == "802400-1235"


# --- subject --------------------------------------------------------------------------------------------


def test_the_matter_heading_of_a_decision() -> None:
    text = """ORTENS TINGSRÄTT                    BESLUT
Avdelning 2                          2025-09-11

SAKEN
Anordnande av godmanskap

TINGSRÄTTENS AVGÖRANDE
Tingsrätten anordnar godmanskap.
"""
    assert fields(text)["subject"] == "Anordnande av godmanskap"


def test_a_headline_over_a_greeting() -> None:
    text = """Friskare skolor – mindre buller!

Hej!
Våra ljudabsorbenter sänker ljudnivån i klassrummen.

Med hälsosamma hälsningar
Teamet på Tystare Skola AB
"""
    f = fields(text)
    assert f["subject"] == "Friskare skolor – mindre buller!"
    assert f["sender_org"] == "Tystare Skola AB"


def test_a_dateline_and_the_senders_own_name_are_not_the_subject() -> None:
    text = """ORTENS HEMBYGDSFÖRENING

Till
Kommunstyrelsens ordförande
Exempelby kommun

Orten i september 2025


Välkomna på hembygdsdagen!

Vi bjuder in till en dag i bygdegården.

Anna Ek
Ordförande, Ortens Hembygdsförening
"""
    f = fields(text)
    assert f["subject"] == "Välkomna på hembygdsdagen!"
    assert f["sender_kind"] == "association"


def test_a_unit_under_the_letterhead_is_not_the_subject() -> None:
    text = """Ortens kommun
Socialförvaltningen, Individ- och familjeomsorgen

Till: Exempelby kommun

Angående: Överflyttning av ärende

Vi begär att ärendet flyttas.

Med vänlig hälsning
Anna Ek
"""
    assert fields(text)["subject"] == "Överflyttning av ärende"


@pytest.mark.parametrize(
    "line",
    ["Ärende: Bygglov för carport", "Arende; Bygglov för carport", "Angaende: Bygglov för carport",
     "Ang: Bygglov för carport", "Ämne : Bygglov för carport", "ANG. Bygglov för carport"],
)  # fmt: skip
def test_subject_labels_as_ocr_reads_them(line: str) -> None:
    text = f"Nils Berg\nVägen 2\n123 45 Orten\n\n{line}\n\nJag vill bygga en carport.\n\nNils Berg\n"
    assert fields(text)["subject"] == "Bygglov för carport"


# --- dates and OCR --------------------------------------------------------------------------------------


def test_a_period_and_a_heading_in_capitals_are_not_the_letter_date() -> None:
    period = "SKOLDAGARNA\n\nStockholm | 3–4 februari 2026\n\nVälkommen!\n"
    assert fields(period)["letter_date"] == ""
    heading = "ÅRSRÄKNING\n\nTILLGÅNGAR 1 JANUARI 2024\nBank 100 kr\n\nOrten 2025-02-18\nNils Ek\n"
    assert fields(heading)["letter_date"] == "2025-02-18"


@pytest.mark.parametrize("written", ["2025 -03-02", "2025-03- 02", "02-03-2025", "2 mars 2025"])
def test_date_forms(written: str) -> None:
    assert [d.isoformat() for d, _, _ in find_dates(f"Orten {written}")] == ["2025-03-02"]


def test_ocr_clean_maps_back_to_the_original_offsets() -> None:
    original = "Ang\u00e5ende: Ansökan om \ufb01ske\u00adtillst\u00e5nd"
    cleaned, where = ocr_clean.clean(original)
    assert cleaned == "Angående: Ansökan om fisketillstånd"
    s = cleaned.index("fiske")
    start, end = ocr_clean.original_span(where, s, s + len("fisketillstånd"))
    assert original[start:end] == "\ufb01ske\u00adtillst\u00e5nd"
    decomposed = "Ärende: Va\u0308xthus"
    assert ocr_clean.clean(decomposed)[0] == "Ärende: Växthus"


def test_fields_of_a_text_with_ligatures_point_into_the_original() -> None:
    text = "Nils Berg\nVägen 2\n123 45 Orten\n\nÄrende: Ansökan om \ufb01sketillstånd\n\nTack.\n\nNils Berg\n"
    rec = propose_record(text, [], frozenset({"KS", "SBN", "BUN"}))["fields"]["subject"]
    assert rec["value"] == "Ansökan om fisketillstånd"
    assert text[rec["start"] : rec["end"]] == "Ansökan om \ufb01sketillstånd"


# --- recipient unit -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "unit"),
    [
        ("Till inköpsansvarig\nExempelby kommun", "inköpsansvarig"),
        ("Socialnämnden i Exempelby kommun\nStorgatan 1\n123 45 Exempelby", "Socialnämnden"),
        ("Exempelby kommun\nArbetsgivare\nStorgatan 1\n123 45 Exempelby", "Arbetsgivare"),
        ("Till\nKommunstyrelsens ordförande Eva Ek\nKommundirektör Nils Berg\nExempelby kommun",
         "Kommunstyrelsens ordförande Eva Ek; Kommundirektör Nils Berg"),
        ("Att: Exempelby kommun, leverantörsreskontra", "leverantörsreskontra"),
        ("Till kommunen!!", ""),
        ("SÖKANDE\nÖverförmyndarnämnden i Exempelby kommun", ""),
        ("TILLGÅNGAR 1 JANUARI 2024\nBank 100 kr", ""),
    ],
)  # fmt: skip
def test_recipient_unit(block: str, unit: str) -> None:
    text = f"ORTENS TINGSRÄTT\nBox 1, 123 45 Orten\n\n{block}\n\nVi skriver om något.\n\nNils Ek\n"
    assert fields(text)["recipient_unit"] == unit
