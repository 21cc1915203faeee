"""Time to route (issue 11): a multi-page letter whose first page is decisive is classified and routed
before its other pages are read; they are added to the item, and the last one completes the text
exactly once. Born-digital pages (text layer) keep these tests fast; the real-worker test with
scanned pages is tests/integration/test_early_route.py."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.core.blobs import get_blob_store
from services.core.db import session_scope
from services.core.errors import Conflict
from services.core.models import Event, MailItem, User, UserDepartment, utcnow
from services.core.models_reliability import TaskLease
from services.core.states import MailState
from services.mail.service import acknowledge_item
from services.pipeline import chain
from services.pipeline.pages import FanOut
from services.pipeline.runner import run_completion, run_page, run_step, sweep_pending_text
from services.pipeline.service import COMPLETE_TEXT_STEP, EXTRACT_PAGE_STEP, STEP_BY_NAME
from services.search.service import search
from tests.conftest import SHARED

EXTRACT = STEP_BY_NAME["ingest.extract"]
# a-006 (KS) is auto-routed on its own text; the later pages are the same letter's attachments.
FIRST = (SHARED / "corpus" / "letters" / "a" / "a-006.txt").read_text(encoding="utf-8").splitlines()
LATER = [
    ["Bilaga 1", "Förteckning över handlingar", "Ritning och situationsplan"],
    ["Bilaga 2", "Fullmakt", "Tallkotte"],
]
VAGUE = ["Hej", "Se bifogat."]


@pytest.fixture(autouse=True)
def one_letter_per_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTHANTERING_SEPARATION_ENABLED", "false")
    from services.core.settings import reset_settings

    reset_settings()


def _pdf(path: Path, pages: list[list[str]]) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from tests.ingest.conftest import FONT

    pdfmetrics.registerFont(TTFont("DejaVuSans", FONT))
    c = canvas.Canvas(str(path), pagesize=A4)
    for lines in pages:
        c.setFont("DejaVuSans", 10)
        for i, line in enumerate(lines):
            c.drawString(60, 780 - i * 14, line[:110])
        c.showPage()
    c.save()
    return path


def _item(tmp_path: Path, pages: list[list[str]]) -> int:
    sha, size = get_blob_store().put_file(_pdf(tmp_path / "brev.pdf", pages))
    with session_scope() as s:
        item = MailItem(
            sha256=sha,
            filename="brev.pdf",
            mime="application/pdf",
            size_bytes=size,
            state=MailState.received.value,
            page_count=len(pages),
        )
        s.add(item)
        s.flush()
        return item.id


def _events(item_id: int) -> list[tuple[str, str | None]]:
    with session_scope() as s:
        rows = s.execute(select(Event.action, Event.to_state).where(Event.item_id == item_id).order_by(Event.id))
        return [(a, t) for a, t in rows]


def _row(item_id: int) -> MailItem:
    with session_scope() as s:
        item = s.get(MailItem, item_id)
        assert item is not None
        s.expunge(item)
        return item


def _found(session: Session, word: str, item_id: int) -> bool:
    admin = session.scalar(select(User).where(User.name == "admin"))
    if admin is None:
        admin = User(name="admin", role="admin")
        session.add(admin)
        session.flush()
    return any(h.item.id == item_id for h in search(session, admin, word))


def test_a_decisive_first_page_routes_before_the_rest_are_read(migrated: Path, tmp_path: Path) -> None:
    item_id = _item(tmp_path, [FIRST, *LATER])
    assert run_step(EXTRACT, item_id) == FanOut((0, 1, 2))

    # Page 1 alone is decisive: extracted and classified in its task, routed inline right after.
    assert run_page(EXTRACT_PAGE_STEP, item_id, 0) is MailState.classified
    assert chain.continue_inline(item_id, MailState.classified) is MailState.routed
    item = _row(item_id)
    assert (item.state, item.department_code, item.text_pending) == ("routed", "KS", True)
    with session_scope() as s:
        assert [
            e.detail for e in s.scalars(select(Event).where(Event.item_id == item_id, Event.action == "extracted"))
        ] == [{"pages": 1, "of": 3, "early": True, "decided_on": [0], "methods": ["text-layer"]}]
        assert not _found(s, "Tallkotte", item_id)  # page 3 is not read yet

    # The other pages are added to the routed item; the last one completes its text, once.
    assert run_page(EXTRACT_PAGE_STEP, item_id, 2) is None
    assert _row(item_id).text_pending
    assert run_page(EXTRACT_PAGE_STEP, item_id, 1) is None
    assert run_page(EXTRACT_PAGE_STEP, item_id, 1) is None  # redelivered: nothing more
    item = _row(item_id)
    assert (item.state, item.text_pending) == ("routed", False)
    with session_scope() as s:
        full = s.get(MailItem, item_id)
        assert full is not None and "Tallkotte" in full.text and len(full.pages) == 3
        assert _found(s, "Tallkotte", item_id)
    actions = [a for a, _ in _events(item_id)]
    moves = [a for a in actions if a in {"extracted", "classified", "routed", "text_completed"}]
    assert moves == ["extracted", "classified", "routed", "text_completed"], actions
    assert Counter(actions)["text_completed"] == 1 and Counter(actions)["routed"] == 1
    with session_scope() as s:  # each page's OCR seconds metered once (ROI), early or late
        metered = s.scalars(
            select(Event.machine_seconds).where(
                Event.item_id == item_id, Event.action.in_(["extracted", "text_completed"])
            )
        )
        full = s.get(MailItem, item_id)
        assert full is not None
        assert sum(metered) == pytest.approx(sum(p.seconds for p in full.pages), abs=1e-3)


def test_an_undecisive_first_page_waits_for_every_page(migrated: Path, tmp_path: Path) -> None:
    item_id = _item(tmp_path, [VAGUE, FIRST])
    assert run_step(EXTRACT, item_id) == FanOut((0, 1))
    assert run_page(EXTRACT_PAGE_STEP, item_id, 0) is None
    assert _row(item_id).state == "received"
    assert run_page(EXTRACT_PAGE_STEP, item_id, 1) is MailState.extracted  # all pages in, as before
    item = _row(item_id)
    assert (item.state, item.text_pending) == ("extracted", False)
    assert "text_completed" not in [a for a, _ in _events(item_id)]


def test_a_page_read_out_of_order_decides_nothing_until_the_first_is_in(migrated: Path, tmp_path: Path) -> None:
    item_id = _item(tmp_path, [FIRST, *LATER])
    assert run_page(EXTRACT_PAGE_STEP, item_id, 1) is None
    assert _row(item_id).state == "received"
    assert run_page(EXTRACT_PAGE_STEP, item_id, 0) is MailState.classified
    with session_scope() as s:  # page 1 alone first, though page 2 was already in
        early = s.scalar(select(Event.detail).where(Event.item_id == item_id, Event.action == "extracted"))
        assert early is not None and early["decided_on"] == [0]


def test_only_the_first_two_pages_may_decide_early(migrated: Path, tmp_path: Path) -> None:
    # No model run per page of a long letter whose first pages are not decisive.
    item_id = _item(tmp_path, [VAGUE, VAGUE, FIRST, LATER[0]])
    for index in (0, 1, 2):
        assert run_page(EXTRACT_PAGE_STEP, item_id, index) is None
    assert _row(item_id).state == "received"
    assert run_page(EXTRACT_PAGE_STEP, item_id, 3) is MailState.extracted  # decided on every page


def test_early_routing_can_be_switched_off(migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.core.settings import reset_settings

    monkeypatch.setenv("POSTHANTERING_EARLY_ROUTE", "false")
    reset_settings()
    item_id = _item(tmp_path, [FIRST, *LATER])
    assert run_page(EXTRACT_PAGE_STEP, item_id, 0) is None
    assert _row(item_id).state == "received"


def test_the_department_acknowledges_only_a_complete_text(migrated: Path, tmp_path: Path) -> None:
    item_id = _item(tmp_path, [FIRST, *LATER])
    run_page(EXTRACT_PAGE_STEP, item_id, 0)
    chain.continue_inline(item_id, MailState.classified)
    with session_scope() as s:
        user = User(name="ks", role="department", departments=[UserDepartment(department_code="KS")])
        s.add(user)
        s.flush()
        with pytest.raises(Conflict, match="läses fortfarande \\(1 av 3 sidor\\)"):
            acknowledge_item(s, user, item_id)


def test_lost_pages_of_a_routed_letter_are_sent_again_then_given_up(
    migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    item_id = _item(tmp_path, [FIRST, *LATER])
    run_page(EXTRACT_PAGE_STEP, item_id, 0)
    chain.continue_inline(item_id, MailState.classified)
    # The page tasks were lost (a killed worker): nothing live, nothing moved for a while.
    with session_scope() as s:
        past = utcnow() - timedelta(minutes=5)
        s.execute(update(MailItem).where(MailItem.id == item_id).values(updated_at=past))
        s.execute(update(TaskLease).where(TaskLease.item_id == item_id).values(updated_at=past))
    with session_scope() as s:
        assert sweep_pending_text(s, stale_after=60, lost_after=30) == [item_id]
    with session_scope() as s:
        assert sweep_pending_text(s, stale_after=60, lost_after=30) == []  # touched: not again at once
    assert run_completion(COMPLETE_TEXT_STEP, item_id) == FanOut((1, 2))

    # A page that can never be read (it kills its worker): after max_attempts tries without progress
    # the missing pages are kept empty and the text completes; the routing stands.
    monkeypatch.setenv("POSTHANTERING_MAX_ATTEMPTS", "2")
    from services.core.settings import reset_settings

    reset_settings()
    assert run_completion(COMPLETE_TEXT_STEP, item_id) is None
    item = _row(item_id)
    assert (item.state, item.text_pending) == ("routed", False)
    actions = [a for a, _ in _events(item_id)]
    assert actions[-2:] == ["pages_given_up", "text_completed"]
    assert run_completion(COMPLETE_TEXT_STEP, item_id) is None


@pytest.mark.parametrize(("review", "final"), [(False, "split"), (True, "split_review")])
def test_a_letter_that_turns_out_to_be_a_pile_is_separated_after_its_routing(
    migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, review: bool, final: str
) -> None:
    from services.core.settings import reset_settings
    from services.ingest import separation_service
    from services.ingest.separation import Decision, Document

    monkeypatch.setenv("POSTHANTERING_SEPARATION_ENABLED", "true")
    reset_settings()
    item_id = _item(tmp_path, [FIRST, *LATER])
    run_page(EXTRACT_PAGE_STEP, item_id, 0)
    assert chain.continue_inline(item_id, MailState.classified) is MailState.routed
    # Its last page shows two letters (separation's own decision is tested in tests/ingest).
    two = Decision(3, [Document([0], 0.99), Document([1, 2], 0.6 if review else 0.99)], [], [], review)
    monkeypatch.setattr(separation_service, "decide_for_item", lambda session, item: two)
    run_page(EXTRACT_PAGE_STEP, item_id, 1)
    after = run_page(EXTRACT_PAGE_STEP, item_id, 2)
    item = _row(item_id)
    assert (item.state, item.text_pending) == (final, False)
    assert after == MailState(final)  # split: the letters' classify is sent after the commit
    moves = [t for _, t in _events(item_id) if t]
    assert moves[-2:] == ["routed", final]
    with session_scope() as s:
        letters = s.scalars(select(MailItem).where(MailItem.batch_id.is_not(None), MailItem.id != item_id)).all()
        assert [(x.state, x.page_count) for x in letters] == ([] if review else [("extracted", 1), ("extracted", 2)])


def test_the_registration_record_is_proposed_again_from_the_whole_text(migrated: Path, tmp_path: Path) -> None:
    """Routed on page 1, the record is proposed from page 1; the letter's date and signature on its
    last page reach the record once the text is complete. A registrar's correction stays."""
    from services.core.models_registration import RegistrationRecord
    from services.registration.service import update

    body, tail = FIRST[:-6], FIRST[-6:]  # "Näsby den 3 februari 2025", the signature and address
    item_id = _item(tmp_path, [body, tail])
    assert run_step(EXTRACT, item_id) == FanOut((0, 1))
    assert run_page(EXTRACT_PAGE_STEP, item_id, 0) is MailState.classified
    assert chain.continue_inline(item_id, MailState.classified) is MailState.routed

    def fields() -> dict[str, str]:
        with session_scope() as s:
            rec = s.scalar(select(RegistrationRecord).where(RegistrationRecord.item_id == item_id))
            assert rec is not None and rec.status == "proposed"
            return {k: str((v or {}).get("value") or "") for k, v in rec.fields.items()}

    early = fields()
    assert early["letter_date"] != "2025-02-03"
    with session_scope() as s:
        update(s, item_id, "user:1:rita", fields={"subject": "Medborgarförslag om sända fullmäktige"})
    assert run_page(EXTRACT_PAGE_STEP, item_id, 1) is None
    done = fields()
    assert done["letter_date"] == "2025-02-03"
    assert done["subject"] == "Medborgarförslag om sända fullmäktige"  # the registrar's, kept
    assert [a for a, _ in _events(item_id)].count("registration_reproposed") == 1
