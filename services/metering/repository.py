"""Queries behind the ROI report and the model versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
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


REGISTRY_ACTIONS = ("routed", "rerouted")
DEPARTMENT_ACTIONS = ("acknowledged", "returned")


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
        select(first_sq.c.item_id, first_sq.c.first_at, Event.from_state, MailItem.department_code, MailItem.doc_type)
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

    def only(actions: tuple[str, ...], value: object) -> object:
        return func.sum(case((Event.action.in_(actions), value), else_=0))

    totals_q = (
        select(
            Event.item_id,
            func.sum(Event.human_seconds),
            func.sum(Event.machine_seconds),
            only(REGISTRY_ACTIONS, Event.human_seconds),
            only(DEPARTMENT_ACTIONS, Event.human_seconds),
            only(("rerouted",), 1),
            only(("returned",), 1),
        )
        .where(Event.item_id.in_(select(first_sq.c.item_id)))
        .group_by(Event.item_id)
    )
    if end is not None:
        totals_q = totals_q.where(Event.at < end)
    totals = {row[0]: tuple(float(v or 0) for v in row[1:]) for row in session.execute(totals_q)}

    out: dict[int, HandledItem] = {}
    for item_id, first_at, from_state, dept, doc_type in routed:
        if item_id in out:  # two routed events at the very same instant
            continue
        human, machine, registry, department, reroutes, returns = totals.get(item_id, (0.0,) * 6)
        out[item_id] = HandledItem(
            item_id=item_id,
            first_routed_at=first_at,
            auto=from_state == MailState.classified.value,
            department_code=dept,
            doc_type=doc_type,
            human_seconds=human,
            machine_seconds=machine,
            registry_seconds=registry,
            department_seconds=department,
            reroutes=int(reroutes),
            returns=int(returns),
        )
    return list(out.values())


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
