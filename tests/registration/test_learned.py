"""The learned layer over the rules: candidates and their features, ranking, training, the shipped ranker."""

from __future__ import annotations

import subprocess
import sys

from services.registration import ocr_clean
from services.registration.extract import FIELDS, propose_fields, rule_context
from services.registration.learned.candidates import Context, date_candidates
from services.registration.learned.model import DEFAULT_PATH, Ranker, default_ranker
from services.registration.learned.sender_candidates import kind_features, org_candidates
from services.registration.learned.subject_candidates import subject_candidates
from services.registration.learned.train import Example, train

OWN = frozenset({"KS", "SBN", "BUN"})

LETTER = """Nordljus AB
Storgatan 4
123 45 Exempelby

Till Exempelby kommun

Datum: 2025-03-02

Ärende: Bygglov för garage

Hej!

Vi ber er betala senast 2025-04-01 enligt avtalet.

Med vänliga hälsningar
Per Svensson
"""


def context(text: str) -> Context:
    cleaned, _ = ocr_clean.clean(text)
    return rule_context(cleaned, [], OWN)


def by_value(cands):
    return {c.value: c for c in cands}


def test_every_date_is_a_candidate_with_what_surrounds_it_and_no_date_is_one_too() -> None:
    cands = by_value(date_candidates(context(LETTER)))
    assert set(cands) == {"2025-03-02", "2025-04-01", ""}
    assert cands["2025-03-02"].feats["label"] == 1.0
    assert cands["2025-04-01"].feats["due"] == 1.0
    assert cands["2025-04-01"].feats["label"] == 0.0
    assert cands[""].feats["none"] == 1.0 and cands[""].feats["none_any_label"] == 1.0


def test_a_subject_line_is_a_candidate_after_its_label_and_as_written() -> None:
    cands = by_value(subject_candidates(context(LETTER)))
    labelled = cands["Bygglov för garage"]
    assert labelled.feats["labelled"] == 1.0 and labelled.feats["label_äre"] == 1.0
    assert cands["Ärende: Bygglov för garage"].feats["label_kept"] == 1.0
    assert cands["Hej!"].feats["salutation"] == 1.0
    assert cands["Hej!"].feats["plausible"] == 0.0


def test_organisation_candidates_come_from_the_sender_rules_and_no_organisation_is_one() -> None:
    cands = by_value(org_candidates(context(LETTER)))
    assert cands["Nordljus AB"].feats["src_head"] == 1.0
    assert cands["Nordljus AB"].feats["company"] == 1.0
    assert cands[""].feats["none"] == 1.0


def test_the_legal_form_digit_of_an_organisationsnummer_is_a_kind_feature() -> None:
    ctx = context("Hej!\n\nVi vill boka salen.\n\nHälsningar\nAnna Berg\n")
    assert kind_features(ctx, "Rytmik", "802400-1235")["orgnr_association"] == 1.0
    assert kind_features(ctx, "Rytmik", "556321-4682")["orgnr_company"] == 1.0
    person = kind_features(ctx, "", "")
    assert person["no_org"] == 1.0 and person["jag_more"] == 0.0 and person["orgnr_none"] == 1.0


def test_the_ranker_picks_the_most_probable_candidate_and_its_probability_is_the_confidence() -> None:
    ranker = Ranker({"letter_date": {"intercept": -1.0, "weights": {"due": 3.0, "label": -3.0}}})
    ctx = context(LETTER)
    fields = ranker.apply(ctx)
    assert fields["letter_date"].value == "2025-04-01"  # these weights prefer the due date
    assert fields["letter_date"].confidence == round(ranker.probability("letter_date", {"due": 1.0}), 2)
    assert fields["subject"] is ctx.fields["subject"]  # a field without weights keeps the rule's proposal


def _letter(i: int) -> str:
    return (
        f"Företag {i} AB\nGatan {i}\n\nDatum: 2025-03-{i + 1:02d}\n\nÄrende: Fråga nummer {i}\n\n"
        f"Betala senast 2025-05-{i + 1:02d}.\n\nHälsningar\nAnna Berg\n"
    )


def test_training_learns_which_candidates_are_right() -> None:
    examples = []
    for i in range(10):
        label = {
            "id": f"x-{i}",
            "letter_date": f"2025-03-{i + 1:02d}",
            "subject": f"Fråga nummer {i}",
            "subject_explicit": "yes",
            "sender_org": f"Företag {i} AB",
            "sender_kind": "company" if i % 2 else "association",
        }
        examples.append(Example(context(_letter(i)), label))
    ranker, data = train(examples, "test")
    assert data["letters"] == 10 and set(data["fields"]) == {"letter_date", "subject", "sender_org", "sender_kind"}
    fields = ranker.apply(context(_letter(20)))
    assert fields["letter_date"].value == "2025-03-21"
    assert fields["subject"].value == "Fråga nummer 20"
    assert fields["sender_org"].value == "Företag 20 AB"


def test_the_shipped_ranker_proposes_every_field_with_a_probability() -> None:
    assert DEFAULT_PATH.exists()
    fields = propose_fields(LETTER, [], OWN)
    assert tuple(fields) == FIELDS
    assert fields["letter_date"].value == "2025-03-02"
    assert fields["subject"].value == "Bygglov för garage"
    assert fields["sender_kind"].value == "company"
    assert all(0.0 <= f.confidence <= 1.0 for f in fields.values())
    rules = propose_fields(LETTER, [], OWN, ranker=None)
    assert rules["letter_date"].value == "2025-03-02" and tuple(rules) == FIELDS
    assert default_ranker() is default_ranker()  # loaded once


def test_importing_the_extraction_does_not_load_the_ranker() -> None:
    code = (
        "import services.registration.service, services.registration.learned.model as m;"
        "print(m.default_ranker.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_the_kind_is_the_rules_reading_with_the_classifiers_probability_unless_asked_to_classify() -> None:
    kinds = {
        "classes": ["person", "company"],
        "intercepts": [0.0, 0.0],
        "weights": [{"company_hint": 2.0}, {"org_company": 1.0}],
    }
    ctx = context(LETTER)  # Nordljus AB: a company by its suffix, by the rules
    ranker = Ranker({"sender_kind": kinds})
    fields = ranker.apply(ctx)
    assert fields["sender_kind"].value == "company"
    feats = kind_features(ctx, "Nordljus AB", fields["sender_id"].value)
    assert fields["sender_kind"].confidence == round(ranker.kinds(feats)["company"], 2)
    ranker.classify_kind = True
    assert ranker.apply(ctx)["sender_kind"].value == ranker.kind(feats)[0]
