"""State changes as compare-and-set plus an event row, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from services.core.errors import StateConflict
from services.core.models import Event, MailItem, utcnow
from services.core.states import MailState, can_transition

SYSTEM = "system:worker"


def record(
    session: Session,
    *,
    item_id: int | None,
    actor: str,
    action: str,
    machine_seconds: float = 0.0,
    human_seconds: float = 0.0,
    detail: dict[str, Any] | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
) -> Event:
    ev = Event(
        item_id=item_id,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        machine_seconds=round(machine_seconds, 4),
        human_seconds=round(human_seconds, 3),
        detail=detail or {},
    )
    session.add(ev)
    return ev


def transition(
    session: Session,
    item: MailItem,
    *,
    expected: MailState | tuple[MailState, ...],
    to: MailState,
    actor: str,
    action: str | None = None,
    machine_seconds: float = 0.0,
    human_seconds: float = 0.0,
    detail: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
) -> None:
    """Move `item` from one of the expected states to `to`, or raise StateConflict.

    The UPDATE carries the expected state in its WHERE clause, so of two racing workers (a redelivered
    task, a sweeper re-enqueue) exactly one wins; the loser's transaction is rolled back whole.
    `values` are further columns written in the same UPDATE.
    """
    allowed = (expected,) if isinstance(expected, MailState) else expected
    current = MailState(item.state)
    if current not in allowed:
        raise StateConflict(
            f"item {item.id} is {current.value}, expected {'/'.join(s.value for s in allowed)}",
            state=current.value,
        )
    if not can_transition(current, to):
        raise StateConflict(f"item {item.id} cannot go from {current.value} to {to.value}", state=current.value)
    now = utcnow()
    # `attempts` counts tries at the current state, so it starts again at every move.
    cols: dict[str, Any] = {"state": to.value, "updated_at": now, "attempts": 0, **(values or {})}
    result = session.execute(
        update(MailItem)
        .where(MailItem.id == item.id, MailItem.state == current.value)
        .values(**cols)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        # The caller's session scope rolls the whole transaction back.
        raise StateConflict(f"item {item.id} was moved by someone else", state=current.value)
    for k, v in cols.items():
        # Keep the in-memory object in step without a reload, as committed values: a plain setattr
        # would mark them changed and the flush would write the same row a second time.
        set_committed_value(item, k, v)
    record(
        session,
        item_id=item.id,
        actor=actor,
        action=action or to.value,
        from_state=current.value,
        to_state=to.value,
        machine_seconds=machine_seconds,
        human_seconds=human_seconds,
        detail=detail,
    )
