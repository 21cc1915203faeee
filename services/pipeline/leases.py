"""Task tracking per item: queued (sent to the broker), running (a worker holds a lease it renews
while it works), done. The sweeper reads these rows to re-send only what was lost:

- a running task whose lease ran out (its worker was SIGKILLed or froze),
- a queued task whose queue is empty (the broker lost it: a flushed Redis, a killed SQLite consumer),
  or that has waited longer than the stale period (the fallback when the queue depth is unknown),
- an item with no live task at all (a send that failed, a crash between commit and send).

A task that is only waiting in a non-empty queue is never re-sent, and a task whose (item, part)
is held by a live lease elsewhere does not start: no page is read twice at the same time.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, not_, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.core.db import session_scope
from services.core.logging import get_logger
from services.core.models import MailItem, utcnow
from services.core.models_reliability import ITEM_PART, TaskLease
from services.core.states import PIPELINE_STATES

log = get_logger(__name__)

QUEUED, UNSENT, RUNNING, DONE = "queued", "unsent", "running", "done"


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def relaxed_commit(session: Session) -> None:
    """Bookkeeping (leases, tries), not an item's state: on PostgreSQL this transaction's commit does
    not wait for the WAL flush. Such a commit is lost only if the database server itself crashes
    (never by a killed worker); then the sweeper re-sends, and the state's compare-and-set keeps every
    outcome exactly-once. A step has three of these commits around its one state change, and on a busy
    disk each flush wait was tens of milliseconds (issue 11: latency)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def _live(now: datetime):  # type: ignore[no-untyped-def]
    return and_(TaskLease.status == RUNNING, TaskLease.lease_until > now)


def mark_queued(session: Session, item_id: int, part: int, task: str, queue: str) -> bool:
    """Record that `task` is about to be sent for (item, part). False when a worker holds a live lease
    on it: then there is nothing to send."""
    relaxed_commit(session)
    now = utcnow()
    done = session.execute(
        update(TaskLease)
        .where(TaskLease.item_id == item_id, TaskLease.part == part, not_(_live(now)))
        .values(task=task, queue=queue, status=QUEUED, owner=None, sent_at=now, lease_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount == 1:  # type: ignore[attr-defined]
        return True
    stmt = (
        _insert(session)(TaskLease)
        .values(item_id=item_id, part=part, task=task, queue=queue, status=QUEUED, sent_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["item_id", "part"])
    )
    return session.execute(stmt.returning(TaskLease.item_id)).scalar_one_or_none() is not None


def mark_unsent(session: Session, item_id: int, part: int) -> None:
    relaxed_commit(session)
    session.execute(
        update(TaskLease)
        .where(TaskLease.item_id == item_id, TaskLease.part == part, TaskLease.status == QUEUED)
        .values(status=UNSENT, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def claim(session: Session, item_id: int, part: int, task: str, owner: str, seconds: float) -> bool:
    """Take the lease on (item, part) unless a live one is held elsewhere."""
    relaxed_commit(session)
    now = utcnow()
    until = now + timedelta(seconds=seconds)
    values = {"task": task, "status": RUNNING, "owner": owner, "lease_until": until, "updated_at": now}
    taken = session.execute(
        update(TaskLease)
        .where(TaskLease.item_id == item_id, TaskLease.part == part, not_(_live(now)))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount == 1:  # type: ignore[attr-defined]
        return True
    stmt = (
        _insert(session)(TaskLease)
        .values(item_id=item_id, part=part, queue="", **values)
        .on_conflict_do_nothing(index_elements=["item_id", "part"])
    )
    return session.execute(stmt.returning(TaskLease.item_id)).scalar_one_or_none() is not None


def renew(item_id: int, part: int, owner: str, seconds: float) -> bool:
    now = utcnow()
    with session_scope() as session:
        relaxed_commit(session)
        result = session.execute(
            update(TaskLease)
            .where(TaskLease.item_id == item_id, TaskLease.part == part, TaskLease.owner == owner)
            .values(lease_until=now + timedelta(seconds=seconds), updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]


def release(item_id: int, part: int, owner: str) -> None:
    with session_scope() as session:
        relaxed_commit(session)
        session.execute(
            update(TaskLease)
            .where(TaskLease.item_id == item_id, TaskLease.part == part, TaskLease.owner == owner)
            .values(status=DONE, lease_until=None, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@contextmanager
def held(item_id: int, part: int, task: str, seconds: float) -> Iterator[bool]:
    """Hold the lease on (item, part) while the block runs, renewing it every third of `seconds`.
    Yields False (and holds nothing) when a live lease is held elsewhere."""
    owner = new_owner()
    with session_scope() as session:
        got = claim(session, item_id, part, task, owner, seconds)
    if not got:
        yield False
        return
    stop = threading.Event()

    def keep_alive() -> None:
        while not stop.wait(seconds / 3):
            try:
                if not renew(item_id, part, owner, seconds):
                    log.warning("lease_lost", item_id=item_id, part=part, task=task)
                    return
            except Exception as exc:  # noqa: BLE001 - the database may be briefly away; try again
                log.warning("lease_renew_failed", item_id=item_id, part=part, error=type(exc).__name__)

    renewer = threading.Thread(target=keep_alive, name=f"lease-{item_id}-{part}", daemon=True)
    renewer.start()
    try:
        yield True
    finally:
        stop.set()
        renewer.join(timeout=5)
        try:
            release(item_id, part, owner)
        except Exception as exc:  # noqa: BLE001 - an unreleased lease simply runs out
            log.warning("lease_release_failed", item_id=item_id, part=part, error=type(exc).__name__)


@dataclass(frozen=True)
class Verdict:
    busy: bool  # a live lease, or a task waiting in a queue that still holds messages
    lost: bool  # nothing live: the item's step must be sent again


def judge(
    rows: list[TaskLease],
    item_updated_at: datetime,
    now: datetime,
    *,
    lost_after: float,
    stale_after: float,
    depth: dict[str, int] | None,
) -> Verdict:
    """Is anything still coming for this item? See the module docstring for the rules."""
    grace = now - timedelta(seconds=lost_after)
    stale = now - timedelta(seconds=stale_after)
    last_activity = _aware(item_updated_at)
    for row in rows:
        if row.status == RUNNING and row.lease_until is not None and _aware(row.lease_until) > now:
            return Verdict(busy=True, lost=False)
        if row.status == QUEUED and row.sent_at is not None:
            sent = _aware(row.sent_at)
            queue_empty = depth is not None and depth.get(row.queue, 0) == 0
            if sent > stale and not (queue_empty and sent < grace):
                return Verdict(busy=True, lost=False)
        if row.status in (DONE,) and row.updated_at is not None:
            last_activity = max(last_activity, _aware(row.updated_at))
    return Verdict(busy=False, lost=_aware(last_activity) < grace)


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def leases_for(session: Session, item_ids: list[int]) -> dict[int, list[TaskLease]]:
    out: dict[int, list[TaskLease]] = {}
    if not item_ids:
        return out
    for row in session.scalars(select(TaskLease).where(TaskLease.item_id.in_(item_ids))):
        out.setdefault(row.item_id, []).append(row)
    return out


def forget_done(session: Session, older_than: float) -> int:
    """Delete the rows of tasks finished more than `older_than` seconds ago (only live work needs a
    row; an item without rows falls back to its own updated_at in `judge`)."""
    cutoff = utcnow() - timedelta(seconds=older_than)
    in_pipeline = select(MailItem.id).where(MailItem.state.in_([s.value for s in PIPELINE_STATES]))
    result = session.execute(
        TaskLease.__table__.delete().where(
            TaskLease.updated_at < cutoff,
            or_(TaskLease.status == DONE, TaskLease.item_id.not_in(in_pipeline)),  # left the pipeline
        )
    )
    return int(result.rowcount or 0)


def progress_since(session: Session, since: datetime) -> bool:
    """Did any task start, renew or finish since `since`? (serve's and readiness's stuck check)."""
    return (
        session.scalar(
            select(TaskLease.item_id)
            .where(TaskLease.status.in_([RUNNING, DONE]), TaskLease.updated_at >= since)
            .limit(1)
        )
        is not None
    )


def oldest_waiting(session: Session) -> datetime | None:
    """When the oldest task still queued for an item the machine owes a step was sent (None: nothing
    waits). A queued row of an item that has left the pipeline (a page of a quarantined letter) is
    not work waiting."""
    value = session.scalar(
        select(TaskLease.sent_at)
        .join(MailItem, MailItem.id == TaskLease.item_id)
        .where(
            TaskLease.status == QUEUED,
            or_(MailItem.state.in_([s.value for s in PIPELINE_STATES]), MailItem.text_pending.is_(True)),
        )
        .order_by(TaskLease.sent_at)
        .limit(1)
    )
    return _aware(value) if value is not None else None


__all__ = ["DONE", "ITEM_PART", "QUEUED", "RUNNING", "UNSENT", "held", "judge", "mark_queued", "mark_unsent"]
