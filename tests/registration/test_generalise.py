"""Rules that make the extraction generalise beyond the letters they were written from (dates, subjects,
references): small purpose-made letters in shapes the corpus's set a lacks."""

from __future__ import annotations

from datetime import date

from services.registration.text import find_dates
from tests.registration.rules_helpers import fields


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


def test_a_unit_under_till_kommun_is_part_of_the_address_not_the_subject() -> None:
    text = """Anna-Karin Sjöholm
Granstigen 2
734 36 Exempelby

Till Exempelby kommun
Vård- och omsorgsförvaltningen

2025-03-11

Överklagande av beslut om hemtjänst

Jag överklagar beslutet den 25 februari 2025 om hemtjänst, eftersom jag behöver mer hjälp än beslutet ger.

Anna-Karin Sjöholm
"""
    assert fields(text)["subject"] == "Överklagande av beslut om hemtjänst"


def test_a_heading_over_a_table_of_references() -> None:
    text = """Kontorsgiganten AB
Box 501, 169 29 Solna

Exempelby kommun
Inköpsavdelningen

FAKTURA                                                Fakturadatum 2025-04-30
Fakturanummer 8801934                                  Förfallodatum 2025-05-30

Kopieringspapper A4, 50 kartonger                                    12 450,00
"""
    f = fields(text)
    assert f["subject"] == "Faktura"
    assert f["letter_date"] == "2025-04-30"


def test_a_titled_subject_line_with_a_colon() -> None:
    text = """Exempelby kommun
Kommunstyrelsen

Stockholm, 18 november 2025

Inbjudan: Kommundagen om trygghet 2026

Vi bjuder in till en konferensdag om trygghet och brottsförebyggande arbete i februari.
"""
    assert fields(text)["subject"] == "Inbjudan: Kommundagen om trygghet 2026"


def test_a_date_in_a_sentence_of_the_body_is_not_the_letter_date() -> None:
    text = """GARANTIBEVIS OCH SERVICEINFORMATION

Tack för att ni valt vår produkt. Installationen utfördes 2025-03-18 av en auktoriserad installatör.

Nordvent Ventilation AB · Box 3010 · 171 03 Solna · www.nordvent.se
"""
    assert fields(text)["letter_date"] == ""


def test_thanks_in_advance_is_not_a_subject() -> None:
    text = """Hej

Gatlampan utanför vårt hus har varit trasig i snart tre veckor och det är mörkt när barnen går till skolan.

Tack på förhand

Mvh Birgitta Olsson
"""
    assert fields(text)["subject"] != "Tack på förhand"


def test_a_date_labelled_as_something_elses_is_not_the_letter_date() -> None:
    text = """ANMÄLAN OM ÖVERLÅTELSE AV LIVSMEDELSANLÄGGNING

Företagets namn: Grillhörnan i Ekeby AB
Datum för övertagande: 2025-06-01

Underskrift
Ekeby 2025-05-20
Ali Demir
"""
    assert fields(text)["letter_date"] == "2025-05-20"


def test_a_replys_marker_is_not_part_of_the_subject() -> None:
    text = """Från: Susanne Hed <susanne.hed@norrvikstrafik.se>
Skickat: den 2 juni 2025 08:03
Ämne: SV: Busshållplats vid Ekeby skola

Hej igen, vi kan tyvärr inte flytta linje 12 förrän vid tidtabellsskiftet i december.
"""
    assert fields(text)["subject"] == "Busshållplats vid Ekeby skola"


def test_our_and_your_reference_on_one_line() -> None:
    text = """Svensk Hisservice Aktiebolag
Box 7012
402 31 Göteborg

Er ref: Per Holm          Vår ref: SH-2025-0912          Datum: 2025-09-15

Serviceavtal för hissar
"""
    assert fields(text)["their_ref"] == "SH-2025-0912"


def test_a_reference_under_its_column_heading() -> None:
    text = """SKATTEVERKET

Datum                  Vår referens               Er referens
14 mars 2025           131 445566-25/113          Anna Lind

Föreläggande att lämna kontrolluppgifter
"""
    f = fields(text)
    assert f["their_ref"] == "131 445566-25/113"
    assert f["letter_date"] == "2025-03-14"


def test_an_english_reference_and_a_colon_in_a_number() -> None:
    assert fields("Our ref: NWS-4471\n\nRe: Tender\n")["their_ref"] == "NWS-4471"
    assert fields("Skolinspektionen\n\nDnr 2025:1234\n\nBeslut efter tillsyn\n")["their_ref"] == "2025:1234"


def test_the_addressees_block_at_the_top_names_the_recipient_unit() -> None:
    text = """Solvik kommun
Miljö- och hälsoskyddsförvaltningen
734 80 Solvik

Uppsala, 2 september 2025

Ansökan om tillstånd för värmepump

Jag ansöker om tillstånd för en bergvärmepump på min fastighet, tolv meter från tomtgränsen.

Henrik Åsberg
"""
    f = fields(text)
    assert f["recipient_unit"] == "Miljö- och hälsoskyddsförvaltningen"
    assert f["subject"] == "Ansökan om tillstånd för värmepump"


def test_a_letterhead_in_capitals_naming_the_company_of_the_footer_is_not_the_subject() -> None:
    text = """NORDISKA BYGGMÄSSAN
Inbjudan till utställare 2026

Välkommen att ställa ut på Nordens största mässa för offentlig byggverksamhet! Boka er monter i dag.

Nordiska Byggmässan AB
www.byggmassan.se
"""
    assert fields(text)["subject"] == "Inbjudan till utställare 2026"


def test_the_owner_line_under_a_letterhead_is_not_the_subject() -> None:
    text = """ÅKESSONS ELEKTRISKA
Inneh. Per Åkesson
Industrivägen 3, 735 91 Ekeby

Solvik kommun
Fastighetsavdelningen

OFFERT

Datum: 2025-03-21
Offertnummer: 2025-014

Byte av belysning i omklädningsrum             38 400 kr
"""
    f = fields(text)
    assert f["subject"] == "Offert"
    assert f["their_ref"] == "2025-014"


def test_a_subject_starting_with_thanks_is_a_subject() -> None:
    text = """Grönytekompaniet i Mälardalen AB

Till Solvik kommun, Parkenheten

Tack för förtroendet – uppstart av skötselavtal 2025

Vi ser fram emot ännu en säsong med parkskötsel och tar kontakt inom kort för att boka ett möte.

Anna Grön
"""
    assert fields(text)["subject"] == "Tack för förtroendet – uppstart av skötselavtal 2025"


# --- OCR text: lost blank lines, collapsed columns, dashes ----------------------------------------------


def test_a_heading_glued_to_its_paragraph_and_a_reference_line_glued_above_it() -> None:
    text = """Region Norrsund
Smittskyddsenheten

Solvik kommun

Diarienummer: RN 2025-0032
Information om utbrott av calicivirus på Lindängens äldreboende
Smittskyddsenheten har fått rapport om ett utbrott av calicivirus på Lindängens
äldreboende. Vi rekommenderar att besöksrestriktioner införs.
"""
    assert fields(text)["subject"] == "Information om utbrott av calicivirus på Lindängens äldreboende"


def test_dashes_of_a_labelled_subject_as_ocr_reads_them() -> None:
    assert fields("Angående förlängning av avtal 2026-2028\n\nText.\n")["subject"] == "Förlängning av avtal 2026–2028"
    assert fields("Ärende: Remiss — Regional folkhälsoplan\n\nText.\n")["subject"] == "Remiss – Regional folkhälsoplan"


def test_a_unit_after_a_blank_line_in_the_recipient_block_is_not_the_subject() -> None:
    text = """Solvik kommun

Miljö- och hälsoskyddsförvaltningen
734 80 Solvik

Uppsala, 2 september 2025

Ansökan om tillstånd för värmepump

Jag ansöker om tillstånd för en bergvärmepump på min fastighet, tolv meter från tomtgränsen.

Henrik Åsberg
"""
    assert fields(text)["subject"] == "Ansökan om tillstånd för värmepump"


def test_a_short_text_without_blank_lines() -> None:
    text = """KÖPEKONTRAKT – UTKAST
Säljare: Solvik kommun
Köpare: Ekeby Fastigheter AB
Fastighet: Solvik Hamnen 1:7
Köpeskilling: 4 200 000 kr
Köparen tillträder fastigheten den 1 september 2025.
Bifogas för kännedom inför förhandlingsmötet.
Ekeby Fastigheter AB
"""
    assert fields(text)["subject"] == "Köpekontrakt – utkast"


def test_a_dateline_without_a_day_under_the_letterhead_is_not_a_subject() -> None:
    text = """HEMBYGDSFÖRENINGEN LILLSJÖ
Lillsjö i mars 2025

Till Kommunstyrelsen

Begäran om skyltning till hembygdsgården

Föreningen har sedan länge önskat en vägvisningsskylt till hembygdsgården från vägen.

Karl Jonsson
"""
    assert fields(text)["subject"] == "Begäran om skyltning till hembygdsgården"


def test_an_english_date_read_with_a_dot() -> None:
    assert [d for d, _, _ in find_dates("April.22, 2025")] == [date(2025, 4, 22)]


def test_a_heading_in_capitals_far_down_a_text_without_blank_lines() -> None:
    text = """Mälarkontor AB
Kontorsvägen 1
721 30 Västerås
Org.nr 556432-1171
Solvik kommun
Ekonomiavdelningen
734 80 Solvik
Datum 2025-07-14
Fakturanummer 44120
Kundnummer 10923
BETALNINGSPÅMINNELSE
Enligt vår bokföring har faktura 44120 ännu inte betalats. Vi ber er betala inom tio dagar.
Mälarkontor AB
"""
    assert fields(text)["subject"] == "Betalningspåminnelse"


def test_a_one_word_heading_in_capitals_under_the_recipient_without_a_blank_line() -> None:
    text = """Sundbro tingsrätt

Överförmyndarnämnden i Solvik kommun
FÖRELÄGGANDE

Tingsrätten förelägger överförmyndarnämnden att senast den 29 april 2025 yttra sig över ansökan.
"""
    assert fields(text)["subject"] == "Föreläggande"


def test_ocr_noise_before_a_subject_glued_to_a_short_paragraph() -> None:
    text = """Sundbro Kommunalförbund

Till Samhällsbyggnadsnämnden

"Yttrande över bygglov för restaurang, Hamnen 1:4
Räddningstjänsten har inget att erinra mot bygglovet under
förutsättning att utrymningsvägarna utförs enligt beskrivningen.
"""
    assert fields(text)["subject"] == "Yttrande över bygglov för restaurang, Hamnen 1:4"
