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


# --- issue 9.3: the register cannot be poisoned by a sender ---

TN_LETTER = "Till Tekniska nämnden\nAngående gatubelysningen på Storgatan.\nJfr Dnr SN 2025/0100.\n"


def test_an_auto_route_never_teaches_another_departments_number(db_session) -> None:
    """A letter to TN quoting 'Dnr SN 2025/0100' was auto-routed and the register learnt SN 2025/0100 -> TN."""
    refs = ["SN 2025/0100"]
    assert record_routed(db_session, refs, "TN", text=TN_LETTER) == 0
    assert record_routed(db_session, refs, "TN") == 0  # not by a registrar's routing of the letter either
    assert known_departments(db_session, refs) == {}
    # A number in passing (no prefix) is not learnt from an auto-route; the letter's own case is.
    body = "".join(f"Rad {i} om schaktet på Storgatan.\n" for i in range(14))
    passing = f"Till TN\nAnsökan om schakttillstånd.\n{body}Se även beslut 2024-000318 från i fjol.\n"
    assert record_routed(db_session, ["2024-000318"], "TN", text=passing) == 0
    own = "Till TN\nÄrende: 2024-000999\nKomplettering.\n"
    assert record_routed(db_session, ["2024-000999"], "TN", text=own) == 1
    assert record_routed(db_session, ["TN 2025/0007"], "TN", text="Dnr TN 2025/0007\nHej\n") == 1


def test_a_contradicting_entry_is_flagged_and_never_routes(db_session) -> None:
    from services.classify.cases import flagged_cases, prefix_conflict
    from services.core.models import Case

    db_session.add(Case(number="SN 2025/0100", department_code="TN", source="routed"))  # written before the fix
    import_csv(db_session, b"number,department\nSBN 2024/0312,TN\nSBN 2024/0313,SBN\n")
    db_session.flush()
    assert prefix_conflict("SN 2025/0100", "TN") and not prefix_conflict("2024-000318", "TN")
    assert [c.number for c in flagged_cases(db_session)] == ["SBN 2024/0312", "SN 2025/0100"]
    known = known_departments(db_session, ["SN 2025/0100", "SBN 2024/0312", "SBN 2024/0313"])
    assert known == {"SBN 2024/0313": "SBN"}

    follow_up = "Till Socialnämnden\nÄrende: SN 2025/0100\nHär kommer intyget.\n"
    proba = np.array([0.2, 0.8])  # unsure; the poisoned entry would have said TN at 1.00
    d = decide(follow_up, ["SN", "TN"], proba, threshold=0.9, sensitive_departments=set(), known_cases=known)
    assert d.department != "TN" or d.decision != "auto"
    assert d.reasons.get("rule") != "known_case SN 2025/0100"
