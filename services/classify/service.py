"""The routing decision for one letter: signals, model, rules, threshold.

Order of work in ``classify_text``:

1. Signals: case references (``signals.find_case_refs``), personnummer (``signals.find_personnummer``).
2. Model: calibrated department probabilities and a document type.
3. Case-reference rule. In the corpus a quarter of the letters that quote a prefixed case reference
   belong to another department than the prefix (an old case is mentioned in passing: a TN damage
   case in a payment question to EKO, a KS case in a summons to HR). So the rule does not override a
   confident model. It applies only when the model is unsure (top probability below the threshold)
   and the model gives the referenced department at least half the probability of its top choice (a
   close second): then that department is chosen, with
   ``reasons["rule"] = "case_ref <ref>"``. The confidence stays the model's probability for the chosen
   department: a rule never makes a letter auto-routed by itself, it only puts the referenced
   department first for the registrar.
4. Decision: ``"auto"`` iff confidence >= threshold; the threshold is the ``threshold`` argument, else
   ``POSTHANTERING_AUTO_ROUTE_THRESHOLD``, else the threshold stored with the model (chosen so that
   auto-routed mail was at least 98% correct in cross-validation).
5. Sensitivity: the department is sensitive by default (SN, VON, OFN, HR in the shipped list), or the
   text names child protection / coercive care / violence / abuse at school (``STRONG_SENSITIVE_TERMS``),
   or a personnummer appears together with health, welfare, guardianship or family-law words.

``INGEN`` (advertising) is an ordinary class here; the pipeline decides what to do with it.
Nothing here logs the text or a personnummer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from services.classify.model import Classifier, load_default
from services.classify.schemas import Decision, Suggestion
from services.classify.signals import case_ref_department, find_case_refs, find_personnummer, sensitive_terms_in
from services.core.logging import get_logger

log = get_logger(__name__)

RULE_MIN_RATIO = 0.5  # p(referenced department) / p(model top choice) needed for the rule


def default_sensitive_departments() -> set[str]:
    from services.core.seed import read_departments

    return {str(d["code"]) for d in read_departments() if d["sensitive_by_default"]}


def effective_threshold(classifier: Classifier, threshold: float | None = None) -> float:
    if threshold is not None:
        return float(threshold)
    from services.core.settings import get_settings

    configured = get_settings().auto_route_threshold
    return float(configured) if configured is not None else float(classifier.threshold)


def apply_case_ref_rule(
    classes: Sequence[str], proba: np.ndarray, case_refs: Sequence[str], threshold: float
) -> tuple[str | None, str | None]:
    """(department, ref) when the case-reference rule applies (see the module docstring), else (None, None)."""
    top = float(proba.max())
    if top >= threshold:
        return None, None
    for ref in case_refs:
        dep = case_ref_department(ref)
        if dep is not None and dep in classes and proba[list(classes).index(dep)] >= RULE_MIN_RATIO * top:
            return dep, ref
    return None, None


def is_sensitive(
    department: str, text: str, personnummer_found: bool, sensitive_departments: set[str]
) -> tuple[bool, list[str]]:
    """(sensitive, reasons) for a letter routed to ``department``."""
    reasons: list[str] = []
    if department in sensitive_departments:
        reasons.append(f"department {department}")
    strong = sensitive_terms_in(text, strong_only=True)
    if strong:
        reasons.extend(strong)
    elif personnummer_found:
        terms = sensitive_terms_in(text)
        if terms:
            reasons.append("personnummer")
            reasons.extend(terms[:5])
    return bool(reasons), reasons


def decide(
    text: str,
    classes: Sequence[str],
    proba: np.ndarray,
    *,
    threshold: float,
    sensitive_departments: set[str],
    doc_type: str | None = None,
    model_version: str = "",
    classifier: Classifier | None = None,
) -> Decision:
    """The decision for one text given its department probabilities (used by classify_text and evaluation)."""
    classes = [str(c) for c in classes]
    proba = np.asarray(proba, dtype=float)
    case_refs = find_case_refs(text)
    pnr_found = bool(find_personnummer(text))
    order = np.argsort(-proba, kind="stable")

    rule_dep, rule_ref = apply_case_ref_rule(classes, proba, case_refs, threshold)
    department = rule_dep or classes[order[0]]
    confidence = float(np.clip(proba[classes.index(department)], 0.0, 1.0))
    sensitive, sensitive_reasons = is_sensitive(department, text, pnr_found, sensitive_departments)
    terms = classifier.top_terms(text, department) if classifier is not None else []
    return Decision(
        department=department,
        confidence=confidence,
        doc_type=doc_type,
        sensitive=sensitive,
        case_refs=case_refs,
        personnummer_found=pnr_found,
        decision="auto" if confidence >= threshold else "review",
        suggestions=[Suggestion(department=classes[i], confidence=float(np.clip(proba[i], 0, 1))) for i in order[:3]],
        reasons={
            "rule": f"case_ref {rule_ref}" if rule_ref else None,
            "terms": terms,
            "threshold": threshold,
            "sensitive": sensitive_reasons,
        },
        model_version=model_version,
    )


def classify_text(
    text: str,
    *,
    classifier: Classifier | None = None,
    threshold: float | None = None,
    sensitive_departments: set[str] | None = None,
) -> Decision:
    """Classify one letter's text and decide auto-route or review (see the module docstring)."""
    clf = classifier if classifier is not None else load_default()
    t = effective_threshold(clf, threshold)
    sens = default_sensitive_departments() if sensitive_departments is None else set(sensitive_departments)
    proba = clf.predict_proba([text])[0]
    doc_type = clf.predict_doc_type([text])[0]
    decision = decide(
        text,
        clf.classes,
        proba,
        threshold=t,
        sensitive_departments=sens,
        doc_type=doc_type,
        model_version=clf.version,
        classifier=clf,
    )
    log.debug(
        "classified",
        department=decision.department,
        confidence=round(decision.confidence, 3),
        decision=decision.decision,
        rule=decision.reasons["rule"] is not None,
        model_version=clf.version,
    )
    return decision
