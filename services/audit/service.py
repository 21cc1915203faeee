"""Audit events written by the UI, and an item's history read back.

Every opening of a sensitive item (sekretess) is an event with action "viewed" (who, when); routing
changes are already events of their own (written by services.core.events.transition).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.events import record
from services.core.models import Event, MailItem, User
from services.users.service import actor_for

VIEWED = "viewed"


def record_view(session: Session, user: User, item: MailItem, what: str = "item") -> Event | None:
    """Record that `user` looked at `item` (only sensitive items are audited this way)."""
    if not item.sensitive:
        return None
    return record(session, item_id=item.id, actor=actor_for(user), action=VIEWED, detail={"view": what})


def history(session: Session, item_id: int) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.item_id == item_id).order_by(Event.at, Event.id)))
