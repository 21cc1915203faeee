"""A registrar's side of separation: look at a batch, correct an unsure split and confirm it, restore a
page that was removed as blank (or as a separator).

The registrar's corrections (move a boundary, merge, split, rotate or remove a page) arrive as the
final layout: the letters as lists of page indexes, the removed pages, and quarter turns per page.
Confirming makes the letters (services/ingest/separation_service.make_letters) and records a
`separation_reviewed` event with the registrar's time (human_seconds) for the savings report.
"""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.blobs import get_blob_store
from services.core.errors import InvalidInput, NotFound, StateConflict
from services.core.events import record
from services.core.models import MailItem, utcnow
from services.core.models_separation import Batch
from services.core.states import MailState
from services.ingest.separation_service import make_letters, slice_file
from services.ingest.service import submit_stream

MAX_HUMAN_SECONDS = 3600.0  # a review left open over lunch is not an hour of work


def get_batch(session: Session, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(f"batch {batch_id} not found")
    return batch


def batch_for_item(session: Session, item_id: int) -> Batch | None:
    item = session.get(MailItem, item_id)
    if item is None or item.batch_id is None:
        return session.scalars(select(Batch).where(Batch.source_item_id == item_id)).first()
    return session.get(Batch, item.batch_id)


def list_batches(session: Session, *, status: str | None = None, limit: int = 100) -> list[Batch]:
    query = select(Batch).order_by(Batch.id.desc()).limit(limit)
    if status:
        query = query.where(Batch.status == status)
    return list(session.scalars(query))


def batch_view(session: Session, batch: Batch) -> dict[str, Any]:
    """The batch as the API and the UI show it: its letters, its pages and what was removed and why."""
    pile = session.get(MailItem, batch.source_item_id)
    letters = session.scalars(
        select(MailItem).where(MailItem.batch_id == batch.id, MailItem.id != batch.source_item_id).order_by(MailItem.id)
    ).all()
    decision = batch.decision or {}
    removed: dict[str, str] = decision.get("removed", {})
    starts: dict[str, Any] = decision.get("starts", {})
    page_of: dict[int, int] = {}
    for n, doc in enumerate(decision.get("documents", [])):
        for i in doc["pages"]:
            page_of[i] = n
    pages = []
    for i in range(batch.page_count):
        start = starts.get(str(i), {})
        pages.append(
            {
                "index": i,
                "removed": removed.get(str(i)),
                "restored": i in decision.get("restored", []),
                "document": page_of.get(i),
                "p_first": start.get("p_first"),
                "evidence": start.get("evidence", []),
            }
        )
    return {
        "id": batch.id,
        "filename": batch.filename,
        "status": batch.status,
        "mode": batch.mode,
        "duplex": batch.duplex,
        "page_count": batch.page_count,
        "source_item_id": batch.source_item_id,
        "source_state": pile.state if pile else None,
        "created_at": batch.created_at,
        "reviewed_at": batch.reviewed_at,
        "reviewed_by": batch.reviewed_by,
        "review": bool(decision.get("review")),
        "documents": decision.get("documents", []),
        "blank": decision.get("blank", []),
        "separators": decision.get("separators", []),
        "pages": pages,
        "letters": [
            {
                "id": x.id,
                "filename": x.filename,
                "state": x.state,
                "department": x.department_code,
                "source_pages": x.source_pages or [],
            }
            for x in letters
        ],
    }


def validate_layout(page_count: int, documents: list[list[int]], removed: list[int]) -> None:
    """Every page once: in exactly one letter, or removed. Letters keep their pages in pile order."""
    seen: set[int] = set()
    if not documents:
        raise InvalidInput("minst ett brev behövs")
    for doc in documents:
        if not doc:
            raise InvalidInput("ett brev utan sidor")
        if doc != sorted(doc):
            raise InvalidInput("ett brevs sidor ska stå i ordning")
        for i in doc:
            if not 0 <= i < page_count:
                raise InvalidInput(f"sida {i + 1} finns inte")
            if i in seen:
                raise InvalidInput(f"sida {i + 1} finns i två brev")
            seen.add(i)
    for i in removed:
        if not 0 <= i < page_count:
            raise InvalidInput(f"sida {i + 1} finns inte")
        if i in seen:
            raise InvalidInput(f"sida {i + 1} är både borttagen och med i ett brev")
        seen.add(i)
    if len(seen) != page_count:
        missing = sorted(set(range(page_count)) - seen)
        raise InvalidInput("sidor saknas: " + ", ".join(str(i + 1) for i in missing))


def confirm(
    session: Session,
    batch_id: int,
    *,
    documents: list[list[int]],
    removed: list[int],
    rotations: dict[int, int] | None,
    actor: str,
    human_seconds: float,
) -> list[MailItem]:
    """A registrar's layout for a batch in review: the letters are made and go on to classification."""
    batch = get_batch(session, batch_id)
    pile = session.get(MailItem, batch.source_item_id)
    if pile is None or pile.state != MailState.split_review.value:
        raise StateConflict("bunten väntar inte på granskning (redan bekräftad?)")
    validate_layout(batch.page_count, documents, removed)
    turns = {int(k): int(v) % 360 for k, v in (rotations or {}).items()}
    if any(v % 90 for v in turns.values()):
        raise InvalidInput("vridning i steg om 90 grader")
    letters = make_letters(
        session, pile, batch, documents, actor=actor, rotations=turns, expected=MailState.split_review
    )
    seconds = max(0.0, min(float(human_seconds), MAX_HUMAN_SECONDS))
    decision = dict(batch.decision)
    old_removed: dict[str, str] = decision.get("removed", {})
    decision.update(
        documents=[{"pages": d, "confidence": 1.0} for d in documents],
        removed={str(i): old_removed.get(str(i), "borttagen av registrator") for i in removed},
        rotations={str(k): v for k, v in turns.items()},
        review=False,
    )
    batch.decision = decision
    batch.status = "reviewed"
    batch.reviewed_at = utcnow()
    batch.reviewed_by = actor
    record(
        session,
        item_id=pile.id,
        actor=actor,
        action="separation_reviewed",
        human_seconds=seconds,
        detail={"batch_id": batch.id, "letters": [x.id for x in letters], "documents": len(documents)},
    )
    return letters


def restore_page(session: Session, batch_id: int, index: int, *, actor: str) -> MailItem:
    """A page removed as blank or separator, taken back: it becomes an item of its own (read and routed
    like any letter), keeping its batch and source page. In a batch still in review, include the page
    in a letter instead."""
    batch = get_batch(session, batch_id)
    decision = dict(batch.decision)
    removed: dict[str, str] = dict(decision.get("removed", {}))
    if str(index) not in removed:
        raise InvalidInput(f"sida {index + 1} är inte borttagen")
    pile = session.get(MailItem, batch.source_item_id)
    if pile is None:
        raise NotFound("buntens fil finns inte")
    if pile.state == MailState.split_review.value:
        raise StateConflict("bunten granskas: ta med sidan i ett brev och bekräfta")
    data = slice_file(get_blob_store().path(pile.sha256), pile.mime, [index])
    stem, dot, ext = batch.filename.rpartition(".")
    name = f"{stem or batch.filename} – sida {index + 1}{dot}{ext if dot else ''}"
    result = submit_stream(
        session, io.BytesIO(data), filename=name, channel=pile.channel, actor=actor, intake_channel=pile.intake_channel
    )
    item = result.item
    item.batch_id = batch.id
    item.source_pages = [index]
    removed.pop(str(index))
    decision["removed"] = removed
    decision["restored"] = sorted({*decision.get("restored", []), index})
    batch.decision = decision
    record(session, item_id=item.id, actor=actor, action="page_restored", detail={"batch_id": batch.id, "page": index})
    return item
