"""Users, roles and bearer tokens.

Roles: admin and registrar (the registry) see and act on all mail; department users work their own
departments' inboxes; viewers see only the ROI figures. Tokens are `ph_` plus 32 random bytes
(url-safe base64); only their sha256 is stored, so a leaked database leaks no usable token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from services.core.errors import Conflict, DomainError, NotFound, Unauthorized
from services.core.models import ApiToken, User, UserDepartment, utcnow
from services.core.settings import get_settings
from services.users import repository

ROLES: tuple[str, ...] = ("admin", "registrar", "department", "viewer")
REGISTRY_ROLES: frozenset[str] = frozenset({"admin", "registrar"})
TOKEN_PREFIX = "ph_"
# last_used_at is written at most this often per token, so reads do not each cost a write.
LAST_USED_RESOLUTION = timedelta(seconds=60)

_hasher = PasswordHasher()


class InvalidUser(DomainError):
    status_code = 422
    code = "invalid_user"


def actor_for(user: User) -> str:
    """The `events.actor` string for a human: user:<id>:<name> (column is 120 chars)."""
    return f"user:{user.id}:{user.name}"[:120]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def get_user_by_name(session: Session, name: str) -> User | None:
    return repository.get_user_by_name(session, name)


def create_user(
    session: Session,
    name: str,
    role: str,
    departments: list[str] | None = None,
    password: str | None = None,
) -> User:
    name = (name or "").strip()
    codes = sorted({c.strip().upper() for c in (departments or []) if c and c.strip()})
    if not name:
        raise InvalidUser("user name must not be empty")
    if len(name) > 120:
        raise InvalidUser("user name is longer than 120 characters")
    if role not in ROLES:
        raise InvalidUser(f"unknown role {role!r}; one of {', '.join(ROLES)}", roles=list(ROLES))
    if role == "department" and not codes:
        raise InvalidUser("a department user needs at least one department")
    missing = set(codes) - repository.existing_department_codes(session, codes)
    if missing:
        raise InvalidUser(f"unknown department(s): {', '.join(sorted(missing))}")
    if repository.get_user_by_name(session, name) is not None:
        raise Conflict(f"user {name!r} already exists")
    user = User(
        name=name,
        role=role,
        password_hash=_hasher.hash(password) if password else None,
        active=True,
    )
    user.departments = [UserDepartment(department_code=c) for c in codes]
    session.add(user)
    session.flush()
    return user


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash or not user.active:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def issue_token(session: Session, user: User, days: int | None = None) -> str:
    """A fresh token for `user`; returned once, only its hash is stored. Expires after `days`
    (default POSTHANTERING_API_TOKEN_DAYS; 0 = never)."""
    if user.id is None:
        session.flush()
    days = get_settings().api_token_days if days is None else days
    expires = utcnow() + timedelta(days=days) if days > 0 else None
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), prefix=token[:11], expires_at=expires))
    session.flush()
    return token


def token_expired(row: ApiToken) -> bool:
    expires = row.expires_at
    if expires is None:
        return False
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=utcnow().tzinfo)  # SQLite hands back naive UTC
    return utcnow() >= expires


def list_tokens(session: Session, name: str | None = None) -> list[ApiToken]:
    """Every token (of one user when `name` is given), newest first; never the token itself."""
    if name is not None and repository.get_user_by_name(session, name) is None:
        raise NotFound(f"no user {name!r}")
    return repository.list_tokens(session, name)


def revoke_token(session: Session, token_id: int, by: User | None = None) -> ApiToken:
    """Revoke one token; a non-admin may revoke only their own."""
    row = session.get(ApiToken, token_id)
    if row is None or (by is not None and by.role != "admin" and row.user_id != by.id):
        raise NotFound(f"no token {token_id}")
    row.revoked = True
    return row


def authenticate_token(session: Session, token: str | None) -> User:
    if not token or not token.startswith(TOKEN_PREFIX):
        raise Unauthorized("missing or malformed bearer token")
    row = repository.get_token_by_hash(session, hash_token(token))
    if row is None or row.revoked:
        raise Unauthorized("invalid or revoked token")
    if token_expired(row):
        raise Unauthorized("the token has expired; ask an admin for a new one (posthantering users token NAME)")
    user = row.user
    if not user.active:
        raise Unauthorized("user is deactivated")
    now = utcnow()
    last = row.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)  # SQLite hands back naive UTC
    if last is None or now - last >= LAST_USED_RESOLUTION:
        row.last_used_at = now
    _ = user.department_codes  # loaded now, so the detached user can still answer later
    return user


def revoke_tokens(session: Session, name: str) -> int:
    user = repository.get_user_by_name(session, name)
    if user is None:
        raise NotFound(f"no user {name!r}")
    count = 0
    for tok in user.tokens:
        if not tok.revoked:
            tok.revoked = True
            count += 1
    return count


def bootstrap_admin(session: Session, name: str = "admin", password: str | None = None) -> str | None:
    """On first start (no users at all) create an admin and return its token, to be shown once.
    `password` (POSTHANTERING_ADMIN_PASSWORD) lets the admin log in to the web UI at once."""
    if repository.count_users(session) > 0:
        return None
    if password:
        from services.users.admin import check_password

        check_password(password)
    return issue_token(session, create_user(session, name, "admin", password=password or None))
