"""Admin changes to users from the web UI: role, departments, password, deactivation. Each is audited."""

from __future__ import annotations

import contextlib

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from services.core.errors import NotFound
from services.core.events import record
from services.core.models import User, UserDepartment
from services.users import repository
from services.users.service import ROLES, InvalidUser, _hasher, actor_for, verify_password
from services.users.sessions import end_all_sessions

MIN_PASSWORD = 8


def list_users(session: Session) -> list[User]:
    return repository.list_users(session)


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidUser(f"the password must be at least {MIN_PASSWORD} characters")


def _audit(session: Session, admin: User, user: User, change: str, **detail: object) -> None:
    record(
        session,
        item_id=None,
        actor=actor_for(admin),
        action="user_changed",
        detail={"user": user.name, "change": change, **detail},
    )


def update_user(session: Session, admin: User, user_id: int, role: str, departments: list[str]) -> User:
    user = get_user(session, user_id)
    codes = sorted({c.strip().upper() for c in departments if c.strip()})
    if role not in ROLES:
        raise InvalidUser(f"unknown role {role!r}")
    if role == "department" and not codes:
        raise InvalidUser("a department user needs at least one department")
    missing = set(codes) - repository.existing_department_codes(session, codes)
    if missing:
        raise InvalidUser(f"unknown department(s): {', '.join(sorted(missing))}")
    if user.id == admin.id and role != "admin":
        raise InvalidUser("you cannot take the admin role from yourself")
    user.role = role
    # Change the association rows in place: replacing them would delete and insert the same keys in one flush.
    user.departments = [d for d in user.departments if d.department_code in codes]
    have = user.department_codes
    user.departments.extend(UserDepartment(department_code=c) for c in codes if c not in have)
    _audit(session, admin, user, "role", role=role, departments=codes)
    return user


def set_password(session: Session, admin: User, user_id: int, password: str) -> User:
    check_password(password)
    user = get_user(session, user_id)
    user.password_hash = _hasher.hash(password)
    _audit(session, admin, user, "password")
    end_all_sessions(session, user, admin, why="password")  # a stolen session dies with the old password
    return user


def set_active(session: Session, admin: User, user_id: int, active: bool) -> User:
    user = get_user(session, user_id)
    if user.id == admin.id and not active:
        raise InvalidUser("you cannot deactivate yourself")
    user.active = active
    _audit(session, admin, user, "activated" if active else "deactivated")
    if not active:
        end_all_sessions(session, user, admin, why="deactivated")
    return user


_DUMMY_HASH = _hasher.hash("not a password")


def login(session: Session, name: str, password: str) -> User | None:
    """The active user with this name and password, or None (the same work is done for unknown names)."""
    user = repository.get_user_by_name(session, (name or "").strip())
    if user is None:
        with contextlib.suppress(VerificationError, InvalidHashError):  # spend the time a real user would cost
            _hasher.verify(_DUMMY_HASH, password or "")
        return None
    return user if verify_password(user, password or "") else None


def set_password_by_name(session: Session, name: str, password: str, actor: str = "cli") -> User:
    """The CLI's `users passwd NAME`: the UI's password policy, every session of the user ended."""
    check_password(password)
    user = repository.get_user_by_name(session, name)
    if user is None:
        raise NotFound(f"no user {name!r}")
    user.password_hash = _hasher.hash(password)
    record(session, item_id=None, actor=actor, action="user_changed", detail={"user": name, "change": "password"})
    end_all_sessions(session, user, why="password")
    return user


def revoke_user(session: Session, name: str, actor: str = "cli") -> int:
    """The CLI's `users revoke NAME`: every API token revoked and every UI session ended; returns the tokens."""
    from services.users.service import revoke_tokens

    count = revoke_tokens(session, name)
    user = repository.get_user_by_name(session, name)
    assert user is not None
    end_all_sessions(session, user, why="revoked")
    record(session, item_id=None, actor=actor, action="user_changed", detail={"user": name, "change": "revoked"})
    return count
