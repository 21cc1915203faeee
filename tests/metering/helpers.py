"""Event rows with fixed timestamps, for report tests."""

from __future__ import annotations

from datetime import UTC, datetime

from services.core.db import session_scope
from services.core.events import record

SYS = "system:worker"
REG = "user:2:reg"
DEP = "user:3:dep"


def at(day: str, hh: int = 12, mm: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hh, minute=mm, tzinfo=UTC)


def add_events(item_id: int, *rows: tuple[datetime, str, str | None, str | None, str, float, float]) -> None:
    """rows: (at, action, from_state, to_state, actor, human_seconds, machine_seconds)."""
    with session_scope() as s:
        for when, action, src, dst, actor, human, machine in rows:
            ev = record(
                s,
                item_id=item_id,
                actor=actor,
                action=action,
                from_state=src,
                to_state=dst,
                human_seconds=human,
                machine_seconds=machine,
            )
            ev.at = when
