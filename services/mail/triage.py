"""The registry's triage queue: items waiting for a person, oldest first, with a registration deadline.

Deadline rule (documented in README, "Web UI"): mail is to be registered the same or the next working
day after it arrived. Working days are Monday to Friday (public holidays are not yet counted), dates
are taken in Europe/Stockholm.
- green  ("i tid"): arrived today, or the deadline is still ahead,
- amber  ("sista dag idag"): today is the next working day after arrival, the last day,
- red    ("försenad"): the deadline has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.core.errors import DomainError, Forbidden
from services.core.models import MailItem, User
from services.core.states import MailState
from services.mail import permissions, service

LOCAL_TZ = ZoneInfo("Europe/Stockholm")
QUEUE_STATES = (MailState.needs_review.value, MailState.returned.value)


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def local_date(dt: datetime) -> date:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)  # SQLite returns naive UTC
    return dt.astimezone(LOCAL_TZ).date()


def deadline_status(received_at: datetime, now: datetime | None = None) -> tuple[str, date]:
    """("green" | "amber" | "red", the last day to register) for mail received at `received_at`."""
    today = local_date(now or datetime.now(UTC))
    due = next_working_day(local_date(received_at))
    if today > due:
        return "red", due
    if today == due:
        return "amber", due
    return "green", due


def queue(session: Session, user: User, limit: int = 200) -> tuple[list[MailItem], int]:
    if not permissions.can_route(user):
        raise Forbidden(f"role {user.role!r} has no triage queue")
    where = MailItem.state.in_(QUEUE_STATES)
    total = session.scalar(select(func.count()).select_from(MailItem).where(where)) or 0
    rows = session.scalars(select(MailItem).where(where).order_by(MailItem.created_at, MailItem.id).limit(limit))
    return list(rows), int(total)


@dataclass
class BulkResult:
    routed: list[int]
    failed: dict[int, str]


def route_many(
    session: Session, user: User, item_ids: list[int], department: str, human_seconds: float = 0.0
) -> BulkResult:
    """Route several items to one department; each in its own savepoint, so one stale item spoils nothing.

    The human time of the whole decision is shared evenly between the items."""
    if not permissions.can_route(user):
        raise Forbidden(f"role {user.role!r} may not route mail")
    ids = list(dict.fromkeys(item_ids))
    share = human_seconds / len(ids) if ids else 0.0
    result = BulkResult(routed=[], failed={})
    for item_id in ids:
        try:
            with session.begin_nested():
                service.route_item(session, user, item_id, department, None, share)
            result.routed.append(item_id)
        except DomainError as e:
            result.failed[item_id] = e.message
    return result
