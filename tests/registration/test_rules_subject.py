"""Subject rules of issue 12's second round (small purpose-made letters, not corpus letters)."""

from __future__ import annotations

from tests.registration.rules_helpers import fields


def test_a_line_keyed_by_a_document_kind_is_the_subject() -> None:
    text = """NORRA REGIONEN
Kulturavdelningen

Till kommunerna i länet

Remiss: Förslag till regional biblioteksplan 2026–2029

Regionen bjuder in kommunerna att lämna synpunkter på förslaget.

Eva Lind
"""
    assert fields(text)["subject"] == "Remiss: Förslag till regional biblioteksplan 2026–2029"


def test_avser_without_a_colon_opens_a_sentence_and_is_no_label() -> None:
    text = """EXEMPEL INKASSO AB
Box 1, 111 11 Stad

BETALNINGSKRAV

Avser tryck av broschyren "Välkommen", 500 ex.
Betala senast 2025-07-16.
"""
    assert fields(text)["subject"] == "Betalningskrav"


def test_avser_with_a_colon_among_an_invoices_fields_is_the_subject() -> None:
    text = """EXEMPEL KONSULT AB
Storgatan 1, 111 11 Stad

FAKTURA

Fakturanummer:   24-1187
Fakturadatum:    2025-03-31

Avser: Besiktning av ombyggnad, Exempelskolan, mars 2025

Summa 31 523,20
"""
    assert fields(text)["subject"] == "Besiktning av ombyggnad, Exempelskolan, mars 2025"


def test_a_headings_document_number_is_not_part_of_the_subject() -> None:
    text = """EXEMPEL GRÖNT AB
Lagergatan 7, 532 37 Stad

FAKTURA  F-55831                                    Fakturadatum 2025-09-16

Potatis 12 säck
"""
    assert fields(text)["subject"] == "Faktura"


def test_a_heading_in_english_is_not_the_line_of_a_foreign_address() -> None:
    text = """DATAEXEMPEL ApS
Vestergade 41, 8000 Aarhus C, Denmark

INVOICE

Invoice no.:    DN-2025-00918
Amount: 86 400.00
"""
    assert fields(text)["subject"] == "Invoice"


def test_a_reference_under_the_subject_and_a_subtitle_after_a_dash() -> None:
    one = """Exempelby kommun
Box 1
111 11 Exempelby

Överklagande av beslut om avgift för kontroll
Diarienummer 2024-000318

Vi överklagar beslutet och yrkar att avgiften sätts ned.
"""
    two = """Exempelby kommun
Box 1
111 11 Exempelby

Inbjudan till Regiondagen 2025
– Kompetensförsörjningen i välfärden, vad gör vi tillsammans?

Härmed bjuds ni in till årets regiondag.
"""
    assert fields(one)["subject"] == "Överklagande av beslut om avgift för kontroll"
    assert fields(two)["subject"] == (
        "Inbjudan till Regiondagen 2025 – Kompetensförsörjningen i välfärden, vad gör vi tillsammans?"
    )


def test_a_subject_after_the_head_wins_over_a_slogan_under_the_letterhead() -> None:
    text = """OMSORG EXEMPEL AB
Personlig assistans enligt LSS
Hantverkargatan 11, 541 30 Stad

Exempelby kommun
Box 1
111 11 Exempelby

Stad 2025-07-09

Information om utredning enligt lex Sarah

Vi informerar härmed kommunen om en händelse.
"""
    assert fields(text)["subject"] == "Information om utredning enligt lex Sarah"


def test_a_slogan_stays_the_subject_when_the_body_opens_with_a_sentence() -> None:
    text = """MÖBELEXEMPEL
Vårkampanj för offentlig sektor!

Till inköpsansvarig
Exempelby kommun

Nu är det dags att skapa en arbetsplats där medarbetarna trivs!

Vi har över 1 200 produkter.

Med vänliga hälsningar
Per Svensson

Frågor? Skriv till info@mobelexempel.se
"""
    assert fields(text)["subject"] == "Vårkampanj för offentlig sektor!"


def test_a_document_kind_over_its_title() -> None:
    text = """Till kommunfullmäktige i Exempelby kommun

MEDBORGARFÖRSLAG
Sänd fullmäktiges sammanträden via webben

Jag föreslår att kommunen sänder sammanträdena.
"""
    assert fields(text)["subject"] == "Sänd fullmäktiges sammanträden via webben"


def test_a_newsletters_masthead_over_its_details() -> None:
    text = """KOMMUNBLADET
Nyhetsbrev från Exempel Konsult AB · Nr 3 · Maj 2025

NY LAG – BUDGETEN BEHÖVER SES ÖVER
Den nya lagen träder i kraft den 1 juli.
"""
    assert fields(text)["subject"] == "Kommunbladet"


def test_a_heading_under_the_cases_references_is_the_subject() -> None:
    text = """EXEMPEL ARKITEKTER AB
Kyrkogatan 8 · 531 30 Stad

Exempelby kommun
Box 1
111 11 Exempelby

Dnr SBN 2024/0312
Fastighet: Exempelby Smedjan 5
Ärende: Nybyggnad av flerbostadshus

KOMPLETTERING ENLIGT FÖRELÄGGANDE

Med anledning av ert föreläggande översänder vi följande handlingar.
"""
    assert fields(text)["subject"] == "Komplettering enligt föreläggande"


def test_an_english_subject_label_among_a_letters_fields() -> None:
    text = """From: Priya Menon
E-mail: priya@example.com

Date: March 14, 2026

To: Exempelby kommun, Education Office

Subject: School places for our two children

Dear Sir or Madam,

We would like to apply for places.
"""
    assert fields(text)["subject"] == "School places for our two children"


def test_an_english_kind_keys_a_title_and_to_the_municipality_is_no_subject() -> None:
    one = """Example Analytics Ltd.

Invitation: free webinar "AI for municipalities"

Dear municipal leader,

Join our free webinar.
"""
    two = """Andrew Okafor
Linnégatan 14 B
734 32 Exempelby

15 October 2026

To the municipality of Exempelby

Damp and mould in my rented flat

Hello,

I rent a flat.
"""
    assert fields(one)["subject"] == 'Invitation: free webinar "AI for municipalities"'
    assert fields(two)["subject"] == "Damp and mould in my rented flat"


def test_a_forms_title_over_its_legal_ground_or_its_addressee() -> None:
    one = """ANSÖKAN OM BOSTADSANPASSNINGSBIDRAG
enligt lagen (2018:222) om bostadsanpassningsbidrag

1. SÖKANDE
Namn: Birgitta Sjölund
"""
    two = """ANSÖKAN OM EKONOMISKT BISTÅND
Socialtjänsten, Exempelby kommun

SÖKANDE
Namn: Daniel Karlsson

HUSHÅLL
Antal vuxna: 1
"""
    assert fields(one)["subject"] == "Ansökan om bostadsanpassningsbidrag"
    assert fields(two)["subject"] == "Ansökan om ekonomiskt bistånd"


def test_a_reference_line_and_a_tables_header_row_are_not_the_subject() -> None:
    one = """Exempelverket
Box 1164
621 22 Visby

Datum 2026-06-22
Ärendenummer 062541-2026

Meddelande till kommunen om beslut om assistansersättning

Försäkringskassan har i dag beslutat.
"""
    two = """Exempelby kommun
Upphandlingsfunktionen
Rådhusgatan 7
734 80 Exempelby


Er referens          Vår referens          Datum
KS 2026/0087         OFF-26-0193           2026-02-19


Fråga under anbudstiden – Upphandling av skrivare

Vi avser att lämna anbud.
"""
    assert fields(one)["subject"] == "Meddelande till kommunen om beslut om assistansersättning"
    assert fields(two)["subject"] == "Fråga under anbudstiden – Upphandling av skrivare"


def test_a_title_in_capitals_does_not_run_on_to_a_line_in_lower_case() -> None:
    text = """LEKPLATSKATALOGEN 2027
från Exempel Utemiljö AB

Hej!

Nu är vår nya katalog här.
"""
    assert fields(text)["subject"] == "Lekplatskatalogen 2027"


def test_a_name_in_capitals_over_the_recipient_block_is_the_letterhead() -> None:
    text = """NORDHAGE & BERG ARKITEKTER

Exempelby kommun
Att: Bygglovsenheten
Box 104
734 22 Exempelby

Västerås den 14 mars 2026

Komplettering – tillbyggnad av förskolan Vitsippan

Med anledning av ert föreläggande översänder vi handlingar.
"""
    assert fields(text)["subject"] == "Komplettering – tillbyggnad av förskolan Vitsippan"


def test_english_regarding_and_a_dash_after_subject_are_labels() -> None:
    one = """Regarding: Noise from the construction site

Dear Sir or Madam,

The noise starts at 6 am.
"""
    two = """Dear Exempelby Municipality,

Subject - Request for copies of meeting minutes

I would like copies of the minutes.
"""
    assert fields(one)["subject"] == "Noise from the construction site"
    assert fields(two)["subject"] == "Request for copies of meeting minutes"


def test_a_forms_arende_avser_field() -> None:
    text = """BLANKETT: ANMÄLAN OM SKADA

Ärende/Avser: Skada på bil orsakad av potthål
Datum för skadan: 2026-02-10
Namn: Eva Lund
"""
    assert fields(text)["subject"] == "Skada på bil orsakad av potthål"


def test_a_dateline_beside_the_subject_and_an_underlined_title() -> None:
    one = """Exempelby kommun
Miljöförvaltningen
734 80 Exempelby

Anmälan om värmepump                                   Exempelby 2026-03-14

Jag vill installera en bergvärmepump.
"""
    two = """Anmälan om buller
-----------------

Till miljöförvaltningen, Exempelby kommun

Grannen har en fläkt som låter hela natten.
"""
    assert fields(one)["subject"] == "Anmälan om värmepump"
    assert fields(two)["subject"] == "Anmälan om buller"
