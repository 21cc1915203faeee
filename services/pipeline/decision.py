"""Writing what the pipeline found onto an item: the pages read (received -> extracted) and the
routing decision (extracted -> classified).

Shared by the extract and classify steps (services/pipeline/service.py), the page-parallel join
(services/pipeline/pages.py) and the early decision of a multi-page letter (services/pipeline/early.py),
which classifies on the pages read so far in the same transaction that moves it to `extracted`, so
the model runs once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.classify.schemas import Decision
from services.core.events import SYSTEM, transition
from services.core.models import Department, MailItem
from services.core.states import MailState


class PageRead(Protocol):
    @property
    def seconds(self) -> float: ...
    @property
    def method(self) -> str: ...
    @property
    def confidence(self) -> float | None: ...


def mean_confidence(values: Iterable[float | None]) -> float | None:
    """Mean word confidence over the pages that have one (OCR'd pages), rounded to 2 places."""
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 2) if known else None


def record_extracted(
    session: Session,
    item: MailItem,
    pages: Sequence[PageRead],
    detail: dict[str, Any],
    values: dict[str, Any] | None = None,
    seconds: float | None = None,
) -> None:
    """received -> extracted with the pages read so far: their seconds metered (or the step's own
    `seconds`), their confidence kept."""
    transition(
        session,
        item,
        expected=MailState.received,
        to=MailState.extracted,
        actor=SYSTEM,
        machine_seconds=sum(p.seconds for p in pages) if seconds is None else seconds,
        detail={"pages": len(pages), "methods": sorted({p.method for p in pages}), **detail},
        values={"ocr_confidence": mean_confidence(p.confidence for p in pages), **(values or {})},
    )


def record_classified(session: Session, item: MailItem, decision: Decision, seconds: float) -> MailState:
    transition(
        session,
        item,
        expected=MailState.extracted,
        to=MailState.classified,
        actor=SYSTEM,
        machine_seconds=seconds,
        detail={
            "department": decision.department,
            "confidence": round(decision.confidence, 4),
            "decision": decision.decision,
        },
        values={
            "suggested_department": decision.department,
            "confidence": decision.confidence,
            "decision": decision.decision,
            "doc_type": decision.doc_type,
            "sensitive": decision.sensitive,
            "personnummer_found": decision.personnummer_found,
            "case_refs": decision.case_refs,
            "suggestions": [s.model_dump() for s in decision.suggestions],
            "reasons": decision.reasons,
            "model_version": decision.model_version,
        },
    )
    return MailState.classified


def known_department_codes(session: Session) -> frozenset[str]:
    """The routable departments' codes: the units a registration record may name as recipient."""
    return frozenset(session.scalars(select(Department.code).where(Department.routable.is_(True))))
