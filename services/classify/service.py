"""The routing decision for one letter: signals, model, rules, threshold.

Order of work in ``classify_text`` (the first step that decides wins):

1. Signals: case references (``signals.find_case_refs``), personnummer (``signals.find_personnummer``).
2. Model: calibrated department probabilities and a document type (always computed: they give the
   suggestions and the runner-ups even when a rule decides).
3. Admin rules (``rules.py``: sender and keyword rules, priority order): the first match decides the
   department and the item is auto-routed; ``reasons["rule"] = "sender rule #3 'Migrationsverket'"``.
4. Known-case rule: the letter quotes a case number that is in the case register (``cases.py``). The
   letter goes to that case's department UNLESS it is plainly a new matter, which is: the model is
   confident (>= threshold) in another department and the predicted document type opens a new matter
   (``NEW_MATTER_DOC_TYPES``: ansokan, anmalan, klagomal, ...), i.e. the old case is only mentioned in
   passing. The item is auto-routed only when the reference is introduced as the letter's own case
   (on its reference line "Dnr …", "Ärende: …", or a short line among its first lines; a sentence citing it
   is not enough); otherwise the case's
   department is put first for the registrar. ``reasons["rule"] = "known_case SBN 2024/0312"``.
5. Case-reference prefix rule (no register entry). In the corpus a quarter of the letters that quote a
   prefixed case reference belong to another department than the prefix (an old case is mentioned in
   passing). So it does not override a confident model: it applies only when the model is unsure (top
   probability below the threshold) and the model gives the referenced department at least half the
   probability of its top choice; then that department is chosen (``reasons["rule"] = "case_ref <ref>"``)
   with the model's probability as confidence: it never auto-routes by itself.
6. Decision: ``"auto"`` iff confidence >= threshold; the threshold is the ``threshold`` argument, else
   ``POSTHANTERING_AUTO_ROUTE_THRESHOLD``, else the threshold stored with the model (chosen so that
   auto-routed mail was at least 98% correct in cross-validation).
7. Sensitivity: the department is sensitive by default (SN, VON, OFN, HR in the shipped list), or the
   text names child protection / coercive care / violence / abuse at school (``STRONG_SENSITIVE_TERMS``),
   or a personnummer appears together with health, welfare, guardianship or family-law words.

``INGEN`` (advertising, newsletters) is never routed: its decision gets ``reasons["tray"] = "discard"``
and the pipeline puts it in needs_review, where the registrar confirms the discard with one click.

Reasons (``Decision.reasons``): ``rule`` (what fired, or None), ``terms`` (the words that pushed the
model hardest towards the chosen department, person names filtered out), ``lexicon`` (the department
knowledge stems found), ``runner_up`` (the next departments with their probabilities), ``threshold``,
``sensitive`` (why sensitive), ``tray`` (``"discard"`` for INGEN).
Nothing here logs the text or a personnummer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from services.classify.lexicon import hits as lexicon_hits
from services.classify.model import Classifier, load_default
from services.classify.rules import RuleSpec, first_match
from services.classify.schemas import Decision, Suggestion
from services.classify.signals import case_ref_department, find_case_refs, find_personnummer, sensitive_terms_in
from services.core.logging import get_logger

log = get_logger(__name__)

RULE_MIN_RATIO = 0.5  # p(referenced department) / p(model top choice) needed for the prefix rule
DISCARD_DEPARTMENT = "INGEN"
NEW_MATTER_DOC_TYPES = frozenset(
    {"ansokan", "anmalan", "klagomal", "begaran_allman_handling", "reklam", "synpunkt", "forfragan"}
)
OWN_CASE_LINES = 12  # a reference in the letter's first lines is its subject
REFERENCE_LINE_WORDS = 12
REFERENCE_LINE_SCAN = 40
_REFERENCE_LINE = re.compile(
    r"^\s*(?:dnr|diarienr|diarienummer|er ref\w*|ert dnr|er beteckning|ert ärende\w*|ärende(?:nummer|nr)?|"
    r"beteckning|angående|ang\.)(?:\s|[.:])",
    re.I,
)


def default_sensitive_departments() -> set[str]:
    from services.core.seed import read_departments

    return {str(d["code"]) for d in read_departments() if d["sensitive_by_default"]}


def effective_threshold(classifier: Classifier, threshold: float | None = None) -> float:
    if threshold is not None:
        return float(threshold)
    from services.core.settings import get_settings

    configured = get_settings().auto_route_threshold
    return float(configured) if configured is not None else float(classifier.threshold)


def department_thresholds(classifier: Classifier, threshold: float | None = None) -> dict[str, float]:
    """The model's per-department thresholds, unless one threshold is forced (argument or setting)."""
    if threshold is not None:
        return {}
    from services.core.settings import get_settings

    if get_settings().auto_route_threshold is not None:
        return {}
    return classifier.department_thresholds()


def apply_case_ref_rule(
    classes: Sequence[str], proba: np.ndarray, case_refs: Sequence[str], threshold: float
) -> tuple[str | None, str | None]:
    """(department, ref) when the case-reference prefix rule applies (see the module docstring), else (None, None)."""
    top = float(proba.max())
    if top >= threshold:
        return None, None
    for ref in case_refs:
        dep = case_ref_department(ref)
        if dep is not None and dep in classes and proba[list(classes).index(dep)] >= RULE_MIN_RATIO * top:
            return dep, ref
    return None, None


def reference_line_ref(text: str, classes: Sequence[str]) -> tuple[str | None, str | None]:
    """(department, ref) of a department-prefixed reference on the letter's own reference line.

    A reference line starts with its label ("Dnr", "Ert dnr", "Er beteckning", "Ärende", "Angående")
    and is short (at most ``REFERENCE_LINE_WORDS`` words): the letter says which case it belongs to.
    In the corpus all 11 such lines named the letter's department, while references elsewhere in the
    text did so only 10 times in 17 (an old case mentioned in passing).
    """
    for line in text.splitlines()[:REFERENCE_LINE_SCAN]:
        if not _REFERENCE_LINE.match(line) or len(line.split()) > REFERENCE_LINE_WORDS:
            continue
        for ref in find_case_refs(line):
            dep = case_ref_department(ref)
            if dep is not None and dep in classes:
                return dep, ref
    return None, None


def is_own_case(text: str, ref: str) -> bool:
    """Whether the letter presents ``ref`` as its own case: on its reference line ("Dnr …", "Ärende: …"), or
    on a short line among its first lines (a heading). A sentence that cites the number ("beslutet om …
    (Dnr KS 2025/0112)") does not make it the letter's own case: a union letter to HR cited a KS decision so.
    """
    lines = [ln for ln in text.splitlines() if ln.strip()]
    for k, line in enumerate(lines[:REFERENCE_LINE_SCAN]):
        if ref not in find_case_refs(line) or len(line.split()) > REFERENCE_LINE_WORDS:
            continue
        if _REFERENCE_LINE.match(line) or k < OWN_CASE_LINES:
            return True
    return False


def apply_known_case_rule(
    text: str,
    classes: Sequence[str],
    proba: np.ndarray,
    case_refs: Sequence[str],
    known_cases: Mapping[str, str],
    threshold: float,
    doc_type: str | None,
) -> tuple[str | None, str | None, bool]:
    """(department, ref, auto) for the first quoted reference that is a known case, or (None, None, False)."""
    for ref in case_refs:
        dep = known_cases.get(ref)
        if dep is None:
            continue
        top = int(np.argmax(proba))
        model_sure_elsewhere = float(proba[top]) >= threshold and classes[top] != dep
        if model_sure_elsewhere and (doc_type or "") in NEW_MATTER_DOC_TYPES:
            return None, None, False  # plainly a new matter: the old case is mentioned in passing
        return dep, ref, is_own_case(text, ref)
    return None, None, False


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


def without_names(text: str, terms: Sequence[str]) -> list[str]:
    """Drop terms that only ever appear capitalised in the letter (person and place names)."""
    out = []
    for term in terms:
        first = term.split()[0]
        occurrences = re.findall(rf"(?<!\w){re.escape(first)}(?!\w)", text, flags=re.IGNORECASE)
        if occurrences and all(o[:1].isupper() and not o.isupper() for o in occurrences):
            continue
        out.append(term)
    return out


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
    rules: Sequence[RuleSpec] = (),
    known_cases: Mapping[str, str] | None = None,
    thresholds: Mapping[str, float] | None = None,
) -> Decision:
    """The decision for one text given its department probabilities (used by classify_text and evaluation).

    ``thresholds``: per-department auto-route thresholds; ``threshold`` applies to the others.
    """
    classes = [str(c) for c in classes]
    proba = np.asarray(proba, dtype=float)
    case_refs = find_case_refs(text)
    pnr_found = bool(find_personnummer(text))
    order = np.argsort(-proba, kind="stable")

    rule = first_match(text, rules) if rules else None
    department, confidence, auto, fired = classes[order[0]], float(proba[order[0]]), None, None
    if rule is not None:
        department, auto, fired = rule.department, True, rule.describe()
        confidence = 1.0
    else:
        known_dep, known_ref, known_auto = apply_known_case_rule(
            text, classes, proba, case_refs, known_cases or {}, threshold, doc_type
        )
        if known_dep is not None:
            department, auto, fired = known_dep, known_auto, f"known_case {known_ref}"
            confidence = 1.0 if known_auto else float(proba[classes.index(known_dep)]) if known_dep in classes else 0.0
        else:
            line_dep, line_ref = reference_line_ref(text, classes)
            prefix_dep, prefix_ref = (
                (line_dep, line_ref) if line_dep else apply_case_ref_rule(classes, proba, case_refs, threshold)
            )
            if line_dep is not None:
                fired = f"reference_line {line_ref}"
            if prefix_dep is not None:
                department, fired = prefix_dep, fired or f"case_ref {prefix_ref}"
                confidence = float(proba[classes.index(prefix_dep)])
    confidence = float(np.clip(confidence, 0.0, 1.0))
    applied = float((thresholds or {}).get(department, threshold))
    if auto is None:
        auto = confidence >= applied
    sensitive, sensitive_reasons = is_sensitive(department, text, pnr_found, sensitive_departments)
    terms = without_names(text, classifier.top_terms(text, department, k=12))[:8] if classifier is not None else []
    suggestions = [Suggestion(department=classes[i], confidence=float(np.clip(proba[i], 0, 1))) for i in order[:3]]
    reasons: dict[str, object] = {
        "rule": fired,
        "terms": terms,
        "lexicon": lexicon_hits(text).get(department, [])[:8],
        "runner_up": [s.model_dump() for s in suggestions if s.department != department][:2],
        "threshold": applied,
        "sensitive": sensitive_reasons,
    }
    if department == DISCARD_DEPARTMENT:
        reasons["tray"] = "discard"
    return Decision(
        department=department,
        confidence=confidence,
        doc_type=doc_type,
        sensitive=sensitive,
        case_refs=case_refs,
        personnummer_found=pnr_found,
        decision="auto" if auto else "review",
        suggestions=suggestions,
        reasons=reasons,
        model_version=model_version,
    )


def classify_text(
    text: str,
    *,
    classifier: Classifier | None = None,
    threshold: float | None = None,
    sensitive_departments: set[str] | None = None,
    rules: Sequence[RuleSpec] = (),
    known_cases: Mapping[str, str] | None = None,
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
        rules=rules,
        known_cases=known_cases,
        thresholds=department_thresholds(clf, threshold),
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
