"""Time to route (issue 11): a multi-page letter is decided as soon as the pages needed are read.

    page tasks (page 1 sent first) --each page stored, under the item's row lock-->
        all pages in:                     received -> extracted, as before (pages.complete_if_all_pages)
        pages 1..k in (k < n, k <= 2), decisive: received -> extracted (detail early, pages k of n), text_pending,
                                          -> classified with that decision (same transaction); route follows inline
        otherwise:                        wait for the next page
    later pages of a text_pending item: stored and added to the item, whatever state it is in now;
        the last one (under the same lock) joins the searchable PDF, clears text_pending, records
        `text_completed` (no state change), then runs separation: a "letter" that turns out to be a
        pile is split (extracted/classified/routed/needs_review/returned -> split, its letters are
        classified and routed on their own) or waits for a registrar (split_review).

Decisive = exactly what the route step auto-routes: the model's decision is `auto`, the department
is routable and active, and no page read so far is below the OCR confidence floor. Anything less
waits for every page, as before. The decision is taken on a prefix (pages 1..k, in order): a page
read out of order changes nothing until the pages before it are in.

Exactly-once is unchanged: the early move is a compare-and-set on `received` under the same row
lock that the page count is taken under, so of racing pages one decides (or one completes); the
completion is taken under the row lock while text_pending is still set, so it happens once. Lost page
tasks of a text_pending item are found by the sweeper (runner.sweep_pending_text) from their leases
and re-sent by `ingest.complete_text`, which fans out only the missing pages (after max_attempts
tries without progress it gives up: the missing pages are stored empty and the text completed).

While text_pending, the text, the search index (pages are indexed as they are stored) and the
searchable PDF are incomplete: lists and the item page show "läses fortfarande (k av n sidor)", the
original file is there to read, and acknowledging or discarding waits until the text is complete.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.classify.routing import decide_letter
from services.classify.schemas import Decision
from services.core.blobs import get_blob_store
from services.core.events import SYSTEM, record
from services.core.models import Department, Event, MailItem, Page, utcnow
from services.core.settings import get_settings
from services.core.states import MailState
from services.ingest.extract import low_confidence_pages
from services.ingest.pdf_output import finish_searchable_pdf
from services.ingest.separation_service import separate_extracted
from services.pipeline.decision import known_department_codes, mean_confidence, record_classified, record_extracted
from services.registration.service import refresh_proposal

# After an early decision, where the last page may still take the item (a pile found late).
SEPARABLE = frozenset(
    {MailState.extracted, MailState.classified, MailState.routed, MailState.needs_review, MailState.returned}
)
GAVE_UP = "sidan kunde inte läsas (gav upp)"
# A letter is decided on its first page, or its first two (a cover letter running over); beyond that
# it waits for every page: no model run per page of a long letter that is not decisive.
EARLY_PAGES = 2


@dataclass(frozen=True)
class StoredPage:
    index: int
    text: str
    method: str
    confidence: float | None
    seconds: float


def stored_pages(session: Session, item_id: int) -> list[StoredPage]:
    rows = session.execute(
        select(Page.index, Page.text, Page.method, Page.confidence, Page.seconds)
        .where(Page.item_id == item_id)
        .order_by(Page.index)
    ).all()
    return [StoredPage(r.index, r.text or "", r.method, r.confidence, r.seconds) for r in rows]


def prefix(pages: list[StoredPage]) -> list[StoredPage]:
    """Pages 1..k read in order (0-based 0..k-1), stopping at the first missing one."""
    out: list[StoredPage] = []
    for p in pages:
        if p.index != len(out):
            break
        out.append(p)
    return out


def auto_routable(session: Session, department: str | None, decision: str | None, pages: list[StoredPage]) -> bool:
    """Would the route step send this to a department's inbox without a person? (see route())."""
    dept = session.get(Department, department) if department else None
    low_ocr = low_confidence_pages(pages, get_settings().low_ocr_confidence)
    return decision == "auto" and dept is not None and dept.routable and dept.active and not low_ocr


@dataclass(frozen=True)
class Proposal:
    """A decision taken on pages 1..k before the item's row lock (the model runs outside the write
    transaction, so other pages' commits do not wait for it); `decide_early` applies it."""

    decision: Decision
    read: tuple[int, ...]  # the pages it was taken on
    seconds: float


def propose(session: Session, item: MailItem, new: StoredPage) -> Proposal | None:
    """Before storing page `new` of a received item: would the first pages read in order, with it,
    be decisive? Only when the pages before it are in, and only for the first EARLY_PAGES pages."""
    if not get_settings().early_route or item.state != MailState.received.value or item.page_count < 2:
        return None
    if new.index >= EARLY_PAGES:
        return None
    stored = [p for p in stored_pages(session, item.id) if p.index != new.index]
    pages = prefix(sorted([*stored, new], key=lambda p: p.index))[:EARLY_PAGES]
    if new not in pages:
        return None  # a page before it is not read yet: nothing to decide on in order
    # The fewest pages first: page 1 alone when page 2 came in before it (an attachment's text can
    # make a decisive first page look less sure), then with the pages after it.
    for n in range(new.index + 1, len(pages) + 1):
        read = pages[:n]
        started = time.perf_counter()
        decision = decide_letter(session, "\n\n".join(p.text for p in read))
        if auto_routable(session, decision.department, decision.decision, read):
            return Proposal(decision, tuple(p.index for p in read), time.perf_counter() - started)
    return None


def decide_early(session: Session, item: MailItem, proposal: Proposal | None) -> MailState | None:
    """Under the item's row lock, pages still missing: apply a decisive proposal, moving received ->
    extracted -> classified (two events, one transaction). Returns `classified` (route follows
    inline) or None."""
    if proposal is None or item.state != MailState.received.value:
        return None
    pages = stored_pages(session, item.id)
    if len(pages) >= item.page_count:
        return None  # every page is in: decided on all of them, as before
    detail = {"of": item.page_count, "early": True, "decided_on": list(proposal.read)}
    record_extracted(session, item, pages, detail, {"text_pending": True})
    # The decision is the classification (one model run): extracted -> classified here.
    return record_classified(session, item, proposal.decision, proposal.seconds)


def complete_text(session: Session, item: MailItem) -> MailState | None:
    """Under the item's row lock: when every page of a text_pending item is in, join the searchable
    PDF, clear text_pending and record `text_completed`; then separation may find a pile. Returns the
    state whose task to send (`split`: the letters' classify), or None."""
    if not item.text_pending:
        return None
    pages = stored_pages(session, item.id)
    if len(pages) < item.page_count:
        return None
    finish_searchable_pdf(get_blob_store(), item.sha256, item.mime, [p.index for p in pages])
    item.text_pending = False
    item.ocr_confidence = mean_confidence(p.confidence for p in pages)
    item.updated_at = utcnow()
    session.flush()
    record(
        session,
        item_id=item.id,
        actor=SYSTEM,
        action="text_completed",
        machine_seconds=max(0.0, sum(p.seconds for p in pages) - _seconds_metered(session, item.id)),
        detail={"pages": len(pages), "state": item.state, "methods": sorted({p.method for p in pages})},
    )
    # The record proposed from the first pages, proposed again from the whole text (a registrar's
    # corrections and a confirmed record stay as they are).
    refresh_proposal(session, item, "\n\n".join(p.text for p in pages), known_department_codes(session))
    state = MailState(item.state)
    if state not in SEPARABLE:
        return None
    after = separate_extracted(session, item, expected=state)
    return after if after != state else None


def give_up_missing(session: Session, item: MailItem, missing: list[int]) -> None:
    """The missing pages of a text_pending item after max_attempts tries without progress: stored
    empty with the reason, so the text can complete (the original file still has them)."""
    for index in missing:
        session.add(
            Page(item_id=item.id, index=index, text="", method="empty", seconds=0.0, signals={"unreadable": GAVE_UP})
        )
    session.flush()
    record(session, item_id=item.id, actor=SYSTEM, action="pages_given_up", detail={"pages": missing})


def _seconds_metered(session: Session, item_id: int) -> float:
    """The page seconds the early `extracted` event already metered (not counted twice in the ROI)."""
    early = session.scalar(
        select(Event.machine_seconds)
        .where(Event.item_id == item_id, Event.to_state == MailState.extracted.value)
        .order_by(Event.id)
        .limit(1)
    )
    return float(early or 0.0)
