"""Separation at intake: a scanned pile becomes one item per letter, each with its batch and source pages.

The pile is read once like any item (page-parallel OCR; blank backs and separator sheets are seen in
the same render and not OCR'd). When its last page is in, `separate_extracted` decides the split in
the same transaction:
- one letter: the item goes on as it is (a batch is kept only when pages were removed);
- several letters: each becomes a new item in `extracted` (its pages' text copied, nothing read again)
  holding the pile's pages as its own file; the pile ends in `split`;
- an unsure split: the pile waits in `split_review` until a registrar confirms (services/ingest/
  separation_review.py), then the letters are made the same way.
The caller owns the transaction; the letters' classify tasks are sent after the commit (dispatch).
"""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import Any

import pypdfium2 as pdfium
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.blobs import get_blob_store
from services.core.events import SYSTEM, record, transition
from services.core.logging import get_logger
from services.core.models import MailItem, Page, utcnow
from services.core.models_separation import Batch
from services.core.settings import get_settings
from services.core.states import MailState
from services.ingest.pdf_output import searchable_pdf_path
from services.ingest.repository import get_by_sha
from services.ingest.separation import Decision, PageIn, content_split, decide
from services.ingest.sniff import PDF, PDFIUM_LOCK, TIFF

log = get_logger(__name__)

REMOVED_REASONS = {"blank": "tom sida (baksida)", "separator": "skiljeblad"}


def decide_for_item(session: Session, item: MailItem) -> Decision:
    settings = get_settings()
    rows = session.scalars(select(Page).where(Page.item_id == item.id).order_by(Page.index)).all()
    pages = [PageIn(p.index, p.text or "", p.method, p.signals or {}, p.rotation) for p in rows]
    return decide(
        pages,
        blank_ink=settings.separation_blank_ink,
        min_confidence=settings.separation_min_confidence,
        short_file_pages=settings.separation_short_file_pages,
        content_split=content_split(settings, item.channel),
    )


def separate_extracted(session: Session, item: MailItem, expected: MailState = MailState.extracted) -> MailState:
    """Right after a multi-page item reached `extracted`: split it, send it to review, or let it go on
    (returns `expected`). `expected` is another state for a letter decided on its first pages whose
    last page has just been read (issue 11: services/pipeline/early.py)."""
    if not get_settings().separation_enabled or item.page_count < 2 or item.batch_id is not None:
        return expected
    decision = decide_for_item(session, item)
    removed = decision.blank or decision.separators
    if len(decision.documents) <= 1 and not decision.review:
        if removed:  # one letter: it stays one item; the batch shows which pages were set aside
            _new_batch(session, item, decision, status="auto")
            item.source_pages = decision.documents[0].pages if decision.documents else []
        return expected
    if decision.review:
        batch = _new_batch(session, item, decision, status="review")
        transition(
            session,
            item,
            expected=expected,
            to=MailState.split_review,
            actor=SYSTEM,
            action="split_review",
            detail={"batch_id": batch.id, "why": "osäker delning", "documents": len(decision.documents)},
        )
        return MailState.split_review
    batch = _new_batch(session, item, decision, status="auto")
    make_letters(session, item, batch, [d.pages for d in decision.documents], actor=SYSTEM, expected=expected)
    return MailState.split


def _new_batch(session: Session, item: MailItem, decision: Decision, *, status: str) -> Batch:
    data = decision.as_json(details=True)
    data["removed"] = {str(i): REMOVED_REASONS["blank"] for i in decision.blank}
    data["removed"].update({str(i): REMOVED_REASONS["separator"] for i in decision.separators})
    batch = Batch(
        source_item_id=item.id,
        filename=item.filename,
        page_count=item.page_count,
        status=status,
        mode=decision.mode,
        duplex=decision.duplex,
        decision=data,
    )
    session.add(batch)
    session.flush()
    item.batch_id = batch.id
    return batch


def make_letters(
    session: Session,
    pile: MailItem,
    batch: Batch,
    documents: list[list[int]],
    *,
    actor: str,
    rotations: dict[int, int] | None = None,
    expected: MailState = MailState.extracted,
) -> list[MailItem]:
    """One new item per document (in `extracted`, text copied from the pile), the pile to `split`."""
    rotations = rotations or {}
    pages = {p.index: p for p in session.scalars(select(Page).where(Page.item_id == pile.id))}
    store = get_blob_store()
    source = store.path(pile.sha256)
    letters: list[MailItem] = []
    duplicates: dict[str, int] = {}
    total = len(documents)
    for number, indices in enumerate(documents, start=1):
        data = slice_file(source, pile.mime, indices)
        sha = store.put_bytes(data)
        existing = get_by_sha(session, sha)
        if existing is not None:  # the same pages, byte for byte, are already an item: dedup as at intake
            duplicates[",".join(map(str, indices))] = existing.id
            continue
        _slice_searchable(store, pile.sha256, sha, indices)
        confidences = [pages[i].confidence for i in indices if i in pages and pages[i].confidence is not None]
        now = utcnow()
        letter = MailItem(
            sha256=sha,
            filename=_letter_name(pile.filename, number, total),
            mime=pile.mime,
            size_bytes=len(data),
            channel=pile.channel,
            intake_channel=pile.intake_channel,
            state=MailState.extracted.value,
            page_count=len(indices),
            ocr_confidence=round(sum(confidences) / len(confidences), 2) if confidences else None,
            batch_id=batch.id,
            source_pages=list(indices),
            created_at=now,
            updated_at=now,
        )
        session.add(letter)
        session.flush()
        for k, i in enumerate(indices):
            src = pages.get(i)
            session.add(
                Page(
                    item_id=letter.id,
                    index=k,
                    text=src.text if src else "",
                    method=src.method if src else "empty",
                    confidence=src.confidence if src else None,
                    seconds=0.0,  # read once, for the pile
                    rotation=((src.rotation if src else 0) + rotations.get(i, 0)) % 360,
                    signals=src.signals if src else None,
                )
            )
        record(
            session,
            item_id=letter.id,
            actor=actor,
            action="separated",
            to_state=MailState.extracted.value,
            detail={"batch_id": batch.id, "pile_item_id": pile.id, "source_pages": list(indices)},
        )
        letters.append(letter)
    transition(
        session,
        pile,
        expected=expected,
        to=MailState.split,
        actor=actor,
        action="split",
        detail={"batch_id": batch.id, "letters": [x.id for x in letters]},
    )
    pile.batch_id = batch.id
    batch.decision = {**batch.decision, "letters": [x.id for x in letters], "duplicates": duplicates}
    session.flush()
    log.info("pile_split", item_id=pile.id, batch_id=batch.id, letters=len(letters))
    return letters


def letters_to_classify(session: Session, pile_id: int) -> list[int]:
    """The letters of a split pile still waiting for classification (for the dispatcher)."""
    batch = session.scalars(select(Batch).where(Batch.source_item_id == pile_id)).first()
    if batch is None:
        return []
    return list(
        session.scalars(
            select(MailItem.id).where(
                MailItem.batch_id == batch.id,
                MailItem.id != pile_id,
                MailItem.state == MailState.extracted.value,
            )
        )
    )


def slice_file(source: Any, mime: str, indices: list[int]) -> bytes:
    """The given pages of a PDF or multi-page TIFF as a new file of the same kind (pages copied as they are)."""
    out = io.BytesIO()
    if mime == PDF:
        with PDFIUM_LOCK:
            src = pdfium.PdfDocument(str(source))
            dest = pdfium.PdfDocument.new()
            try:
                dest.import_pages(src, list(indices))
                dest.save(out)
            finally:
                dest.close()
                src.close()
        return out.getvalue()
    with Image.open(source) as im:
        frames = []
        for i in indices:
            im.seek(i)
            im.load()
            frames.append(im.copy())
    bilevel = all(f.mode == "1" for f in frames)
    compression = "group4" if bilevel else "tiff_lzw"
    dpi = frames[0].info.get("dpi", (300, 300))
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:], compression=compression, dpi=dpi)
    return out.getvalue()


def _slice_searchable(store: Any, pile_sha: str, letter_sha: str, indices: list[int]) -> None:
    """The letter's searchable PDF, cut from the pile's (no second OCR)."""
    src_path = searchable_pdf_path(store, pile_sha)
    if not src_path.exists():
        return
    dest_path = searchable_pdf_path(store, letter_sha)
    dest_path.parent.mkdir(parents=True, exist_ok=True)
    dest_path.write_bytes(slice_file(src_path, PDF, indices))


def _letter_name(filename: str, number: int, total: int) -> str:
    p = PurePath(filename)
    return f"{p.stem} – brev {number} av {total}{p.suffix}"[:500]


__all__ = ["TIFF", "decide_for_item", "letters_to_classify", "make_letters", "separate_extracted", "slice_file"]
