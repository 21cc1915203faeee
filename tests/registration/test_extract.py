"""The proposed record from purpose-made letters: each field, its confidence and its source spot."""

from __future__ import annotations

from services.registration.secrecy import do_not_open, propose_secrecy, public_subject
from services.registration.service import propose_record

OWN = frozenset({"KS", "SBN", "MHN", "SN", "VON", "BUN", "KFN", "TN", "OFN", "EKO", "HR"})

LETTER = """MÄLARDALENS KONTORSMATERIAL AB
Batterigatan 7, 723 55 Västerås
Org.nr 556663-9232

Solvik kommun
Att: Fakturaskanning
Rådhusgatan 7
734 80 Solvik

Västerås den 11 mars 2025

Ärende: Påminnelse om obetald faktura
Fakturanummer: 88415
Ert dnr: KS 2024/0312

Vi har ännu inte fått betalt.

Med vänliga hälsningar
Jörgen Säll
"""


def test_fields_of_a_company_letter() -> None:
    rec = propose_record(LETTER, ["KS 2024/0312"], OWN)["fields"]
    assert rec["sender_org"]["value"] == "Mälardalens Kontorsmaterial AB"
    assert rec["sender_kind"]["value"] == "company"
    assert rec["sender_name"]["value"] == "Jörgen Säll"
    assert rec["sender_id"]["value"] == "556663-9232"
    assert rec["sender_address"]["value"] == "Batterigatan 7, 723 55 Västerås"
    assert rec["letter_date"]["value"] == "2025-03-11"
    assert rec["subject"]["value"] == "Påminnelse om obetald faktura"
    assert rec["their_ref"]["value"] == "88415"
    assert rec["our_dnr"]["value"] == "KS 2024/0312"
    assert rec["recipient_unit"]["value"] == "Fakturaskanning"
    # every field points at the text it came from
    for name in ("sender_org", "letter_date", "subject", "our_dnr", "sender_name"):
        f = rec[name]
        assert f["start"] is not None, name
        assert LETTER[f["start"] : f["end"]] == f["source"], name
        assert 0 < f["confidence"] <= 1
    assert LETTER[rec["letter_date"]["start"] : rec["letter_date"]["end"]] == "11 mars 2025"


def test_private_person_without_date_or_case() -> None:
    text = "Hej!\n\nGatlampan på Rönnvägen är trasig sedan en vecka.\n\nMvh Karolina Granqvist\n070-616 83 02\n"
    rec = propose_record(text, [], OWN)["fields"]
    assert rec["sender_name"]["value"] == "Karolina Granqvist"
    assert rec["sender_kind"]["value"] == "person"
    assert rec["letter_date"]["value"] == ""
    assert rec["our_dnr"]["value"] == ""


def test_short_swedish_dates() -> None:
    rec = propose_record("Solvik 7/1-25\n\nHej. Jag vill ha ett larm.\n\nElsa Morén\n", [], OWN)["fields"]
    assert rec["letter_date"]["value"] == "2025-01-07"


def test_foreign_case_number_is_their_ref_not_ours() -> None:
    text = "REGION VÄST\n\nDatum 2025-09-15\nVår beteckning KUN 2025-00377\n\nRemiss: Kulturplan\n\nUlla Bergfors\n"
    rec = propose_record(text, ["KUN 2025/00377"], OWN)["fields"]
    assert rec["our_dnr"]["value"] == ""
    assert rec["their_ref"]["value"] == "KUN 2025-00377"


def test_secrecy_with_legal_ground_and_public_subject() -> None:
    text = "Orosanmälan – barn som kan behöva skydd\n\nBarnets namn: Elvira Nyström\nPersonnummer: 150612-5184\n"
    sec = propose_secrecy(text, "Orosanmälan om Elvira Nyström, 150612-5184, Ringvägen 44")
    assert sec.secret
    assert sec.regulation == "OSL 26 kap. 1 §"
    assert "Elvira" not in sec.public_subject and "5184" not in sec.public_subject
    assert "Ringvägen" not in sec.public_subject
    assert sec.public_subject.startswith("Orosanmälan")
    assert not propose_secrecy("Ansökan om bygglov för garage", "Ansökan om bygglov").secret
    assert propose_secrecy("Läkarintyg för sjuklön", "Läkarintyg").regulation == "OSL 21 kap. 1 §"


def test_public_subject_never_empty() -> None:
    assert public_subject("Anna Berg", "socialtjänst") == "Handling som rör socialtjänst"


def test_do_not_open_envelopes() -> None:
    assert do_not_open("ANBUD – ÖPPNAS EJ\nUpphandling lokalvård KS 2025/0112")
    assert do_not_open("Personligt\nTill Anna Berg, HR")
    assert not do_not_open("Ansökan om bygglov\nPrivatpersoner och företag")
    rec = propose_record("ANBUD – ÖPPNAS EJ\n\nSolvik kommun\n", [], OWN)
    assert rec["do_not_open"] is True
