"""Session lifetime (issue 14): an idle timeout plus an absolute limit, a warning before expiry, and a
decision made after expiry kept across the re-login.

Kept apart from session.py (cookie, CSRF, login throttling) so each can change without the other.
The session data carries `iat` (login time) and `seen` (last activity). A session is live while
`now - seen < POSTHANTERING_SESSION_IDLE_SECONDS` and `now - iat < POSTHANTERING_SESSION_MAX_AGE`.
Every request but the overview's background poll counts as activity (`touch`).

A POST that arrives after expiry is not lost: if it carries the CSRF token of the browser's own lapsed
session (so it is not a forged cross-site request), its form is kept in a signed cookie, the user logs
in again and gets a page with the decision ready to save (resume.py).
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeSerializer

from services.core.settings import get_settings

PENDING_COOKIE = "ph_pending"
# Requests that are not the user's activity (the overview polls its counts every few seconds).
PASSIVE_PATHS = frozenset({"/ui/oversikt/antal", "/ui/session"})
# Fragments that must never be the page a login lands on; the page that asked for them is used instead.
PARTIAL_PATHS = frozenset({"/ui/oversikt/antal"})
# POSTs whose form is kept when the session lapsed before they arrived (decisions on mail).
KEEPABLE_PREFIXES = ("/ui/mail/", "/ui/ko/")
MAX_PENDING_BYTES = 3000


def stamp_login(data: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    now = time.time() if now is None else now
    return {**data, "iat": now, "seen": now}


def touch(data: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    return {**data, "seen": time.time() if now is None else now}


def expires_at(data: dict[str, Any]) -> float:
    """When a logged-in session ends if nothing more happens (epoch seconds)."""
    s = get_settings()
    seen = float(data.get("seen", data.get("iat", 0.0)))
    iat = float(data.get("iat", seen))
    return min(seen + s.session_idle_seconds, iat + s.session_max_age_seconds)


def is_live(data: dict[str, Any], now: float | None = None) -> bool:
    """Anonymous data (only a CSRF token, for the login form) never lapses here; a login does."""
    if "uid" not in data:
        return True
    if "iat" not in data:
        return False  # a cookie from before idle timeouts: log in again
    return (time.time() if now is None else now) < expires_at(data)


def seconds_left(data: dict[str, Any]) -> int:
    return max(0, int(expires_at(data) - time.time())) if "uid" in data else 0


def lapsed_session(raw: str | None, serializer: Any) -> dict[str, Any]:
    """The data of a genuinely signed session cookie that has lapsed (idle or absolute), else {}."""
    if not raw:
        return {}
    try:
        data = serializer.loads(raw)
    except BadSignature:
        return {}
    if not isinstance(data, dict) or "uid" not in data or is_live(data):
        return {}
    return data


def _pending_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().session_secret(), salt="pending-decision")


def keep_pending(response: Response, uid: int, path: str, fields: list[tuple[str, str]]) -> bool:
    """Keep a lapsed POST (without its CSRF token) for the same user's next login; False if too big."""
    value = _pending_serializer().dumps({"uid": uid, "path": path, "fields": fields, "t": time.time()})
    if len(value) > MAX_PENDING_BYTES:
        return False
    response.set_cookie(PENDING_COOKIE, value, max_age=8 * 3600, httponly=True, samesite="lax", path="/ui")
    return True


def read_pending(request: Request) -> dict[str, Any]:
    raw = request.cookies.get(PENDING_COOKIE)
    if not raw:
        return {}
    try:
        data = _pending_serializer().loads(raw)
    except BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def drop_pending(response: Response) -> None:
    response.delete_cookie(PENDING_COOKIE, path="/ui")
