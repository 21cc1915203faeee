"""Queries for mail items and departments."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from services.core.models import Department, MailItem


def get_item(session: Session, item_id: int) -> MailItem | None:
    return session.get(MailItem, item_id)


def list_items(
    session: Session,
    visible: ColumnElement[bool],
    *,
    state: str | None = None,
    department: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[MailItem], int]:
    conds: list[ColumnElement[bool]] = [visible]
    if state is not None:
        conds.append(MailItem.state == state)
    if department is not None:
        conds.append(MailItem.department_code == department)
    total = session.scalar(select(func.count()).select_from(MailItem).where(*conds)) or 0
    rows = session.scalars(
        select(MailItem).where(*conds).order_by(MailItem.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), int(total)


def count_by_state(session: Session) -> dict[str, int]:
    rows = session.execute(select(MailItem.state, func.count()).group_by(MailItem.state)).all()
    return {state: int(n) for state, n in rows}


def get_department(session: Session, code: str) -> Department | None:
    return session.get(Department, code)


def list_departments(session: Session, include_inactive: bool = False) -> list[Department]:
    stmt = select(Department).order_by(Department.code)
    if not include_inactive:
        stmt = stmt.where(Department.active.is_(True))
    return list(session.scalars(stmt))
