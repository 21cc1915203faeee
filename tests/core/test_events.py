from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.errors import StateConflict
from services.core.events import transition
from services.core.models import Event, MailItem
from services.core.states import MailState


def _item(session: Session, state: MailState = MailState.received) -> MailItem:
    item = MailItem(sha256="ab" * 32, filename="x.pdf", state=state.value, attempts=2)
    session.add(item)
    session.flush()
    return item


def test_transition_moves_state_writes_event_and_resets_attempts(db_session: Session) -> None:
    item = _item(db_session)
    transition(
        db_session,
        item,
        expected=MailState.received,
        to=MailState.extracted,
        actor="system:worker",
        machine_seconds=1.23456,
        values={"page_count": 3},
    )
    db_session.expire_all()
    fresh = db_session.get(MailItem, item.id)
    assert fresh is not None
    assert (fresh.state, fresh.page_count, fresh.attempts) == ("extracted", 3, 0)
    ev = db_session.scalars(select(Event).where(Event.item_id == item.id)).one()
    assert (ev.from_state, ev.to_state, ev.actor, ev.machine_seconds) == (
        "received",
        "extracted",
        "system:worker",
        1.2346,
    )


def test_transition_from_unexpected_state_is_a_conflict(db_session: Session) -> None:
    item = _item(db_session, MailState.routed)
    with pytest.raises(StateConflict):
        transition(db_session, item, expected=MailState.received, to=MailState.extracted, actor="a")


def test_transition_not_in_the_state_machine_is_refused(db_session: Session) -> None:
    item = _item(db_session, MailState.received)
    with pytest.raises(StateConflict, match="cannot go"):
        transition(db_session, item, expected=MailState.received, to=MailState.acknowledged, actor="a")


def test_compare_and_set_loses_to_a_concurrent_move(db_session: Session) -> None:
    """The in-memory object says received, but another worker already moved the row."""
    item = _item(db_session)
    db_session.execute(MailItem.__table__.update().where(MailItem.id == item.id).values(state="extracted"))
    with pytest.raises(StateConflict, match="moved by someone else"):
        transition(db_session, item, expected=MailState.received, to=MailState.extracted, actor="a")


def test_transition_writes_the_row_once(db_session: Session) -> None:
    """The compare-and-set UPDATE is the only write: the in-memory item is kept in step without being
    marked changed, so the flush does not write the same row again (issue 11: statements per item)."""
    from sqlalchemy import event

    item = _item(db_session)
    updates: list[str] = []

    def count(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE MAIL_ITEMS"):
            updates.append(statement)

    engine = db_session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        transition(db_session, item, expected=MailState.received, to=MailState.extracted, actor="a")
        db_session.flush()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(updates) == 1
    assert (item.state, item.attempts) == ("extracted", 0)
    assert item not in db_session.dirty
