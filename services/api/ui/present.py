"""How things look in the UI: Swedish labels, local times, the OCR text with case references marked."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup, escape

from services.classify.signals import find_case_refs
from services.core.pii import mask_personnummer
from services.mail.discard import DISCARD_DEPARTMENT
from services.mail.triage import LOCAL_TZ, deadline_status

STATE_LABELS = {
    "received": "Mottagen",
    "extracted": "Text läst",
    "classified": "Klassad",
    "routed": "Fördelad",
    "needs_review": "Att granska",
    "acknowledged": "Kvitterad",
    "returned": "Åter från avdelning",
    "quarantined": "I karantän",
    "failed": "Fel",
    "discarded": "Kastad",
    "split": "Delad i brev",
    "split_review": "Delning att granska",
}
ROLE_LABELS = {"admin": "Administratör", "registrar": "Registrator", "department": "Avdelning", "viewer": "Läsare"}
ACTION_LABELS = {
    "received": "Mottagen",
    "extracted": "Text läst",
    "classified": "Klassad",
    "routed": "Fördelad",
    "rerouted": "Omfördelad",
    "needs_review": "Till granskning",
    "acknowledged": "Kvitterad",
    "returned": "Skickad tillbaka (fel mottagare)",
    "viewed": "Visad (sekretess)",
    "quarantined": "Satt i karantän",
    "failed": "Misslyckades",
    "discarded": "Kastad (reklam)",
    "separated": "Avskild ur bunt",
    "split": "Delad i brev",
    "split_review": "Delning till granskning",
    "separation_reviewed": "Delning granskad",
    "page_restored": "Sida återställd ur bunt",
}
DEADLINE_LABELS = {"green": "I tid", "amber": "Sista dag idag", "red": "Försenad"}

# Anything that looks like a diarienummer; each candidate is confirmed by the classifier's own parser.
_CANDIDATE_RE = re.compile(r"(?:[A-ZÅÄÖ0]{2,4}[\s.:-]?\s*)?(?:19|20)\d{2}\s?[/-]\s?\d{1,6}")
_MASKED_PNR_RE = re.compile(r"\b(?:\d{6}|\d{8})-XXXX\b")


def local_time(dt: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if dt is None:
        return ""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(LOCAL_TZ).strftime(fmt)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)} %"


def deadline(item: Any) -> dict[str, str]:
    colour, due = deadline_status(item.created_at)
    return {"colour": colour, "label": DEADLINE_LABELS[colour], "due": due.isoformat()}


def _is_case_ref(text: str, start: int, end: int) -> bool:
    window = text[max(0, start - 30) : end]
    digits = re.sub(r"\D", "", text[start:end])
    return any(re.sub(r"\D", "", ref).endswith(digits[-4:]) for ref in find_case_refs(window))


def highlight(text: str) -> Markup:
    """The page text, HTML-escaped, personnummer masked, case references and masked numbers marked."""
    masked = mask_personnummer(text or "")
    spans: list[tuple[int, int, str]] = []
    for m in _CANDIDATE_RE.finditer(masked):
        if _is_case_ref(masked, m.start(), m.end()):
            spans.append((m.start(), m.end(), "caseref"))
    for m in _MASKED_PNR_RE.finditer(masked):
        if not any(s < m.end() and m.start() < e for s, e, _ in spans):
            spans.append((m.start(), m.end(), "pnr"))
    out: list[str] = []
    pos = 0
    for start, end, kind in sorted(spans):
        out.append(str(escape(masked[pos:start])))
        title = "Diarienummer" if kind == "caseref" else "Personnummer (maskerat)"
        out.append(f'<mark class="{kind}" title="{title}">{escape(masked[start:end])}</mark>')
        pos = end
    out.append(str(escape(masked[pos:])))
    return Markup("".join(out))


REASON_LABELS = {
    "rule": "Regel som avgjorde",
    "terms": "Starkaste ord",
    "lexicon": "Ord från avdelningens område",
    "runner_up": "Närmast efter",
    "threshold": "Gräns för automatisk fördelning",
    "sensitive": "Sekretess",
    "tray": "Fack",
}
_RULE_RE = re.compile(r"^(sender|keyword) rule #(\d+) (.*)$", re.DOTALL)
_RULE_PREFIXES = {
    "known_case": "Känt ärende",
    "case_ref": "Diarienummerprefix",
    "reference_line": "Brevets egen ärendereferens",
}
_TRAYS = {"discard": "Reklam: föreslås kastas (ska inte diarieföras)"}


def _share(value: Any) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "–"
    return "< 1 %" if 0 < v < 0.005 else f"{round(v * 100)} %"


def _rule_text(rule: str) -> str:
    m = _RULE_RE.match(rule)
    if m:
        kind = "Avsändarregel" if m.group(1) == "sender" else "Nyckelordsregel"
        return f"{kind} #{m.group(2)}: {m.group(3)}"
    head, _, rest = rule.partition(" ")
    return f"{_RULE_PREFIXES[head]} {rest}" if head in _RULE_PREFIXES else rule


def _sensitive_text(value: Any) -> str:
    parts = value if isinstance(value, list) else [value]
    out = []
    for part in parts:
        text = str(part)
        if text.startswith("department "):
            text = f"avdelning {text.removeprefix('department ')}"
        out.append(text)
    return ", ".join(out)


def _generic(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v.get("term") or v.get("name") or v) if isinstance(v, dict) else str(v) for v in value[:8])
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in list(value.items())[:8])
    return str(value)


def _reason_value(key: str, value: Any) -> str:
    if key == "rule":
        return _rule_text(str(value))
    if key in ("terms", "lexicon") and isinstance(value, list):
        return ", ".join(str(v) for v in value[:8])
    if key == "runner_up" and isinstance(value, list):
        return ", ".join(
            f"{v.get('department')} {_share(v.get('confidence'))}" if isinstance(v, dict) else str(v) for v in value
        )
    if key == "threshold":
        return _share(value)
    if key == "sensitive":
        return _sensitive_text(value)
    if key == "tray":
        return _TRAYS.get(str(value), str(value))
    return _generic(value)


def reasons_list(reasons: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The routing reasons as (Swedish label, readable value) pairs, personnummer masked.

    Known keys (services/classify/service.py: rule, terms, lexicon, runner_up, threshold, sensitive,
    tray) come first in that order; unknown keys are shown generically with their own name."""
    reasons = reasons or {}
    keys = [k for k in REASON_LABELS if k in reasons] + [k for k in reasons if k not in REASON_LABELS]
    lines: list[tuple[str, str]] = []
    for key in keys:
        value = reasons[key]
        if value in (None, "", [], {}):
            continue
        label = REASON_LABELS.get(key, key.replace("_", " "))
        lines.append((label, mask_personnummer(_reason_value(key, value))))
    return lines


_RULE_ERRORS = (
    ("kind must be one of", "Välj typ: avsändare eller nyckelord."),
    ("pattern must not be empty", "Mönstret får inte vara tomt."),
    ("pattern is longer than", "Mönstret är för långt (högst 300 tecken)."),
    ("a plain pattern needs at least 3 characters", "Ett vanligt mönster behöver minst 3 tecken."),
    ("invalid regular expression:", "Ogiltigt reguljärt uttryck:"),
    (
        "the regular expression matches empty text",
        "Det reguljära uttrycket matchar tom text och skulle träffa alla brev.",
    ),
    ("the regular expression is too slow", "Det reguljära uttrycket är för långsamt (katastrofal backtracking)."),
    ("unknown department", "Okänd avdelning:"),
    ("priority must be", "Prioriteten ska vara ett heltal från 0 till 10 000."),
)


def rule_error(message: str) -> str:
    """A rule validation message (services.classify.rules.InvalidRule) in Swedish, keeping its detail."""
    for prefix, swedish in _RULE_ERRORS:
        if message.startswith(prefix):
            detail = message[len(prefix) :].strip(" :")
            if swedish.endswith(":"):
                return f"{swedish} {detail}" if detail else swedish[:-1] + "."
            return swedish
    return message


def in_discard_tray(item: Any) -> bool:
    """Waiting for a discard confirmation: advertising (INGEN) in needs_review (services/mail/discard.py)."""
    tray = (item.reasons or {}).get("tray") == "discard" or item.suggested_department == DISCARD_DEPARTMENT
    return item.state == "needs_review" and tray


def suggestions(item: Any, departments: dict[str, Any]) -> list[dict[str, Any]]:
    """The model's suggestions; keys 1-9 go to the ones that can receive mail (not INGEN, not inactive)."""
    out: list[dict[str, Any]] = []
    key = 0
    for s in (item.suggestions or [])[:9]:
        if not isinstance(s, dict) or not s.get("department"):
            continue
        code = str(s["department"])
        dept = departments.get(code)
        routable = dept is not None and dept.routable and dept.active
        key += 1 if routable else 0
        out.append(
            {
                "department": code,
                "name": dept.name if dept is not None else code,
                "confidence": s.get("confidence"),
                "key": key if routable else None,
                "primary": routable and key == 1,
            }
        )
    return out
