"""Page-parallel extraction of a multi-page item: fan out one task per page, join when the last is in.

    extract (multi-page) --> FanOut(missing pages) --> ingest.extract_page(item, i) for each i
    ingest.extract_page: read page i, store its Page row; the page that makes the set complete
        moves the item received -> extracted (CAS) and joins the searchable PDF.

Each page task reads its page alone (one page image in memory), leaves its searchable-PDF page in
the blob store (shared with every host), and inserts its Page row idempotently (unique (item_id, index)). The
completion check runs after a row lock on the item, so of two racing last pages exactly one sees
the full set and wins the CAS; a redelivered or duplicate page task is a no-op. If both were lost,
the sweeper re-sends `ingest.extract`, which re-sends only the missing pages, or completes the item
itself when none is missing.

Time to route (issue 11, services/pipeline/early.py): pages are sent first page first; a page that
extends the pages read in order may make the item decisive before the rest are in (received ->
extracted with `text_pending`); later pages are added to the item in whatever state it is by then,
and the last one completes its text, searchable PDF and search index.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.core.blobs import get_blob_store
from services.core.environment import STORAGE_REASON_SV, storage_writable
from services.core.errors import InvalidInput, StateConflict, StorageUnavailable
from services.core.events import SYSTEM, transition
from services.core.models import MailItem, Page, utcnow
from services.core.settings import get_settings
from services.core.states import MailState
from services.ingest.extract import extract_page
from services.ingest.pdf_output import (
    discard_page_pdfs,
    drop_page_pdf,
    finish_searchable_pdf,
    page_pdf_dir,
    publish_page_pdf,
)
from services.ingest.schemas import PageResult
from services.ingest.separation_service import separate_extracted
from services.pipeline.decision import record_extracted
from services.pipeline.early import StoredPage, complete_text, decide_early, give_up_missing, propose

EXTRACT_PAGE = "ingest.extract_page"  # the Celery task that reads one page (ocr queue)


@dataclass(frozen=True)
class FanOut:
    """The extract step's answer for a multi-page item: read these pages in parallel, one task each."""

    indices: tuple[int, ...]


def is_multi_page(item: MailItem) -> bool:
    return item.page_count > 1


def fan_out(session: Session, item: MailItem) -> FanOut | MailState:
    """The pages still without a Page row; when none is missing, complete the item here."""
    missing = sorted(set(range(item.page_count)) - _stored_indices(session, item.id))
    if missing:
        return FanOut(tuple(missing))
    _lock_reading(session, item.id, progress=False)
    return complete_if_all_pages(session, item) or FanOut(())


def reading(item: MailItem | None) -> bool:
    """Are this item's pages still being read? (received, or decided early with pages to come)"""
    return item is not None and (item.state == MailState.received.value or item.text_pending)


def extract_one_page(session: Session, item_id: int, index: int) -> MailState | None:
    """Read page `index` of an item still being read and store it; returns `extracted` when this page
    completed the item or made it decisive (services/pipeline/early.py), `quarantined` for a bad page,
    `split` when the last page of an early-decided letter showed a pile, None when nothing more to do."""
    item = session.get(MailItem, item_id)
    if item is None or not reading(item) or not 0 <= index < item.page_count:
        return None
    store = get_blob_store()
    result: PageResult | None = None
    if index not in _stored_indices(session, item_id):
        started = time.perf_counter()
        try:
            result = extract_page(
                store.path(item.sha256), item.mime, index, get_settings(), pdf_dir=page_pdf_dir(store, item.sha256)
            )
        except InvalidInput as exc:
            if not item.text_pending:
                return quarantine(session, item, exc, time.perf_counter() - started, detail={"page": index})
            # Already decided and in someone's hands: the page is kept empty with the reason.
            seconds = time.perf_counter() - started
            result = PageResult(index, "", "empty", None, seconds, 0, signals={"unreadable": exc.message[:200]})
        if "unreadable" not in result.signals:
            publish_page_pdf(store, item.sha256, index)  # before the Page row commits: the joiner needs it
    # The model runs before the first write (the row lock), so other pages' commits do not wait for it.
    proposal = propose(session, item, _stored(result)) if result is not None else None
    inserted = _insert_page(session, item_id, result) if result is not None else False
    try:
        _lock_reading(session, item_id, progress=inserted)
    except StateConflict:
        if result is not None:  # finished elsewhere meanwhile: this page's PDF is not needed
            drop_page_pdf(store, item.sha256, index)
        raise
    session.refresh(item)  # under the lock: the state another page's commit may have moved
    if item.text_pending:
        return complete_text(session, item)
    return complete_if_all_pages(session, item) or (decide_early(session, item, proposal) if inserted else None)


def quarantine(
    session: Session, item: MailItem, exc: InvalidInput, machine_seconds: float, detail: dict[str, int] | None = None
) -> MailState:
    """Bad input found while reading: received -> quarantined with the reason; drop partial page PDFs.

    Not while the data directory's storage is failing: a tool that could not write its output (a
    full disk) looks like a bad file, so then the step is retried instead (the letter is not blamed)."""
    store = get_blob_store()
    if not storage_writable(store.root, get_settings().min_free_bytes // 4):
        raise StorageUnavailable(STORAGE_REASON_SV.format(detail=f"vid läsning: {exc.message[:120]}"))
    discard_page_pdfs(store, item.sha256)
    transition(
        session,
        item,
        expected=MailState.received,
        to=MailState.quarantined,
        actor=SYSTEM,
        machine_seconds=machine_seconds,
        detail=detail,
        values={"state_reason": exc.message},
    )
    return MailState.quarantined


def complete_if_all_pages(session: Session, item: MailItem) -> MailState | None:
    """When every page has its row: join the searchable PDF and move received -> extracted (CAS)."""
    rows = session.execute(
        select(Page.index, Page.method, Page.confidence, Page.seconds).where(Page.item_id == item.id)
    ).all()
    if len(rows) < item.page_count:
        return None
    record_extracted(session, item, rows, {"parallel": True}, {"page_count": len(rows)})
    # Only the CAS winner joins (it holds the item's row lock until its commit).
    finish_searchable_pdf(get_blob_store(), item.sha256, item.mime, sorted(r.index for r in rows))
    # Separation (issue 16): a pile becomes its letters here, from the pages just read.
    return separate_extracted(session, item)


def _lock_reading(session: Session, item_id: int, *, progress: bool) -> None:
    """Row-lock the item while its pages are still being read (else StateConflict). Racing page tasks
    pass here one at a time, so the count that follows sees every committed page. It also marks the
    item as moving, for the sweeper; a new page restarts the attempt count (attempts = tries without
    progress)."""
    values: dict[str, object] = {"updated_at": utcnow(), **({"attempts": 0} if progress else {})}
    locked = session.execute(
        update(MailItem)
        .where(MailItem.id == item_id, or_(MailItem.state == MailState.received.value, MailItem.text_pending))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:  # type: ignore[attr-defined]
        raise StateConflict(f"item {item_id} is no longer being read")


def fan_out_pending(session: Session, item: MailItem) -> FanOut | MailState | None:
    """`ingest.complete_text` (the sweeper's re-send for a text_pending item): the pages still
    missing, each try counted; after max_attempts tries without progress they are given up (stored
    empty) and the text completed. None: nothing to do."""
    if not item.text_pending:
        return None
    _lock_reading(session, item.id, progress=False)
    session.refresh(item)
    missing = sorted(set(range(item.page_count)) - _stored_indices(session, item.id))
    if missing and item.attempts + 1 < get_settings().max_attempts:
        item.attempts += 1
        return FanOut(tuple(missing))
    if missing:
        give_up_missing(session, item, missing)
    return complete_text(session, item)


def _stored(p: PageResult) -> StoredPage:
    return StoredPage(p.index, p.text, p.method, p.confidence, p.seconds)


def _stored_indices(session: Session, item_id: int) -> set[int]:
    return set(session.scalars(select(Page.index).where(Page.item_id == item_id)))


def _insert_page(session: Session, item_id: int, p: PageResult) -> bool:
    """INSERT ... ON CONFLICT (item_id, index) DO NOTHING; True if this call stored the page."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(Page)
        .values(
            item_id=item_id,
            index=p.index,
            text=p.text,
            method=p.method,
            confidence=p.confidence,
            seconds=round(p.seconds, 4),
            rotation=p.rotation,
            signals=p.signals or None,
        )
        .on_conflict_do_nothing(index_elements=["item_id", "index"])
    )
    return session.execute(stmt.returning(Page.id)).scalar_one_or_none() is not None
