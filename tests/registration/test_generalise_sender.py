"""Sender rules that generalise beyond the letters they were written from (letterhead columns, footers,
e-mail heads, the addressee at the top, gazetteers): small purpose-made letters."""

from __future__ import annotations

import pytest

from tests.registration.rules_helpers import fields


def test_a_letterhead_with_the_date_in_a_column_beside_it() -> None:
    text = """VÄSTERBY TINGSRÄTT                           2025-04-22
Avdelning 1                                  Mål nr T 1187-25

Exempelby kommun
Kommunstyrelsen
734 80 Exempelby

KALLELSE TILL MUNTLIG FÖRBEREDELSE

Parter: Byggbolaget Norr AB mot Exempelby kommun

Tingsrätten kallar parterna till muntlig förberedelse den 20 maj 2025 kl. 09.30 i tingsrättens lokaler.

Ulrika Sandin
Rådman
"""
    f = fields(text)
    assert f["sender_org"] == "Västerby tingsrätt"
    assert f["sender_kind"] == "authority"


def test_the_parties_of_a_case_are_not_the_sender() -> None:
    text = """Solvik kommun
Kommunstyrelsen

Mål nr T 1187-25
Parter: Byggbolaget Norr AB mot Solvik kommun
Saken: Fordran

Tingsrätten kallar parterna till muntlig förberedelse den 20 maj 2025 kl. 09.30 i tingsrättens lokaler.
"""
    assert fields(text)["sender_org"] == ""


def test_an_email_head_is_not_a_letterhead() -> None:
    text = """Från: Johan Lindberg <kassor@ekebyik.se>
Skickat: den 14 mars 2025 09:12
Till: fritid@exempelby.se
Ämne: Ansökan om lokalt aktivitetsstöd

Hej!

Här kommer föreningens ansökan om lokalt aktivitetsstöd för våren, med närvarolistorna bifogade.

Hälsningar
Johan Lindberg
Kassör, Ekeby IK
"""
    f = fields(text)
    assert f["sender_org"] == "Ekeby IK"
    assert f["sender_kind"] == "association"
    assert f["letter_date"] == "2025-03-14"


def test_the_recipient_block_at_the_top_and_the_senders_footer() -> None:
    """The municipality the letters are addressed to (settings: Solvik kommun) is never the sender."""
    text = """Solvik kommun
Tekniska förvaltningen
Rådhusgatan 7
734 80 Solvik

Västerås 2025-02-01

OFFERT SNÖRÖJNING VINTERN 2025–2026

Vi tackar för förfrågan och lämnar härmed offert på snöröjning för villaområdena i Ekeby.

Mvh
Patrik Nordmark
Vd

Nordmarks Maskin & Entreprenad AB | Industrigatan 4 | 722 33 Västerås | Org.nr 556812-4472
"""
    f = fields(text)
    assert f["sender_org"] == "Nordmarks Maskin & Entreprenad AB"
    assert f["sender_name"] == "Patrik Nordmark"


def test_an_authoritys_footer_with_its_web_address() -> None:
    text = """Solvik kommun
LSS-handläggare
734 80 Solvik

2025-02-10

Underrättelse om beslut om assistansersättning

Försäkringskassan har beslutat att bevilja assistansersättning för den försäkrade med 112 timmar per vecka.

Åsa Lindqvist
Handläggare

Försäkringskassan, 103 51 Stockholm, www.forsakringskassan.se
"""
    f = fields(text)
    assert f["sender_org"] == "Försäkringskassan"
    assert f["sender_kind"] == "authority"


def test_the_recipient_block_of_a_short_letter_is_not_the_signature() -> None:
    text = """John Smith
Kvarngatan 5 B
734 32 Exempelby

Exempelby Municipality
Citizen Service Centre
734 80 Exempelby

Could you please tell me whether the municipality can issue a certificate of residence?

Best regards,

John Smith
"""
    assert fields(text)["sender_name"] == "John Smith"


def test_the_sender_block_names_the_sender_when_the_signature_is_a_first_name() -> None:
    text = """Per Gunnarsson
Ringvägen 14
734 34 Exempelby

Exempelby kommun
Miljö- och hälsoskyddsnämnden

Ärende: Bullerstörning från fläkt på matbutiken

Sedan i våras står en kylfläkt på taket till matbutiken och går dygnet runt, även på natten.

/Per
"""
    f = fields(text)
    assert f["sender_name"] == "Per Gunnarsson"
    assert f["sender_org"] == ""
    assert f["sender_kind"] == "person"


def test_a_name_without_organisation_words_repeated_in_letterhead_and_signature() -> None:
    text = """Café Blåbär
Torget 3
734 30 Exempelby

Till Exempelby kommun

Ansökan om uteservering sommaren 2025

Vi ansöker om att få ha uteservering på torget utanför caféet med sex bord under sommaren.

Med vänliga hälsningar
Sara Lind
Café Blåbär
"""
    f = fields(text)
    assert f["sender_org"] == "Café Blåbär"
    assert f["sender_name"] == "Sara Lind"
    assert f["sender_kind"] == "company"


def test_a_board_officer_signs_for_an_association() -> None:
    text = """Sveriges Lärare Exempelby
Lokalavdelningen

Till Barn- och utbildningsförvaltningen

Begäran om information om ny skolorganisation

Vi begär information och underlag om utredningen om skolorganisationen enligt 19 § MBL.

Med vänlig hälsning

Camilla Hedlund
Ordförande, Sveriges Lärare Exempelby
"""
    f = fields(text)
    assert f["sender_org"] == "Sveriges Lärare Exempelby"
    assert f["sender_kind"] == "association"


def test_two_signers_with_a_blank_line_between() -> None:
    text = """Till Samhällsbyggnadsnämnden

Synpunkter på detaljplan för Norra hamnen

Vi är oroliga för att den föreslagna byggnaden kommer att skugga vår trädgård under stora delar av dagen.

Karl Björk

Eva Björk
"""
    assert fields(text)["sender_name"] == "Karl Björk; Eva Björk"


def test_a_subjects_second_line_starting_for_is_not_the_sender() -> None:
    text = """Barn- och utbildningsnämnden
Solvik kommun

Ansökan om skolskjuts
för Elin Ström, årskurs 4, Ekeby skola

Vi bor 4,2 km från skolan och vägen saknar gång- och cykelbana på en lång sträcka.

Solvik 2025-05-14

Jonas Ström                    Linda Ström
"""
    f = fields(text)
    assert f["sender_org"] == ""
    assert f["sender_kind"] == "person"


def test_a_ministry_is_an_authority_and_genom_names_the_signer() -> None:
    assert fields("Näringsdepartementet\n103 33 Stockholm\n\nRemiss av promemorian.\n")["sender_kind"] == "authority"
    text = """Angående sophämtningen

Kärlen blir överfulla och råttor har setts vid soprummet under hela sommaren.

Styrelsen för Brf Lillsjöstrand
genom Jan Ek
"""
    f = fields(text)
    assert f["sender_name"] == "Jan Ek"
    assert f["sender_org"] == "Brf Lillsjöstrand"


def test_a_form_key_naming_who_handed_it_in() -> None:
    text = """KVITTENS

Mottaget av Exempelby kommun:
1 st nyckelbricka, nr 4471

Återlämnad av: Jonas Åkerlund, konsult
Datum: 2025-08-29
"""
    assert fields(text)["sender_name"] == "Jonas Åkerlund"


def test_an_associations_name_under_the_body_and_a_year_is_not_a_street_number() -> None:
    text = """Solvik kommun
Kommunstyrelsen

Stockholm 2025-05-15

Medlemsavgift 2026

Styrelsen för föreningen har beslutat om oförändrad medlemsavgift för 2026. Avgiften faktureras i januari.

Kommuninvest ekonomisk förening
Box 124, 701 42 Örebro
"""
    f = fields(text)
    assert f["subject"] == "Medlemsavgift 2026"
    assert f["sender_org"] == "Kommuninvest ekonomisk förening"
    assert f["sender_kind"] == "association"


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        ("Moderaterna i Exempelby", "association"),
        ("Unionen Klubb Exempel Energi", "association"),
        ("Röda Korset Exempelkretsen", "association"),
        ("ESTONIAN EMBASSY", "authority"),
        ("Tullverket", "authority"),
    ],
)
def test_gazetteers_of_parties_unions_charities_and_state_bodies(head: str, kind: str) -> None:
    text = f"""{head}
Box 12, 734 30 Exempelby

Till kommunstyrelsen

Förslag om samarbete

Vi föreslår att kommunen och vi inleder ett samarbete om ungdomars fritid under sommaren.

Åsa Hellberg
"""
    assert fields(text)["sender_kind"] == kind


def test_a_title_before_the_signers_name() -> None:
    text = """Till Kultur- och fritidsnämnden

Ansökan om bidrag till sommarkonserter

Församlingen har under sommaren anordnat tio kvällskonserter med sammanlagt 1 400 besökare.

Kyrkoherde Tomas Ljung
"""
    assert fields(text)["sender_name"] == "Tomas Ljung"


def test_for_a_group_of_people_is_not_an_organisation_and_two_signers_on_a_line() -> None:
    text = """Till Barn- och utbildningsnämnden

Vi föräldrar är oroliga över att klassen ska delas till hösten och ber nämnden ompröva beslutet.

För föräldrarna i 3B
Johanna Mattsson, Erik Blom
"""
    f = fields(text)
    assert f["sender_org"] == ""
    assert f["sender_kind"] == "person"
    assert f["sender_name"] == "Johanna Mattsson; Erik Blom"


def test_the_own_municipality_named_in_english_is_the_recipient() -> None:
    text = """ESTONIAN EMBASSY
Consular Section

Solvik Municipality
Population Registration

5 May 2025

Request for confirmation of residence

The Embassy kindly requests confirmation whether Mr Andres Tamm has been registered as resident.

Kati Saar
Consul
"""
    f = fields(text)
    assert f["subject"] == "Request for confirmation of residence"
    assert f["sender_org"] == "Estonian Embassy"


def test_a_business_named_without_a_suffix_over_its_owners_name() -> None:
    text = """Solviks Byggservice
Leif Nyström
Ängsvägen 22, 734 35 Solvik

Solvik kommun
Bygglovsenheten

Ansökan om startbesked, Ängen 4

Jag ansöker om startbesked för tillbyggnad av enbostadshus enligt beviljat bygglov.

Leif Nyström
"""
    f = fields(text)
    assert f["sender_org"] == "Solviks Byggservice"
    assert f["sender_kind"] == "company"


def test_a_federation_of_municipalities_is_an_authority() -> None:
    text = """Sundbro Kommunalförbund
Räddningstjänsten Sundbro

Till Samhällsbyggnadsnämnden

Yttrande över bygglov

Räddningstjänsten har inget att erinra mot bygglovet under förutsättning att utrymningsvägarna utförs rätt.

Niklas Öhman
"""
    assert fields(text)["sender_kind"] == "authority"
