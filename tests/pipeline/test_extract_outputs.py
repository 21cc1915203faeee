"""The extract step's by-products and the route step's OCR-confidence check."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from sqlalchemy import select

from services.core.blobs import get_blob_store
from services.core.db import session_scope
from services.core.models import Event, MailItem, Page
from services.core.states import MailState
from services.ingest.pdf_output import page_pdf_dir, searchable_pdf_path
from services.pipeline.service import extract, route
from tests.ingest.conftest import text_page


def _item(session, sha: str, mime: str, state: MailState, **fields) -> MailItem:  # type: ignore[no-untyped-def]
    item = MailItem(sha256=sha, filename="brev.tif", mime=mime, state=state.value, **fields)
    session.add(item)
    session.flush()
    return item


def test_extract_stores_pages_and_a_searchable_pdf_and_keeps_the_original(migrated: Path, tmp_path: Path) -> None:
    scan = tmp_path / "two.tif"
    first = text_page().convert("1")
    second = text_page(["Sida två", "Bilaga till ansökan om bygglov"]).convert("1")
    first.save(scan, save_all=True, append_images=[second], compression="group4", dpi=(300, 300))
    store = get_blob_store()
    sha, _ = store.put_file(scan)
    original = store.path(sha).read_bytes()
    with session_scope() as s:
        item_id = _item(s, sha, "image/tiff", MailState.received).id
    with session_scope() as s:
        assert extract(s, item_id) is MailState.extracted
    with session_scope() as s:
        item = s.get(MailItem, item_id)
        assert item is not None and item.page_count == 2
        assert [(p.index, p.method) for p in item.pages] == [(0, "ocr"), (1, "ocr")]
        assert all(p.confidence and p.confidence > 60 and p.seconds > 0 for p in item.pages)
    assert store.path(sha).read_bytes() == original
    assert not page_pdf_dir(store, sha).exists()  # the work folder is gone
    with pdfplumber.open(searchable_pdf_path(store, sha)) as pdf:
        assert len(pdf.pages) == 2
        assert "Sida två" in (pdf.pages[1].extract_text() or "")


@pytest.mark.parametrize(("confidence", "expected"), [(91.0, MailState.routed), (41.0, MailState.needs_review)])
def test_a_page_read_with_low_confidence_sends_the_item_to_review(
    migrated: Path, confidence: float, expected: MailState
) -> None:
    with session_scope() as s:
        item = _item(
            s, f"{int(confidence):064x}", "image/png", MailState.classified, suggested_department="SBN", decision="auto"
        )
        item.pages = [
            Page(index=0, text="Ansökan om bygglov", method="ocr", confidence=95.0),
            Page(index=1, text="Bilaga", method="ocr", confidence=confidence),
        ]
        item_id = item.id
    with session_scope() as s:
        assert route(s, item_id) is expected
    with session_scope() as s:
        event = s.scalars(select(Event).where(Event.item_id == item_id).order_by(Event.id.desc())).first()
        assert event is not None
        if expected is MailState.needs_review:
            assert event.detail["why"] == "low OCR confidence" and event.detail["low_ocr_pages"] == [1]
