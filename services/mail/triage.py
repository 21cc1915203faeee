"""The registry's triage queue: items waiting for a person, oldest first, with a registration deadline.

Deadline rule (documented in README, "Web UI"): mail is to be registered the same or the next working
day after it arrived. Working days are Monday to Friday except Swedish public holidays and the days
treated as holidays (midsommarafton, julafton, nyårsafton; the `holidays` package), dates are taken in
Europe/Stockholm.
- green  ("i tid"): arrived today, or the deadline is still ahead,
- amber  ("sista dag idag"): today is the next working day after arrival, the last day,
- red    ("försenad"): the deadline has passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import ColumnElement, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from services.core.errors import DomainError, Forbidden
from services.core.models import MailItem, User
from services.core.states import MailState
from services.mail import permissions, service

LOCAL_TZ = ZoneInfo("Europe/Stockholm")
QUEUE_STATES = (MailState.needs_review.value, MailState.returned.value)


@lru_cache(maxsize=16)
def _holidays(year: int) -> frozenset[date]:
    days = set(holidays.country_holidays("SE", years=year, include_sundays=False).keys())
    # Days off by custom though not public holidays: midsommarafton, julafton, nyårsafton.
    midsummer_eve = next(date(year, 6, d) for d in range(19, 26) if date(year, 6, d).weekday() == 4)
    days.update({midsummer_eve, date(year, 12, 24), date(year, 12, 31)})
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
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


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)


def deadline_filter(colour: str, now: datetime | None = None) -> ColumnElement[bool]:
    """Items whose deadline state (deadline_status) is `colour`, as a WHERE clause on created_at.

    The due day grows with the arrival day, so each colour is one interval of arrival days; the
    boundaries are found by walking back from today over at most a few weeks of holidays."""
    today = local_date(now or datetime.now(UTC))
    first_not_red = today  # the earliest arrival day whose due day is today or later
    while next_working_day(first_not_red - timedelta(days=1)) >= today and first_not_red > today - timedelta(days=30):
        first_not_red -= timedelta(days=1)
    first_green = today  # arrivals from today on are due later than today
    while first_green > first_not_red and next_working_day(first_green - timedelta(days=1)) > today:
        first_green -= timedelta(days=1)
    red_before, green_from = _local_midnight_utc(first_not_red), _local_midnight_utc(first_green)
    if colour == "red":
        return MailItem.created_at < red_before
    if colour == "amber":
        return and_(MailItem.created_at >= red_before, MailItem.created_at < green_from)
    return MailItem.created_at >= green_from


@dataclass
class QueueFilter:
    """The queue's filters; empty fields do not filter."""

    department: str = ""  # the model's suggestion
    doc_type: str = ""
    deadline: str = ""  # green | amber | red
    sensitive: str = ""  # "ja" | "nej"
    channel: str = ""
    batch: str = ""
    extra: list[ColumnElement[bool]] = field(default_factory=list)

    def clauses(self) -> list[ColumnElement[bool]]:
        out = list(self.extra)
        if self.department:
            out.append(MailItem.suggested_department == self.department.strip().upper())
        if self.doc_type:
            out.append(MailItem.doc_type == self.doc_type)
        if self.deadline in ("green", "amber", "red"):
            out.append(deadline_filter(self.deadline))
        if self.sensitive in ("ja", "nej"):
            out.append(MailItem.sensitive.is_(self.sensitive == "ja"))
        if self.channel:
            out.append(MailItem.channel == self.channel)
        batch_col = getattr(MailItem, "batch_id", None)  # issue 16 adds batches
        if self.batch and batch_col is not None:
            out.append(batch_col == self.batch)
        return out


def _in_tray() -> ColumnElement[bool]:
    # The discard tray (services/mail/discard.py): advertising waiting for a discard. Kept out of the
    # review queue so the two tabs are disjoint and "select all + route" never routes advertising.
    # coalesce: with NULL the NOT(...) below would be NULL and drop items that have no suggestion
    return and_(
        MailItem.state == MailState.needs_review.value, func.coalesce(MailItem.suggested_department, "") == "INGEN"
    )


def queue_where(filters: QueueFilter | None = None) -> list[ColumnElement[bool]]:
    return [MailItem.state.in_(QUEUE_STATES), not_(_in_tray()), *(filters or QueueFilter()).clauses()]


def queue(
    session: Session, user: User, limit: int = 200, offset: int = 0, filters: QueueFilter | None = None
) -> tuple[list[MailItem], int]:
    """Items waiting for the registry (review and returned, advertising excluded), oldest first."""
    if not permissions.can_route(user):
        raise Forbidden(f"role {user.role!r} has no triage queue")
    where = queue_where(filters)
    total = session.scalar(select(func.count()).select_from(MailItem).where(*where)) or 0
    rows = session.scalars(
        select(MailItem).where(*where).order_by(MailItem.created_at, MailItem.id).limit(limit).offset(offset)
    )
    return list(rows), int(total)


def next_in_queue(session: Session, user: User, after: MailItem) -> int | None:
    """The item to open after deciding `after`: the next one in queue order, else the queue's first."""
    if not permissions.can_route(user):
        return None
    where = [*queue_where(), MailItem.id != after.id]
    later = or_(
        MailItem.created_at > after.created_at, and_(MailItem.created_at == after.created_at, MailItem.id > after.id)
    )
    order = (MailItem.created_at, MailItem.id)
    found = session.scalar(select(MailItem.id).where(*where, later).order_by(*order).limit(1))
    if found is None:
        found = session.scalar(select(MailItem.id).where(*where).order_by(*order).limit(1))
    return found


def filter_options(session: Session) -> dict[str, list[str]]:
    """Values present in the queue, for the filter menus."""
    where = queue_where()
    out: dict[str, list[str]] = {}
    for name, col in (
        ("department", MailItem.suggested_department),
        ("doc_type", MailItem.doc_type),
        ("channel", MailItem.channel),
    ):
        out[name] = sorted(v for v in session.scalars(select(col).where(*where).distinct()) if v)
    batch_col = getattr(MailItem, "batch_id", None)
    out["batch"] = (
        sorted(str(v) for v in session.scalars(select(batch_col).where(*where).distinct()) if v)
        if batch_col is not None
        else []
    )
    return out


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
