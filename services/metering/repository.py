"""Queries behind the ROI report and the model versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from services.core.models import Department, Event, MailItem, RoiModel
from services.core.states import MailState


@dataclass(frozen=True)
class HandledItem:
    item_id: int
    first_routed_at: datetime
    auto: bool  # first routed by the machine (classified -> routed), no registrar involved
    department_code: str | None
    doc_type: str | None
    human_seconds: float  # every human second on the item's events
    machine_seconds: float
    registry_seconds: float = 0.0  # human seconds on route/reroute decisions (the registry)
    department_seconds: float = 0.0  # human seconds on acknowledge/return (the departments)
    reroutes: int = 0  # routed -> routed to another department
    returns: int = 0  # routed -> returned ("fel mottagare")
    channel: str = "upload"
    pages: int = 1
    actions: frozenset[str] = frozenset()  # every event action the item has before the period end
    human_by_group: dict[str, float] = field(default_factory=dict)  # HUMAN_GROUPS -> seconds; "other"


REGISTRY_ACTIONS = ("routed", "rerouted")
DEPARTMENT_ACTIONS = ("acknowledged", "returned")
# Which measured after-step an event's human seconds belong to; any other action is "other".
HUMAN_GROUPS: dict[str, str] = {
    "routed": "registry",
    "rerouted": "registry",
    "separation_reviewed": "separation",
    "registration_proposed": "registration",
    "registration_confirmed": "registration",
    "registration_exported": "registration",
    "acknowledged": "department",
    "returned": "department",
}


def latest_model(session: Session) -> RoiModel | None:
    return session.scalars(select(RoiModel).order_by(RoiModel.version.desc()).limit(1)).one_or_none()


def max_version(session: Session) -> int:
    return int(session.scalar(select(func.max(RoiModel.version))) or 0)


def department_names(session: Session) -> dict[str, str]:
    return {code: name for code, name in session.execute(select(Department.code, Department.name))}


def _first_routed(start: datetime | None, end: datetime | None) -> Any:
    """Subquery (item_id, first_at): items whose first transition to routed lies in [start, end)."""
    first = (
        select(Event.item_id.label("item_id"), func.min(Event.at).label("first_at"))
        .where(Event.to_state == MailState.routed.value, Event.item_id.is_not(None))
        .group_by(Event.item_id)
    )
    if start is not None:
        first = first.having(func.min(Event.at) >= start)
    if end is not None:
        first = first.having(func.min(Event.at) < end)
    return first.subquery()


def handled_items(session: Session, start: datetime | None, end: datetime | None) -> list[HandledItem]:
    """Items whose FIRST transition to routed lies in [start, end), with their touch totals.

    Human and machine seconds are summed over all of the item's events before `end` (a closed
    period's figures do not move when later events arrive).
    """
    first_sq = _first_routed(start, end)

    routed = session.execute(
        select(
            first_sq.c.item_id,
            first_sq.c.first_at,
            Event.from_state,
            MailItem.department_code,
            MailItem.doc_type,
            MailItem.channel,
            MailItem.page_count,
        )
        .join(
            Event,
            and_(
                Event.item_id == first_sq.c.item_id,
                Event.at == first_sq.c.first_at,
                Event.to_state == MailState.routed.value,
            ),
        )
        .join(MailItem, MailItem.id == first_sq.c.item_id)
        .order_by(first_sq.c.item_id)
    ).all()

    per_action = (
        select(
            Event.item_id,
            Event.action,
            func.sum(Event.human_seconds),
            func.sum(Event.machine_seconds),
            func.count(),
        )
        .where(Event.item_id.in_(select(first_sq.c.item_id)))
        .group_by(Event.item_id, Event.action)
    )
    if end is not None:
        per_action = per_action.where(Event.at < end)
    totals: dict[int | None, dict[str, tuple[float, float, int]]] = {}
    for item_id, action, human, machine, count in session.execute(per_action):
        totals.setdefault(item_id, {})[action] = (float(human or 0), float(machine or 0), int(count))

    separation = _separation_shares(session, end)
    out: dict[int, HandledItem] = {}
    for item_id, first_at, from_state, dept, doc_type, channel, pages in routed:
        if item_id in out:  # two routed events at the very same instant
            continue
        acts = totals.get(item_id, {})
        groups: dict[str, float] = {}
        for action, (human, _, _) in acts.items():
            if human:
                group = HUMAN_GROUPS.get(action, "other")
                groups[group] = groups.get(group, 0.0) + human
        pile_review = separation.get(item_id, 0.0)
        if pile_review:
            groups["separation"] = groups.get("separation", 0.0) + pile_review
        out[item_id] = HandledItem(
            item_id=item_id,
            first_routed_at=first_at,
            auto=from_state == MailState.classified.value,
            department_code=dept,
            doc_type=doc_type,
            human_seconds=sum(h for h, _, _ in acts.values()) + pile_review,
            machine_seconds=sum(m for _, m, _ in acts.values()),
            registry_seconds=sum(acts.get(a, (0.0, 0.0, 0))[0] for a in REGISTRY_ACTIONS),
            department_seconds=sum(acts.get(a, (0.0, 0.0, 0))[0] for a in DEPARTMENT_ACTIONS),
            reroutes=acts.get("rerouted", (0.0, 0.0, 0))[2],
            returns=acts.get("returned", (0.0, 0.0, 0))[2],
            channel=channel or "upload",
            pages=int(pages or 0),
            actions=frozenset(acts),
            human_by_group=groups,
        )
    return list(out.values())


def _separation_shares(session: Session, end: datetime | None) -> dict[int, float]:
    """A pile's separation review (a `separation_reviewed` event on the pile, detail {"letters": [ids]}),
    shared evenly among the letters it made: letter id -> seconds. The pile itself is never routed."""
    q = select(Event.item_id, Event.human_seconds, Event.detail).where(
        Event.action == "separation_reviewed", Event.human_seconds > 0
    )
    if end is not None:
        q = q.where(Event.at < end)
    shares: dict[int, float] = {}
    for pile_id, seconds, detail in session.execute(q):
        letters = [i for i in (detail or {}).get("letters") or [] if isinstance(i, int) and i != pile_id]
        for letter in letters:
            shares[letter] = shares.get(letter, 0.0) + float(seconds) / len(letters)
    return shares


def hotfolder_receipts(session: Session, start: datetime | None, end: datetime | None) -> list[tuple[datetime, int]]:
    """(received at, pages) of every file the hot folder took in [start, end), in order: the scanner's batches."""
    q = (
        select(Event.at, MailItem.page_count)
        .join(MailItem, MailItem.id == Event.item_id)
        .where(Event.action == "received", MailItem.channel == "hotfolder")
        .order_by(Event.at)
    )
    if start is not None:
        q = q.where(Event.at >= start)
    if end is not None:
        q = q.where(Event.at < end)
    return [(at, int(pages or 0)) for at, pages in session.execute(q)]


def machine_seconds_by_action(session: Session, start: datetime | None, end: datetime | None) -> dict[str, float]:
    """Machine seconds per step (event action) of the items handled in [start, end), before `end`."""
    first_sq = _first_routed(start, end)
    q = (
        select(Event.action, func.sum(Event.machine_seconds))
        .where(Event.item_id.in_(select(first_sq.c.item_id)), Event.machine_seconds > 0)
        .group_by(Event.action)
    )
    if end is not None:
        q = q.where(Event.at < end)
    return {action: float(total or 0) for action, total in session.execute(q)}
