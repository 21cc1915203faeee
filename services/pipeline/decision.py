"""Writing the routing decision onto an item: extracted -> classified with the decision's values.

Shared by the classify step (services/pipeline/service.py) and the early decision of a multi-page
letter (services/pipeline/early.py), which classifies on the pages read so far in the same
transaction that moves it to `extracted`, so the model runs once."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.classify.schemas import Decision
from services.core.events import SYSTEM, transition
from services.core.models import MailItem
from services.core.states import MailState


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
