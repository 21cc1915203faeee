"""Who a letter is from and what it is about, for lists: the one place that decides what is shown.

When the item has a registration record (services/registration), its sender (organisation, else
name) and subject are shown: the record's public subject when the record is secret, and no sender name
for a secret record (source="registration"). Without a record the sender is the letterhead (the first
line of the first page) and the subject the letter's first heading: an explicit "Angående:" /
"Ärende:" line, else the first short paragraph that is not an address, a date or a greeting.
Personnummer are masked in both fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from services.core.models_registration import RegistrationRecord
from services.core.pii import mask_personnummer

MAX_SENDER = 60
MAX_SUBJECT = 90
_MARKER = re.compile(r"^\s*(?:ang(?:ående)?\.?|ärende|ämne|rubrik|avser)\s*[:.]\s*(.+)$", re.I)
_POSTAL = re.compile(r"\b\d{3} ?\d{2}\b|\bbox \d+", re.I)
_MONTHS = "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
_DATE = re.compile(rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}} ({_MONTHS}) \d{{4}}\b", re.I)
_SKIP_START = re.compile(r"^(till|hej|med vänlig|vänliga|mvh|bästa|er beteckning|vår beteckning|dnr)\b", re.I)


@dataclass(frozen=True)
class LetterSummary:
    sender: str
    subject: str
    source: str  # "letter" (heuristic on the text) | "registration" (the confirmed record)


def _clip(text: str, n: int) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _paragraphs(text: str) -> list[list[str]]:
    out: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _is_heading(par: list[str]) -> bool:
    first = par[0]
    if any(_POSTAL.search(line) or line.lower().endswith("kommun") for line in par):
        return False
    if _SKIP_START.match(first) or (_DATE.search(first) and len(first) < 60):
        return False
    return 4 <= len(first) <= 120 and len(first.split()) <= 14 and len(par) <= 3


def subject_of(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines[:40]:
        m = _MARKER.match(line)
        if m:
            return _clip(m.group(1), MAX_SUBJECT)
    pars = _paragraphs(text)
    for par in pars[1:12]:
        if _is_heading(par):
            return _clip(par[0], MAX_SUBJECT)
    if pars and len(pars[0]) > 1 and not _POSTAL.search(pars[0][1]):
        return _clip(pars[0][1], MAX_SUBJECT)
    if lines:
        return _clip(re.split(r"(?<=[.!?])\s", lines[0], maxsplit=1)[0], MAX_SUBJECT)
    return ""


def sender_of(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return _clip(line, MAX_SENDER)
    return ""


def _field(rec: RegistrationRecord, name: str) -> str:
    return str((rec.fields or {}).get(name, {}).get("value", "") or "").strip()


def _from_record(item: Any) -> LetterSummary | None:
    session = object_session(item) if getattr(item, "id", None) is not None else None
    if session is None:
        return None
    rec = session.scalars(select(RegistrationRecord).where(RegistrationRecord.item_id == item.id)).first()
    if rec is None:
        return None
    if rec.secret:
        sender = _field(rec, "sender_org") if _field(rec, "sender_kind") != "person" else ""
        subject = _field(rec, "public_subject")
    else:
        sender = _field(rec, "sender_org") or _field(rec, "sender_name")
        subject = _field(rec, "subject")
    if not (sender or subject):
        return None
    return LetterSummary(
        sender=mask_personnummer(_clip(sender, MAX_SENDER)),
        subject=mask_personnummer(_clip(subject, MAX_SUBJECT)),
        source="registration",
    )


def display_summary(item: Any) -> LetterSummary:
    """Sender and subject of `item` for display (personnummer masked); "" when nothing is read yet."""
    from_record = _from_record(item)
    if from_record is not None:
        return from_record
    pages = getattr(item, "pages", None) or []
    text = pages[0].text if pages else ""
    return LetterSummary(
        sender=mask_personnummer(sender_of(text)), subject=mask_personnummer(subject_of(text)), source="letter"
    )
