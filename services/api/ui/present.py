"""How things look in the UI: Swedish labels, local times, the OCR text with case references marked."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup, escape

from services.classify.signals import find_case_refs
from services.core.pii import mask_personnummer
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


def reasons_list(reasons: dict[str, Any] | None) -> list[str]:
    """The classifier's reasons as readable lines, whatever keys the routing engine writes."""
    lines: list[str] = []
    for key, value in (reasons or {}).items():
        if value in (None, "", [], {}):
            continue
        if isinstance(value, list):
            value = ", ".join(
                str(v.get("term") or v.get("name") or v) if isinstance(v, dict) else str(v) for v in value[:8]
            )
        elif isinstance(value, float):
            value = f"{value:.2f}"
        elif isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in list(value.items())[:8])
        lines.append(f"{key.replace('_', ' ')}: {mask_personnummer(str(value))}")
    return lines


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
