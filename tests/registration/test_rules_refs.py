"""Another authority's own case number is not the municipality's case (our_dnr): it is their_ref."""

from __future__ import annotations

from services.classify.signals import find_case_refs
from services.registration.service import propose_record

OWN = frozenset({"KS", "SBN", "SN"})


def refs(text: str) -> tuple[str, str]:
    f = propose_record(text, find_case_refs(text), OWN, ranker=None)["fields"]
    return f["our_dnr"]["value"], f["their_ref"]["value"]


def test_a_dnr_under_another_municipalitys_letterhead_is_theirs() -> None:
    text = """Ekmarks kommun
Kommunstyrelsen

Datum: 3 oktober 2025
Diarienummer: KS 2025/412

Solvik kommun
Kommunstyrelsen
734 80 Solvik

Inbjudan till samverkansmöte

Ekmarks kommun bjuder in grannkommunerna till ett möte.

Henrik Dahl
Kommundirektör
"""
    assert refs(text) == ("", "KS 2025/412")


def test_a_dnr_owned_by_a_named_authority_on_its_line_is_theirs() -> None:
    text = """Anna Berg
Storgatan 1
734 30 Solvik

Till Solvik kommun

Synpunkt på bussar

Jag har redan skrivit till Ekmarks kommuns dnr KS 2025/412 utan svar.

Anna Berg
"""
    assert refs(text)[0] == ""


def test_your_dnr_and_the_municipalitys_dnr_stay_ours() -> None:
    your = """Ekmarks kommun
Kommunstyrelsen

Ert dnr: KS 2025/0412

Solvik kommun
734 80 Solvik

Yttrande över samverkan

Ekmarks kommun lämnar följande yttrande.
"""
    ours = """Anna Berg

Till Solvik kommun

Angående upphandling av lokalvård för kommunens förvaltningsbyggnader, dnr KS 2025/0112

Jag undrar hur det går.
"""
    assert refs(your)[0] == "KS 2025/0412"
    assert refs(ours)[0] == "KS 2025/0112"
