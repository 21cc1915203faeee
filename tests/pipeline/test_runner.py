"""The runner at the edge of every task: no-ops, failures, give-up, retry, and the sweeper."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from services.core.db import session_scope
from services.core.events import SYSTEM, transition
from services.core.models import Event, MailItem, utcnow
from services.core.states import MailState
from services.pipeline.runner import retry_failed, run_step, sweep
from services.pipeline.service import Step


def _new_item(state: MailState = MailState.received, sha: str = "cd" * 32) -> int:
    with session_scope() as s:
        item = MailItem(sha256=sha, filename="x.pdf", state=state.value)
        s.add(item)
        s.flush()
        return item.id


def _ok(session: Session, item_id: int) -> MailState | None:
    item = session.get(MailItem, item_id)
    assert item is not None
    transition(session, item, expected=MailState.received, to=MailState.extracted, actor=SYSTEM)
    return MailState.extracted


def _boom(session: Session, item_id: int) -> MailState | None:
    raise ValueError("the scanner sent nonsense")


def _state(item_id: int) -> MailItem:
    with session_scope() as s:
        item = s.get(MailItem, item_id)
        assert item is not None
        return item


def test_step_advances_once_and_a_redelivery_is_a_noop(migrated: Path) -> None:
    item_id = _new_item()
    step = Step("t.ok", MailState.received, _ok)
    assert run_step(step, item_id) is MailState.extracted
    assert run_step(step, item_id) is None
    with session_scope() as s:
        moves = s.scalars(select(Event).where(Event.item_id == item_id, Event.to_state == "extracted")).all()
    assert len(moves) == 1


def test_permanent_error_ends_in_failed_with_reason_and_can_be_retried(migrated: Path) -> None:
    item_id = _new_item()
    assert run_step(Step("t.boom", MailState.received, _boom), item_id) is MailState.failed
    item = _state(item_id)
    assert item.state == "failed"
    assert "ValueError: the scanner sent nonsense" in (item.state_reason or "")
    with session_scope() as s:
        assert retry_failed(s, item_id, actor="user:1:reg") is MailState.received
    assert _state(item_id).state == "received"
    assert _state(item_id).state_reason is None


def test_transient_errors_propagate_for_the_task_to_retry(migrated: Path) -> None:
    item_id = _new_item()

    def locked(session: Session, item_id: int) -> MailState | None:
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    with pytest.raises(OperationalError):
        run_step(Step("t.locked", MailState.received, locked), item_id)
    assert _state(item_id).state == "received"
    assert _state(item_id).attempts == 0  # an environment error is not a try: the letter did nothing wrong


def test_gives_up_after_max_attempts(migrated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.core.settings import reset_settings

    monkeypatch.setenv("POSTHANTERING_MAX_ATTEMPTS", "2")
    reset_settings()
    item_id = _new_item()
    with session_scope() as s:
        s.execute(MailItem.__table__.update().values(attempts=2))
    assert run_step(Step("t.ok", MailState.received, _ok), item_id) is None
    item = _state(item_id)
    assert item.state == "failed"
    assert "gave up after 2 tries" in (item.state_reason or "")


def test_sweeper_resends_only_stale_pipeline_items_once_per_period(migrated: Path) -> None:
    stale = _new_item(MailState.received, "01" * 32)
    fresh = _new_item(MailState.extracted, "02" * 32)
    waiting = _new_item(MailState.needs_review, "03" * 32)
    with session_scope() as s:
        old = utcnow() - timedelta(minutes=30)
        s.execute(MailItem.__table__.update().where(MailItem.id.in_([stale, waiting])).values(updated_at=old))
    with session_scope() as s:
        resend = sweep(s, stale_after=600)
    assert resend == [(stale, MailState.received)]
    assert fresh not in {i for i, _ in resend}
    with session_scope() as s:
        assert sweep(s, stale_after=600) == []  # touched: not again until it is stale once more
