"""Queries for users, their departments and their API tokens."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.core.models import ApiToken, Department, User


def get_user_by_name(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.name == name)).one_or_none()


def get_token_by_hash(session: Session, token_hash: str) -> ApiToken | None:
    return session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash)).one_or_none()


def existing_department_codes(session: Session, codes: Iterable[str]) -> set[str]:
    wanted = set(codes)
    if not wanted:
        return set()
    return set(session.scalars(select(Department.code).where(Department.code.in_(wanted))))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def list_tokens(session: Session, name: str | None = None) -> list[ApiToken]:
    stmt = select(ApiToken).join(User).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if name is not None:
        stmt = stmt.where(User.name == name)
    return list(session.scalars(stmt))
