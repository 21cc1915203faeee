"""Task tracking: a lease keeps a duplicate from starting; the sweeper re-sends only lost tasks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from services.core.db import session_scope
from services.core.events import SYSTEM, transition
from services.core.models import MailItem, utcnow
from services.core.models_reliability import ITEM_PART, TaskLease
from services.core.states import MailState
from services.pipeline import leases
from services.pipeline.runner import run_step, sweep
from services.pipeline.service import Step


def _item(sha: str, state: MailState = MailState.received, age_minutes: float = 0) -> int:
    with session_scope() as s:
        item = MailItem(sha256=sha, filename="x.pdf", state=state.value)
        item.updated_at = utcnow() - timedelta(minutes=age_minutes)
        s.add(item)
        s.flush()
        return item.id


def _lease(item_id: int, **values: object) -> None:
    with session_scope() as s:
        s.execute(TaskLease.__table__.update().where(TaskLease.item_id == item_id).values(**values))


def test_a_live_lease_keeps_a_duplicate_from_starting(migrated: Path) -> None:
    item_id = _item("a1" * 32)
    ran: list[int] = []

    def work(session: object, i: int) -> MailState | None:
        ran.append(i)
        return None

    step = Step("t.work", MailState.received, work)  # type: ignore[arg-type]
    with leases.held(item_id, ITEM_PART, "t.work", 30) as mine:
        assert mine
        assert run_step(step, item_id) is None  # a redelivery while the first still runs
        assert ran == []
    assert run_step(step, item_id) is None  # released: the next one runs
    assert ran == [item_id]
    with session_scope() as s:
        row = s.get(TaskLease, (item_id, ITEM_PART))
        assert row is not None and row.status == leases.DONE


def test_an_expired_lease_can_be_taken_over(migrated: Path) -> None:
    item_id = _item("a2" * 32)
    with session_scope() as s:
        assert leases.claim(s, item_id, 0, "t", "a", 30)
        assert not leases.claim(s, item_id, 0, "t", "b", 30)
    _lease(item_id, lease_until=utcnow() - timedelta(seconds=1))  # its worker was SIGKILLed
    with session_scope() as s:
        assert leases.claim(s, item_id, 0, "t", "b", 30)
        assert s.get(TaskLease, (item_id, 0)).owner == "b"  # type: ignore[union-attr]


def test_the_lease_is_renewed_while_the_task_runs(migrated: Path) -> None:
    item_id = _item("a3" * 32)
    with leases.held(item_id, ITEM_PART, "t", 3) as mine:
        assert mine
        with session_scope() as s:
            first = s.get(TaskLease, (item_id, ITEM_PART)).lease_until  # type: ignore[union-attr]
        import time

        time.sleep(1.6)
        with session_scope() as s:
            later = s.get(TaskLease, (item_id, ITEM_PART)).lease_until  # type: ignore[union-attr]
    assert later > first


def test_sweeper_resends_lost_tasks_and_never_queued_ones(migrated: Path) -> None:
    queued_busy = _item("b1" * 32, age_minutes=5)  # waits in a queue that still holds messages
    queued_lost = _item("b2" * 32, age_minutes=5)  # queued, but its queue is empty: the broker lost it
    running = _item("b3" * 32, age_minutes=5)  # a worker holds a live lease
    expired = _item("b4" * 32, age_minutes=5)  # the lease ran out: its worker died
    nothing = _item("b5" * 32, MailState.extracted, age_minutes=5)  # the send never happened
    fresh = _item("b6" * 32)  # just moved: its task is on its way
    with session_scope() as s:
        leases.mark_queued(s, queued_busy, ITEM_PART, "ingest.extract", "ocr")
        leases.mark_queued(s, queued_lost, ITEM_PART, "ingest.extract", "default")
        leases.claim(s, running, ITEM_PART, "ingest.extract", "w1", 30)
        leases.claim(s, expired, ITEM_PART, "ingest.extract", "w2", 30)
    old = utcnow() - timedelta(minutes=2)
    _lease(queued_busy, sent_at=old, updated_at=old)
    _lease(queued_lost, sent_at=old, updated_at=old)
    _lease(expired, lease_until=utcnow() - timedelta(seconds=5))
    with session_scope() as s:
        resend = sweep(s, stale_after=600, lost_after=30, depth={"ocr": 3, "default": 0})
    assert sorted(i for i, _ in resend) == sorted([queued_lost, expired, nothing])
    assert dict(resend)[nothing] == MailState.extracted
    assert fresh not in dict(resend)
    with session_scope() as s:  # touched: not again in the same period
        assert sweep(s, stale_after=600, lost_after=30, depth={"ocr": 3, "default": 0}) == []


def test_a_queued_task_is_resent_after_the_stale_period_when_the_queue_depth_is_unknown(migrated: Path) -> None:
    item_id = _item("c1" * 32, age_minutes=30)
    with session_scope() as s:
        leases.mark_queued(s, item_id, ITEM_PART, "ingest.extract", "ocr")
    _lease(item_id, sent_at=utcnow() - timedelta(minutes=20))
    with session_scope() as s:
        assert sweep(s, stale_after=3600, lost_after=30, depth=None) == []
        assert [i for i, _ in sweep(s, stale_after=600, lost_after=30, depth=None)] == [item_id]


def test_mark_queued_does_not_overwrite_a_running_task(migrated: Path) -> None:
    item_id = _item("d1" * 32)
    with session_scope() as s:
        assert leases.claim(s, item_id, ITEM_PART, "t", "w", 30)
        assert not leases.mark_queued(s, item_id, ITEM_PART, "t", "ocr")
        assert s.scalar(select(TaskLease.status).where(TaskLease.item_id == item_id)) == leases.RUNNING


def test_step_done_is_logged_with_the_work(migrated: Path, capsys: object) -> None:
    item_id = _item("e1" * 32)

    def ok(session: object, i: int) -> MailState:
        item = session.get(MailItem, i)  # type: ignore[attr-defined]
        transition(session, item, expected=MailState.received, to=MailState.extracted, actor=SYSTEM)  # type: ignore[arg-type]
        return MailState.extracted

    assert run_step(Step("t.ok", MailState.received, ok), item_id) == MailState.extracted  # type: ignore[arg-type]
    out = capsys.readouterr()  # type: ignore[attr-defined]
    assert "step_done" in out.out + out.err


def test_finished_task_rows_are_forgotten_after_a_while(migrated: Path) -> None:
    item_id = _item("f1" * 32)
    with leases.held(item_id, ITEM_PART, "t", 30):
        pass
    with session_scope() as s:
        assert leases.forget_done(s, older_than=3600) == 0
        assert leases.forget_done(s, older_than=0) == 1
