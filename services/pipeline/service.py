"""The pipeline, in order. Each step takes a session and an item id, does its work, and moves the
item one state on with a compare-and-set; an item already past the step is a no-op (returns None).

    received --extract--> extracted --classify--> classified --route--> routed | needs_review
        \\--(bad input)--> quarantined                                     \\-> registration proposed

A multi-page item is extracted page-parallel (services/pipeline/pages.py): `extract` answers with a
FanOut of the pages still missing, the task sends `ingest.extract_page` for each, and the page that
completes the set moves the item to `extracted`. A single page is read inline. A multi-page letter
whose first pages are decisive moves on before its last page is read (services/pipeline/early.py).

The caller (a task, or the CLI's inline mode) owns the session scope and sends the next step's task
after the commit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.classify.cases import record_routed
from services.classify.routing import decide_letter
from services.core.blobs import get_blob_store
from services.core.errors import InvalidInput
from services.core.events import SYSTEM, transition
from services.core.models import Department, MailItem, Page, utcnow
from services.core.settings import get_settings
from services.core.states import MailState
from services.ingest.extract import extract_document, low_confidence_pages
from services.ingest.pdf_output import finish_searchable_pdf, page_pdf_dir
from services.pipeline.decision import known_department_codes, record_classified, record_extracted
from services.pipeline.pages import (
    EXTRACT_PAGE,
    FanOut,
    extract_one_page,
    fan_out,
    fan_out_pending,
    is_multi_page,
    quarantine,
)
from services.registration.service import propose as propose_registration

StepFn = Callable[[Session, int], MailState | FanOut | None]


@dataclass(frozen=True)
class Step:
    name: str  # the Celery task name
    expects: MailState
    run: StepFn
    # Cheap (a fraction of a second, no OCR): run in the same task right after the step before it,
    # each in its own transaction with its own compare-and-set and event, instead of a broker hop.
    inline: bool = False


@dataclass(frozen=True)
class PageStep:
    name: str  # the Celery task name
    expects: MailState
    run: Callable[[Session, int, int], MailState | None]  # (session, item_id, page index)


def _load(session: Session, item_id: int, expected: MailState) -> MailItem | None:
    item = session.get(MailItem, item_id)
    if item is None or item.state != expected.value:
        return None
    return item


def extract(session: Session, item_id: int) -> MailState | FanOut | None:
    """Read every page: the PDF text layer where it is real text, OCR otherwise. A multi-page item
    fans out instead: its missing pages are read in parallel by `extract_page` tasks."""
    item = _load(session, item_id, MailState.received)
    if item is None:
        return None
    if is_multi_page(item):
        return fan_out(session, item)
    settings = get_settings()
    store = get_blob_store()
    started = time.perf_counter()
    try:
        # OCR'd pages also leave their searchable-PDF page (same tesseract pass), joined below.
        pdf_dir = page_pdf_dir(store, item.sha256)
        pages = list(extract_document(store.path(item.sha256), item.mime, settings, pdf_dir=pdf_dir))
    except InvalidInput as exc:
        return quarantine(session, item, exc, time.perf_counter() - started)
    finish_searchable_pdf(store, item.sha256, item.mime, [p.index for p in pages])
    rejected = {str(p.index): p.note for p in pages if p.note}
    seconds = time.perf_counter() - started
    record_extracted(session, item, pages, {"text_layer_rejected": rejected}, {"page_count": len(pages)}, seconds)
    for p in pages:
        session.add(
            Page(
                item_id=item.id,
                index=p.index,
                text=p.text,
                method=p.method,
                confidence=p.confidence,
                seconds=round(p.seconds, 4),
                rotation=p.rotation,
                signals=p.signals or None,
            )
        )
    return MailState.extracted


def classify(session: Session, item_id: int) -> MailState | None:
    """Decide the department, document type, sensitivity and whether a human must confirm."""
    item = _load(session, item_id, MailState.extracted)
    if item is None:
        return None
    started = time.perf_counter()
    decision = decide_letter(session, item.text)  # the same path as `posthantering classify`
    return record_classified(session, item, decision, time.perf_counter() - started)


def route(session: Session, item_id: int) -> MailState | None:
    """Auto-route what the model is sure of to a department's inbox; the rest waits for the registry."""
    item = _load(session, item_id, MailState.classified)
    if item is None:
        return None
    dept = session.get(Department, item.suggested_department) if item.suggested_department else None
    low_ocr = low_confidence_pages(item.pages, get_settings().low_ocr_confidence)
    if item.decision == "auto" and dept is not None and dept.routable and dept.active and not low_ocr:
        transition(
            session,
            item,
            expected=MailState.classified,
            to=MailState.routed,
            actor=SYSTEM,
            detail={"department": dept.code, "auto": True},
            values={"department_code": dept.code, "routed_at": utcnow()},
        )
        record_routed(session, item.case_refs or [], dept.code, text=item.text)  # own case only (issue 9)
        return MailState.routed
    if (item.reasons or {}).get("tray") == "discard":
        why = "discard tray"  # advertising (INGEN): a registrar confirms the discard with one click
    elif item.decision != "auto":
        why = "low confidence"
    elif low_ocr:
        why = "low OCR confidence"  # the text the model read may be wrong: a person checks the page
    else:
        why = "not a routable department"
    transition(
        session,
        item,
        expected=MailState.classified,
        to=MailState.needs_review,
        actor=SYSTEM,
        detail={"why": why, "suggested": item.suggested_department, "low_ocr_pages": low_ocr},
    )
    return MailState.needs_review


def then_register(step: StepFn) -> StepFn:
    """After routing, in the same transaction: propose the registration record (issue 12). An item the
    machine routed is exported without a registrar when POSTHANTERING_REGISTRATION_AUTO_EXPORT is on."""

    def run(session: Session, item_id: int) -> MailState | FanOut | None:
        new_state = step(session, item_id)
        item = session.get(MailItem, item_id)
        if new_state in (MailState.routed, MailState.needs_review) and item is not None:
            auto = new_state == MailState.routed
            propose_registration(session, item, known_department_codes(session), auto_routed=auto)
        return new_state

    return run


# The pipeline's order, in one place. `inline` steps follow the one before them in the same task
# (services/pipeline/chain.py); their own task is still what the sweeper re-sends.
PIPELINE: tuple[Step, ...] = (
    Step("ingest.extract", MailState.received, extract),
    Step("classify.classify", MailState.extracted, classify, inline=True),
    Step("route.route", MailState.classified, then_register(route), inline=True),
)
STEP_BY_NAME: dict[str, Step] = {s.name: s for s in PIPELINE}
STEP_FOR_STATE: dict[MailState, Step] = {s.expects: s for s in PIPELINE}
# The fan-out of `ingest.extract` for a multi-page item: one task per page (item_id, index).
EXTRACT_PAGE_STEP = PageStep(EXTRACT_PAGE, MailState.received, extract_one_page)


def complete_text(session: Session, item_id: int) -> MailState | FanOut | None:
    """An item decided on its first pages (issue 11) whose other pages' tasks were lost: send the
    missing pages again, or complete its text (services/pipeline/early.py)."""
    item = session.get(MailItem, item_id)
    return fan_out_pending(session, item) if item is not None else None


# Not a state step: the sweeper's re-send for a text_pending item (whatever state it is in).
COMPLETE_TEXT_STEP = Step("ingest.complete_text", MailState.received, complete_text)
