"""The discard tray: mail that is not to be registered (advertising, newsletters: department INGEN).

The classifier never routes INGEN; the pipeline puts such an item in needs_review with
``reasons["tray"] = "discard"`` (and ``suggested_department = "INGEN"``). The tray lists them
(``GET /api/v1/mail?tray=discard``); a registrar confirms with one click (``POST /api/v1/mail/{id}/discard``)
or for many at once (``POST /api/v1/mail/discard`` with ``{"ids": [...]}``): needs_review -> discarded
. An item the registrar routes instead is a correction the learning loop picks up.

The tray lists unsure guesses first (confidence below UNSURE_BELOW, marked in the UI). A discarded item
stays restorable (discarded -> needs_review, ``restore_item``) for POSTHANTERING_DISCARD_RESTORE_DAYS
(default 30) days after its discard.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from services.core.errors import Conflict, Forbidden, NotFound, StateConflict
from services.core.events import transition
from services.core.models import MailItem, User
from services.core.settings import get_settings
from services.core.states import MailState
from services.mail import permissions
from services.mail.service import InvalidRequest, _human_seconds, get_item, require_complete_text
from services.users.service import actor_for

DISCARD_DEPARTMENT = "INGEN"
MAX_BULK = 200
UNSURE_BELOW = 0.8  # a guess below this is shown as unsure and listed first


def tray_filter() -> ColumnElement[bool]:
    """Items in the discard tray, as a WHERE clause."""
    return and_(MailItem.state == MailState.needs_review.value, MailItem.suggested_department == DISCARD_DEPARTMENT)


def list_tray(
    session: Session, user: User, tray: str = "discard", limit: int = 50, offset: int = 0
) -> tuple[list[MailItem], int]:
    if tray != "discard":
        raise InvalidRequest(f"unknown tray {tray!r}", trays=["discard"])
    if not permissions.can_route(user):
        raise Forbidden(f"role {user.role!r} may not see the discard tray")
    where = and_(permissions.visibility_filter(user), tray_filter())
    total = session.scalar(select(func.count()).select_from(MailItem).where(where)) or 0
    rows = session.scalars(
        select(MailItem)
        .where(where)
        .order_by(func.coalesce(MailItem.confidence, 0.0), MailItem.created_at, MailItem.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total)


def is_unsure(item: MailItem) -> bool:
    return item.confidence is None or item.confidence < UNSURE_BELOW


def _restore_cutoff() -> datetime:
    return datetime.now(UTC) - timedelta(days=get_settings().discard_restore_days)


def list_discarded(session: Session, user: User, limit: int = 200) -> tuple[list[MailItem], int]:
    """Discarded items that can still be restored, latest discard first."""
    if not permissions.can_route(user):
        raise Forbidden(f"role {user.role!r} may not see the discard tray")
    where = and_(MailItem.state == MailState.discarded.value, MailItem.updated_at >= _restore_cutoff())
    total = session.scalar(select(func.count()).select_from(MailItem).where(where)) or 0
    rows = session.scalars(select(MailItem).where(where).order_by(MailItem.updated_at.desc()).limit(limit))
    return list(rows), int(total)


def restore_item(session: Session, user: User, item_id: int) -> MailItem:
    """Undo a discard within the restore period: discarded -> needs_review (back in the tray)."""
    if not permissions.can_route(user):
        raise Forbidden(f"role {user.role!r} may not restore mail")
    item = get_item(session, user, item_id)
    updated = item.updated_at if item.updated_at.tzinfo else item.updated_at.replace(tzinfo=UTC)
    if item.state != MailState.discarded.value or updated < _restore_cutoff():
        raise Conflict(f"item {item_id} can no longer be restored", state=item.state)
    transition(
        session,
        item,
        expected=MailState.discarded,
        to=MailState.needs_review,
        actor=actor_for(user),
        action="restored",
        detail={"discarded_at": updated.isoformat()},
    )
    return item


def discard_item(session: Session, user: User, item_id: int, human_seconds: float = 0.0) -> MailItem:
    """One-click confirmation: needs_review -> discarded."""
    if not permissions.can_route(user):
        raise Forbidden(f"role {user.role!r} may not discard mail")
    seconds = _human_seconds(human_seconds)
    item = get_item(session, user, item_id)
    if item.state != MailState.needs_review.value:
        raise Conflict(
            f"item {item_id} is {item.state}; only items waiting for review can be discarded", state=item.state
        )
    require_complete_text(item)
    transition(
        session,
        item,
        expected=MailState.needs_review,
        to=MailState.discarded,
        actor=actor_for(user),
        action="discarded",
        human_seconds=seconds,
        detail={
            "suggested_department": item.suggested_department,
            "confirmed_suggestion": item.suggested_department == DISCARD_DEPARTMENT,
            "human_seconds": seconds,
        },
    )
    return item


def discard_many(session: Session, user: User, ids: Sequence[int], human_seconds: float = 0.0) -> dict[str, list[int]]:
    """Bulk confirmation; items not waiting for review (or not found) are listed as skipped, not an error."""
    if not ids or len(ids) > MAX_BULK:
        raise InvalidRequest(f"give between 1 and {MAX_BULK} ids")
    per_item = _human_seconds(human_seconds) / len(ids)
    done: list[int] = []
    skipped: list[int] = []
    for item_id in dict.fromkeys(int(i) for i in ids):
        try:
            discard_item(session, user, item_id, per_item)
            done.append(item_id)
        except (NotFound, StateConflict, Conflict):
            skipped.append(item_id)
    return {"discarded": done, "skipped": skipped}
