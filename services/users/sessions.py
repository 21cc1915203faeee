"""Login throttling, login audit, and ending UI sessions (issue 9).

Throttle: every failed login counts against the account ("user:<name>") and the client address
("addr:<ip>"). After ``login_max_failures`` failures of an account (``login_max_failures_per_address``
of an address) that key is locked for ``login_lock_seconds``, doubling with every further failure up
to ``login_lock_max_seconds``; while locked, every login through it, even with the right password, is
refused with 429 and ``Retry-After``. Failures older than ``login_failure_window_seconds`` are forgotten;
a successful login clears its account's count (not the address's: one known password must not
reset the guessing budget of a whole address).

Sessions: the cookie carries the user id, the user's ``session_generation`` at login and a random
session id. Logout puts the session id on the revoked list (until the cookie would have expired
anyway); logout everywhere, a password change and deactivation bump the generation, which ends
every session of that user at once. Timeouts (idle/absolute) live with the session cookie itself.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.core.events import record
from services.core.models import User, utcnow
from services.core.models_security import LoginThrottle, RevokedSession
from services.core.settings import get_settings
from services.users import repository


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=utcnow().tzinfo)  # SQLite hands back naive UTC
    return value


def _keys(name: str, address: str | None) -> list[tuple[str, int]]:
    settings = get_settings()
    keys = [(f"user:{name.strip().lower()[:150]}", settings.login_max_failures)]
    if address:
        keys.append((f"addr:{address[:150]}", settings.login_max_failures_per_address))
    return keys


def retry_after(session: Session, name: str, address: str | None) -> int:
    """Seconds until a login for this account from this address may be tried again (0: now)."""
    now = utcnow()
    wait = 0.0
    for key, _limit in _keys(name, address):
        row = session.get(LoginThrottle, key)
        until = _aware(row.locked_until) if row else None
        if until is not None and until > now:
            wait = max(wait, (until - now).total_seconds())
    return int(wait + 0.999)


def _count_failure(session: Session, key: str, limit: int) -> None:
    settings = get_settings()
    now = utcnow()
    row = session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0, last_failure_at=now)
        session.add(row)
    last = _aware(row.last_failure_at)
    if last is not None and (now - last).total_seconds() > settings.login_failure_window_seconds:
        row.failures = 0
    row.failures = (row.failures or 0) + 1
    row.last_failure_at = now
    if row.failures >= limit:
        extra = min(row.failures - limit, 20)
        seconds = min(settings.login_lock_seconds * 2**extra, settings.login_lock_max_seconds)
        row.locked_until = now + timedelta(seconds=seconds)


def login_failed(session: Session, name: str, address: str | None) -> None:
    for key, limit in _keys(name, address):
        _count_failure(session, key, limit)
    known = repository.get_user_by_name(session, (name or "").strip())
    # An unknown name is not stored: people type passwords (or personnummer) into the name field.
    _audit(session, known, "login_failed", address, account=known.name if known else "(okänt konto)")
    session.flush()


def login_refused(session: Session, name: str, address: str | None, wait: int) -> None:
    known = repository.get_user_by_name(session, (name or "").strip())
    _audit(session, known, "login_throttled", address, account=known.name if known else "(okänt konto)", wait=wait)


def login_succeeded(session: Session, user: User, address: str | None) -> dict[str, Any]:
    """Clear the account's failures, audit, and return the new session's cookie data."""
    key = _keys(user.name, None)[0][0]
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
    _audit(session, user, "login", address, account=user.name)
    return {"uid": user.id, "gen": user.session_generation or 0, "sid": secrets.token_urlsafe(24)}


def session_is_current(session: Session, user: User, data: dict[str, Any]) -> bool:
    """Whether a session cookie's data still stands: same generation, not logged out."""
    if data.get("gen") != (user.session_generation or 0):
        return False
    sid = data.get("sid")
    if not isinstance(sid, str):
        return False
    return session.get(RevokedSession, sid) is None


def end_session(session: Session, user: User | None, data: dict[str, Any], address: str | None) -> None:
    """Logout: this session's id is refused from now on."""
    sid = data.get("sid")
    if isinstance(sid, str) and session.get(RevokedSession, sid) is None:
        expires = utcnow() + timedelta(seconds=get_settings().session_max_age_seconds)
        session.add(RevokedSession(sid=sid, expires_at=expires))
    session.execute(delete(RevokedSession).where(RevokedSession.expires_at < utcnow()))
    if user is not None:
        _audit(session, user, "logout", address, account=user.name)


def end_all_sessions(session: Session, user: User, actor: User | None = None, why: str = "logout_everywhere") -> None:
    """Every UI session of `user` ends now (logout everywhere, password change, deactivation)."""
    user.session_generation = (user.session_generation or 0) + 1
    _audit(session, actor or user, "sessions_ended", None, account=user.name, why=why)


def _audit(session: Session, user: User | None, action: str, address: str | None, **detail: Any) -> None:
    from services.users.service import actor_for

    record(
        session,
        item_id=None,
        actor=actor_for(user) if user is not None else "anonymous",
        action=action,
        detail={**detail, **({"address": address} if address else {})},
    )


def purge_old(session: Session) -> None:
    """Forget throttle rows whose failures are old and whose lock has passed."""
    cutoff = utcnow() - timedelta(seconds=get_settings().login_failure_window_seconds)
    for row in session.scalars(select(LoginThrottle).where(LoginThrottle.last_failure_at < cutoff)):
        until = _aware(row.locked_until)
        if until is None or until < utcnow():
            session.delete(row)
