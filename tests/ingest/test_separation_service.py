"""A pile in the database: split into letters (text reused), sent to review, confirmed, a page restored."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from services.core.blobs import get_blob_store
from services.core.db import session_scope
from services.core.errors import InvalidInput, StateConflict
from services.core.models import Event, MailItem
from services.core.models_separation import Batch
from services.core.settings import reset_settings
from services.core.states import MailState
from services.ingest import separation_review
from services.ingest.separation_service import separate_extracted
from services.pipeline.runner import run_page, run_step
from services.pipeline.service import EXTRACT_PAGE_STEP, STEP_BY_NAME
from tests.ingest.separation_samples import (
    LETTER_A,
    LETTER_B1,
    PILE,
    TAIL_PAGE_2,
    letter_page,
    make_pile,
    separator_page,
)


def _pile(session, pages=PILE) -> MailItem:  # type: ignore[no-untyped-def]
    return make_pile(session, pages)


def test_a_pile_becomes_its_letters_with_batch_and_source_pages(db_session) -> None:  # type: ignore[no-untyped-def]
    pile = _pile(db_session)
    assert separate_extracted(db_session, pile) is MailState.split
    assert pile.state == "split"
    batch = db_session.scalars(select(Batch).where(Batch.source_item_id == pile.id)).one()
    assert batch.decision["blank"] == [1] and batch.decision["removed"] == {"1": "tom sida (baksida)"}
    letters = db_session.scalars(select(MailItem).where(MailItem.batch_id == batch.id, MailItem.id != pile.id)).all()
    assert [x.source_pages for x in letters] == [[0], [2, 3]]
    assert all(x.state == "extracted" and x.channel == "hotfolder" for x in letters)
    b = letters[1]
    assert [p.text for p in sorted(b.pages, key=lambda p: p.index)] == [PILE[2][0], PILE[3][0]]
    with Image.open(get_blob_store().path(b.sha256)) as im:  # the letter's own file: its two pages
        assert im.n_frames == 2
    view = separation_review.batch_view(db_session, batch)
    assert [x["source_pages"] for x in view["letters"]] == [[0], [2, 3]]
    assert view["pages"][1]["removed"] == "tom sida (baksida)"


def test_one_letter_stays_one_item(db_session) -> None:  # type: ignore[no-untyped-def]
    pile = _pile(db_session, PILE[2:])
    assert separate_extracted(db_session, pile) is MailState.extracted
    assert pile.batch_id is None and db_session.scalars(select(Batch)).first() is None


def test_a_two_page_letter_ending_on_page_two_stays_one_item_without_review(db_session) -> None:  # type: ignore[no-untyped-def]
    # Page 2 opens with the signer's role and the enclosures: a short file without a new letter's opening.
    sans = PILE[2][1]
    page_1 = "\n".join([*LETTER_B1, "Frågor besvaras av handläggare Erik Lundmark.", "", "Karin Öhrwall"])
    page_2 = "\n".join(TAIL_PAGE_2)
    pile = _pile(db_session, [(page_1, sans), (page_2, {**sans, "lines": 8})])
    assert separate_extracted(db_session, pile) is MailState.extracted
    assert pile.batch_id is None


def test_a_sheets_only_channel_keeps_a_pile_as_one_item(db_session, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("POSTHANTERING_SEPARATION_SHEETS_ONLY_CHANNELS", "hotfolder, upload")
    reset_settings()
    pile = _pile(db_session)  # two letters and a blank page, from the hot folder
    assert separate_extracted(db_session, pile) is MailState.extracted
    batch = db_session.scalars(select(Batch).where(Batch.source_item_id == pile.id)).one()  # the blank page
    assert batch.decision["blank"] == [1] and pile.source_pages == [0, 2, 3]


def test_unsure_split_waits_for_a_registrar_who_confirms_with_corrections(
    db_session, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("POSTHANTERING_SEPARATION_MIN_CONFIDENCE", "1.0")
    reset_settings()
    pile = _pile(db_session)
    assert separate_extracted(db_session, pile) is MailState.split_review
    batch = db_session.scalars(select(Batch).where(Batch.source_item_id == pile.id)).one()
    assert batch.status == "review"
    assert pile.batch_id == batch.id  # the pile knows its batch; no letters exist yet
    assert db_session.scalars(select(MailItem).where(MailItem.batch_id == batch.id)).all() == [pile]
    with pytest.raises(InvalidInput):  # page 2 (index 1) neither in a letter nor removed
        separation_review.confirm(
            db_session, batch.id, documents=[[0], [2, 3]], removed=[], rotations={}, actor="user:1:reg", human_seconds=5
        )
    letters = separation_review.confirm(
        db_session,
        batch.id,
        documents=[[0], [2], [3]],  # the registrar splits letter B in two and turns page 4
        removed=[1],
        rotations={3: 180},
        actor="user:1:reg",
        human_seconds=42.5,
    )
    assert [x.source_pages for x in letters] == [[0], [2], [3]]
    assert letters[2].pages[0].rotation == 180
    assert pile.state == "split" and batch.status == "reviewed" and batch.reviewed_by == "user:1:reg"
    [event] = db_session.scalars(select(Event).where(Event.action == "separation_reviewed")).all()
    assert event.human_seconds == 42.5 and event.item_id == pile.id
    with pytest.raises(StateConflict):
        separation_review.confirm(
            db_session, batch.id, documents=[[0, 2, 3]], removed=[1], rotations={}, actor="u", human_seconds=1
        )


def test_a_removed_page_can_be_restored_as_an_item_of_its_own(db_session) -> None:  # type: ignore[no-untyped-def]
    pile = _pile(db_session)
    separate_extracted(db_session, pile)
    batch = db_session.scalars(select(Batch)).one()
    item = separation_review.restore_page(db_session, batch.id, 1, actor="user:1:reg")
    assert (item.state, item.batch_id, item.source_pages, item.page_count) == ("received", batch.id, [1], 1)
    assert "1" not in batch.decision["removed"] and batch.decision["restored"] == [1]
    with pytest.raises(InvalidInput):
        separation_review.restore_page(db_session, batch.id, 0, actor="user:1:reg")


def test_the_split_pile_sends_classify_for_each_letter(migrated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workers import dispatch
    from workers.celery_app import app

    sent: list[tuple[str, list[int]]] = []
    monkeypatch.setattr(app, "send_task", lambda name, args, queue: sent.append((name, args)))
    with session_scope() as s:
        pile = _pile(s)
        separate_extracted(s, pile)
        pile_id = pile.id
    assert dispatch.enqueue_for_state(pile_id, MailState.split) is True
    assert [name for name, _ in sent] == ["classify.classify", "classify.classify"]


def test_a_scanned_pile_through_extraction_is_read_once_and_split(migrated: Path, tmp_path: Path) -> None:
    """Real pages: letter A, a QR separator sheet, letter B. The sheet is seen in the render, not OCR'd."""
    pages = [letter_page(LETTER_A, font="serif"), separator_page("qr"), letter_page(LETTER_B1)]
    path = tmp_path / "hog.pdf"
    pages[0].save(path, "PDF", save_all=True, append_images=pages[1:], resolution=300)
    with session_scope() as s:
        from services.ingest.service import submit_file

        item_id = submit_file(s, path, channel="hotfolder", actor="system:hotfolder").item.id
    extract = STEP_BY_NAME["ingest.extract"]
    fan = run_step(extract, item_id)
    results = [run_page(EXTRACT_PAGE_STEP, item_id, i) for i in fan.indices]  # type: ignore[union-attr]
    assert results[-1] is MailState.split
    with session_scope() as s:
        pile = s.get(MailItem, item_id)
        assert pile is not None and pile.state == "split"
        assert [p.method for p in pile.pages] == ["ocr", "separator", "ocr"]
        letters = s.scalars(select(MailItem).where(MailItem.batch_id == pile.batch_id, MailItem.id != item_id)).all()
        assert [x.source_pages for x in letters] == [[0], [2]]
        assert "KLAGOMÅL" in letters[0].text.upper() and "BYGGLOV" in letters[1].text.upper()
        assert all(p.seconds == 0.0 for x in letters for p in x.pages)  # copied, not read again
