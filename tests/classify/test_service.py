from __future__ import annotations

import numpy as np
import pytest

from services.classify.model import load_default
from services.classify.schemas import Decision
from services.classify.service import apply_case_ref_rule, classify_text, decide

BYGGLOV = """Till Samhällsbyggnadsnämnden
Ansökan om bygglov för nybyggnad av garage med carport på fastigheten Ekeby 3:14.
Garaget blir 36 kvm med sadeltak och placeras 4,5 meter från tomtgränsen mot gatan.
Jag bifogar situationsplan, fasadritningar och planritning.
Med vänlig hälsning
Anders Berg"""

OROSANMALAN = """Orosanmälan
Jag vill anmäla oro för ett barn, Liam Karlsson, personnummer 150612-5184. Barnet kommer ofta till
förskolan hungrigt, och pappan verkar påverkad av alkohol när han hämtar. Barnet har haft blåmärken.
Vi bedömer att barnet kan behöva skydd. Vårdnadshavare har inte informerats.
Förskolechef Eva Lind, 070-123 45 67"""

FAKTURA = """FAKTURA
Fakturanummer 88213  Fakturadatum 2025-03-01  Förfallodatum 2025-03-31
Att betala: 12 500 kr. Bankgiro 5050-1055. OCR 7781234.
Leverans av kontorsmaterial. Betalningsvillkor 30 dagar netto. Dröjsmålsränta enligt räntelagen."""


@pytest.fixture(scope="module")
def classifier():
    return load_default()


def test_bygglov_goes_to_sbn(classifier) -> None:
    d = classify_text(BYGGLOV, classifier=classifier)
    assert isinstance(d, Decision)
    assert d.department == "SBN"
    assert d.sensitive is False
    assert d.personnummer_found is False
    assert d.model_version == classifier.version
    assert "bygglov" in d.reasons["terms"]
    assert d.reasons["rule"] is None


def test_orosanmalan_goes_to_sn_and_is_sensitive(classifier) -> None:
    d = classify_text(OROSANMALAN, classifier=classifier)
    assert d.department == "SN"
    assert d.personnummer_found is True
    assert d.sensitive is True
    # the personnummer itself is not in the decision
    assert "5184" not in d.model_dump_json()


def test_faktura_goes_to_eko_and_decision_follows_threshold(classifier) -> None:
    d = classify_text(FAKTURA, classifier=classifier, threshold=0.0)
    assert d.department == "EKO"
    assert d.decision == "auto"
    assert d.reasons["threshold"] == 0.0
    d = classify_text(FAKTURA, classifier=classifier, threshold=1.0)
    assert d.decision == "review"
    assert d.doc_type == "faktura"


def test_suggestions_are_top3_sorted_and_probabilities(classifier) -> None:
    d = classify_text(BYGGLOV, classifier=classifier)
    confs = [s.confidence for s in d.suggestions]
    assert len(d.suggestions) == 3
    assert confs == sorted(confs, reverse=True)
    assert d.suggestions[0].department == d.department
    assert d.confidence == pytest.approx(confs[0])
    assert sum(classifier.predict_proba([BYGGLOV])[0]) == pytest.approx(1.0)


def test_threshold_precedence(classifier, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.core.settings import reset_settings

    assert classify_text(BYGGLOV, classifier=classifier).reasons["threshold"] == pytest.approx(classifier.threshold)
    monkeypatch.setenv("POSTHANTERING_AUTO_ROUTE_THRESHOLD", "0.42")
    reset_settings()
    assert classify_text(BYGGLOV, classifier=classifier).reasons["threshold"] == pytest.approx(0.42)
    assert classify_text(BYGGLOV, classifier=classifier, threshold=0.7).reasons["threshold"] == pytest.approx(0.7)


def test_sensitive_departments_argument(classifier) -> None:
    assert classify_text(BYGGLOV, classifier=classifier, sensitive_departments={"SBN"}).sensitive is True
    assert classify_text(FAKTURA, classifier=classifier, sensitive_departments=set()).sensitive is False


def test_case_ref_rule_only_when_model_unsure() -> None:
    classes = ["EKO", "SBN", "TN"]
    # unsure model, referenced department a close second -> rule picks it
    assert apply_case_ref_rule(classes, np.array([0.40, 0.35, 0.25]), ["SBN 2024/0312"], 0.8) == (
        "SBN",
        "SBN 2024/0312",
    )
    # confident model -> no rule
    assert apply_case_ref_rule(classes, np.array([0.90, 0.05, 0.05]), ["SBN 2024/0312"], 0.8) == (None, None)
    # referenced department far behind -> no rule
    assert apply_case_ref_rule(classes, np.array([0.60, 0.10, 0.30]), ["SBN 2024/0312"], 0.8) == (None, None)
    # prefix that is no department -> no rule
    assert apply_case_ref_rule(classes, np.array([0.40, 0.35, 0.25]), ["2024-000318"], 0.8) == (None, None)

    d = decide(
        "Komplettering till Dnr SBN 2024/0312",
        classes,
        np.array([0.40, 0.35, 0.25]),
        threshold=0.8,
        sensitive_departments=set(),
    )
    assert d.department == "SBN"
    assert d.confidence == pytest.approx(0.35)  # the model's probability: a rule never auto-routes by itself
    assert d.decision == "review"
    assert d.reasons["rule"] == "case_ref SBN 2024/0312"
    assert [s.department for s in d.suggestions] == ["EKO", "SBN", "TN"]


def test_load_default_honours_model_path(classifier, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.classify.model import load_default as ld
    from services.core.settings import reset_settings

    classifier.save(tmp_path / "m")
    monkeypatch.setenv("POSTHANTERING_MODEL_PATH", str(tmp_path / "m"))
    reset_settings()
    loaded = ld()
    assert loaded is not classifier
    assert loaded.version == classifier.version
    assert ld() is loaded  # cached
