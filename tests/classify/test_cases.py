from __future__ import annotations

import numpy as np

from services.classify.cases import import_csv, known_departments, normalise_number, record_routed
from services.classify.service import decide

CLASSES = ["SBN", "TN"]


def test_numbers_are_normalised_like_the_letters() -> None:
    assert normalise_number("SBN 2024/0312") == "SBN 2024/0312"
    assert normalise_number("MHN-2023-1145") == "MHN 2023/1145"
    assert normalise_number("2024-000318") == "2024-000318"
    assert normalise_number("hello") is None


def test_import_adds_updates_and_skips(db_session) -> None:
    csv_text = (
        "number,department,title\nSBN 2024/0312,SBN,Garage\nMHN-2023-1145,mhn,Buller\nnonsense,SBN,x\n"
        "KS 2025/87,NOPE,y\n"
    )
    result = import_csv(db_session, csv_text.encode())
    assert (result.added, result.updated) == (2, 0)
    assert [s["line"] for s in result.skipped] == [4, 5]
    again = import_csv(db_session, b"number,department\nSBN 2024/312,TN\n")
    assert (again.added, again.updated) == (1, 0)  # 2024/312 is another number than 2024/0312
    assert known_departments(db_session, ["MHN 2023/1145", "SBN 2024/0312", "X 1"]) == {
        "MHN 2023/1145": "MHN",
        "SBN 2024/0312": "SBN",
    }


def test_routed_items_add_to_the_register_but_never_override_an_import(db_session) -> None:
    import_csv(db_session, b"number,department\nSBN 2024/0312,SBN\n")
    assert record_routed(db_session, ["SBN 2024/0312", "2024-000318"], "TN") == 1
    assert known_departments(db_session, ["SBN 2024/0312", "2024-000318"]) == {
        "SBN 2024/0312": "SBN",
        "2024-000318": "TN",
    }


def test_known_case_routes_to_its_department_unless_plainly_new() -> None:
    follow_up = "Komplettering\nÄrende: 2024-000318\n\nHär kommer ritningarna ni bad om.\n"
    proba = np.array([0.7, 0.3])  # the model leans SBN, unsure
    d = decide(follow_up, CLASSES, proba, threshold=0.9, sensitive_departments=set(), known_cases={"2024-000318": "TN"})
    assert (d.department, d.decision, d.reasons["rule"]) == ("TN", "auto", "known_case 2024-000318")

    new_matter = "Ansökan om bygglov\n\nFör övrigt: grävningen i ärende 2024-000318 blev bra.\n"
    sure = np.array([0.97, 0.03])
    d = decide(
        new_matter,
        CLASSES,
        sure,
        threshold=0.9,
        sensitive_departments=set(),
        doc_type="ansokan",
        known_cases={"2024-000318": "TN"},
    )
    assert (d.department, d.reasons["rule"]) == ("SBN", None)


def test_reference_in_passing_is_a_suggestion_not_an_auto_route() -> None:
    text = "Hej!\n" + "Jag undrar över min tomt.\n" * 14 + "Grannen hade 2024-000318 tidigare.\n"
    d = decide(
        text,
        CLASSES,
        np.array([0.6, 0.4]),
        threshold=0.9,
        sensitive_departments=set(),
        known_cases={"2024-000318": "TN"},
    )
    assert (d.department, d.decision) == ("TN", "review")


def test_a_sentence_citing_another_departments_case_is_not_the_letters_own_case() -> None:
    """Corpus letter b-062 (HR, a union asks for MBL negotiation) cites a KS decision in a sentence among its
    first lines. The case register knows KS 2025/0112 as KS: the registrar sees KS first, never an auto-route."""
    text = (
        "Kommunal avdelning Solvik\n"
        "Vi har tagit del av beslutet om ny organisation för äldreomsorgen (Dnr KS 2025/0112). Enligt 11 § "
        "MBL begär vi förhandling innan beslutet verkställs för de anställda som berörs.\n"
    )
    d = decide(
        text,
        CLASSES,
        np.array([0.6, 0.4]),
        threshold=0.9,
        sensitive_departments=set(),
        known_cases={"KS 2025/0112": "TN"},
    )
    assert (d.department, d.decision, d.reasons["rule"]) == ("TN", "review", "known_case KS 2025/0112")
