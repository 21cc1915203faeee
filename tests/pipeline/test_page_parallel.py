"""Page-parallel extraction: fan-out of the missing pages, exactly-once completion, no-op redeliveries."""

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
from services.pipeline.pages import FanOut
from services.pipeline.runner import run_page, run_step
from services.pipeline.service import EXTRACT_PAGE_STEP, STEP_BY_NAME
from tests.ingest.conftest import text_page

EXTRACT = STEP_BY_NAME["ingest.extract"]


def _two_page_tiff(tmp_path: Path) -> str:
    scan = tmp_path / "two.tif"
    first = text_page().convert("1")
    second = text_page(["Sida två", "Bilaga till ansökan om bygglov"]).convert("1")
    first.save(scan, save_all=True, append_images=[second], compression="group4", dpi=(300, 300))
    sha, _ = get_blob_store().put_file(scan)
    return sha


def _item(sha: str, page_count: int, pages: tuple[int, ...] = ()) -> int:
    with session_scope() as s:
        item = MailItem(
            sha256=sha, filename="brev.tif", mime="image/tiff", state=MailState.received.value, page_count=page_count
        )
        item.pages = [Page(index=i, text=f"sida {i}", method="ocr", confidence=90.0, seconds=1.5) for i in pages]
        s.add(item)
        s.flush()
        return item.id


def _moves(item_id: int, to: MailState) -> list[Event]:
    with session_scope() as s:
        return list(s.scalars(select(Event).where(Event.item_id == item_id, Event.to_state == to.value)))


def _item_row(item_id: int) -> MailItem:
    with session_scope() as s:
        item = s.get(MailItem, item_id)
        assert item is not None
        return item


def test_fan_out_names_only_the_missing_pages(migrated: Path) -> None:
    item_id = _item("a1" * 32, page_count=4, pages=(0, 2))
    assert run_step(EXTRACT, item_id) == FanOut((1, 3))
    assert _item_row(item_id).state == "received"
    assert not _moves(item_id, MailState.extracted)


def test_fan_out_with_every_page_stored_completes_the_item(migrated: Path) -> None:
    # Both racing last pages lost their messages after storing: the sweeper's re-sent extract finishes.
    item_id = _item("b2" * 32, page_count=3, pages=(0, 1, 2))
    assert run_step(EXTRACT, item_id) is MailState.extracted
    item = _item_row(item_id)
    assert (item.state, item.page_count, item.ocr_confidence) == ("extracted", 3, 90.0)
    [move] = _moves(item_id, MailState.extracted)
    assert move.machine_seconds == pytest.approx(4.5)
    assert run_step(EXTRACT, item_id) is None


def test_last_page_completes_once_and_redeliveries_are_noops(migrated: Path, tmp_path: Path) -> None:
    sha = _two_page_tiff(tmp_path)
    item_id = _item(sha, page_count=2)
    assert run_step(EXTRACT, item_id) == FanOut((0, 1))

    assert run_page(EXTRACT_PAGE_STEP, item_id, 1) is None  # not the last one yet
    assert run_page(EXTRACT_PAGE_STEP, item_id, 1) is None  # the same page twice: stored once
    assert run_step(EXTRACT, item_id) == FanOut((0,))  # a re-sent extract sends only what is missing
    assert run_page(EXTRACT_PAGE_STEP, item_id, 0) is MailState.extracted
    assert run_page(EXTRACT_PAGE_STEP, item_id, 0) is None  # redelivered after completion
    assert run_page(EXTRACT_PAGE_STEP, item_id, 1) is None
    assert run_step(EXTRACT, item_id) is None

    item = _item_row(item_id)
    assert item.state == "extracted" and item.page_count == 2 and item.attempts == 0
    assert [(p.index, p.method) for p in item.pages] == [(0, "ocr"), (1, "ocr")]
    assert "Sida två" in item.pages[1].text
    [move] = _moves(item_id, MailState.extracted)
    assert move.machine_seconds == pytest.approx(sum(p.seconds for p in item.pages), abs=1e-3)
    store = get_blob_store()
    assert not page_pdf_dir(store, sha).exists()
    with pdfplumber.open(searchable_pdf_path(store, sha)) as pdf:
        assert len(pdf.pages) == 2
        assert "Sida två" in (pdf.pages[1].extract_text() or "")


def test_a_page_the_file_does_not_have_quarantines_the_item(migrated: Path, tmp_path: Path) -> None:
    item_id = _item(_two_page_tiff(tmp_path), page_count=3)
    assert run_page(EXTRACT_PAGE_STEP, item_id, 2) is MailState.quarantined
    item = _item_row(item_id)
    assert item.state == "quarantined" and "sida 3" in (item.state_reason or "")
    assert run_page(EXTRACT_PAGE_STEP, item_id, 0) is None  # the other pages' tasks do nothing


def test_the_extract_task_sends_one_page_task_per_missing_page(migrated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workers import tasks
    from workers.celery_app import app

    sent: list[tuple[str, list[int], str]] = []
    monkeypatch.setattr(app, "send_task", lambda name, args, queue: sent.append((name, args, queue)))
    item_id = _item("c3" * 32, page_count=3, pages=(1,))
    assert tasks.extract(item_id) == "pages:2"
    assert sent == [("ingest.extract_page", [item_id, 0], "ocr"), ("ingest.extract_page", [item_id, 2], "ocr")]
