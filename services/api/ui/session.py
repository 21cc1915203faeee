"""The UI's session: a signed, timestamped cookie, a CSRF token, and signed "opened at" stamps.

The cookie holds {uid, csrf}; it is signed with the settings' session secret (POSTHANTERING_SECRET_KEY,
or the key generated once into the data directory) and expires after POSTHANTERING_SESSION_MAX_AGE
seconds, checked on every request. The user is reloaded from the database on every request, so a
deactivated user is out at once. Every POST carries the CSRF token (form field or X-CSRF-Token header).
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from services.core.db import session_scope
from services.core.errors import DomainError, Forbidden
from services.core.models import User
from services.core.settings import get_settings
from services.mail.schemas import MAX_HUMAN_SECONDS

COOKIE = "ph_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class LoginRequired(DomainError):
    status_code = 401
    code = "login_required"


class CsrfFailed(DomainError):
    status_code = 403
    code = "csrf_failed"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().session_secret(), salt=salt)


def read_session(request: Request) -> dict[str, Any]:
    """The session's data, or {} when there is no cookie, a forged one, or an expired one."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    try:
        data = _serializer("session").loads(raw, max_age=get_settings().session_max_age_seconds)
    except BadSignature:  # includes SignatureExpired
        return {}
    return data if isinstance(data, dict) else {}


def write_session(request: Request, response: Response, data: dict[str, Any]) -> None:
    response.set_cookie(
        COOKIE,
        _serializer("session").dumps(data),
        max_age=get_settings().session_max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


def csrf_token(request: Request) -> str:
    """The session's CSRF token; a fresh one (stored by `ensure_session_cookie`) when there is none."""
    state = request.state
    if not getattr(state, "csrf", None):
        state.csrf = read_session(request).get("csrf") or secrets.token_urlsafe(24)
    return str(state.csrf)


def ensure_session_cookie(request: Request, response: Response) -> None:
    """Anonymous pages (login) still need a CSRF token bound to the browser: keep it in the cookie."""
    data = read_session(request)
    if data.get("csrf") != csrf_token(request):
        write_session(request, response, {**data, "csrf": csrf_token(request)})


async def check_csrf(request: Request) -> None:
    expected = read_session(request).get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise CsrfFailed("Formuläret saknar en giltig säkerhetstoken. Ladda om sidan och försök igen.")


def current_user(request: Request) -> User:
    """The logged-in user (detached, departments loaded), or LoginRequired."""
    data = read_session(request)
    uid = data.get("uid")
    if not isinstance(uid, int):
        raise LoginRequired("Logga in för att fortsätta.")
    with session_scope() as session:
        user = session.get(User, uid)
        if user is None or not user.active:
            raise LoginRequired("Kontot finns inte längre eller är avstängt.")
        if not session_still_valid(session, user, data):
            raise LoginRequired("Sessionen är avslutad. Logga in igen.")
        _ = user.department_codes
    request.state.user = user
    return user


def session_still_valid(session: Any, user: User, data: dict[str, Any]) -> bool:
    """Not logged out, not ended by logout everywhere / password change / deactivation (issue 9)."""
    from services.users.sessions import session_is_current

    return session_is_current(session, user, data)


def opened_stamp(item_id: int) -> str:
    """A signed 'item opened at' stamp the decision form carries back (human touch time)."""
    return _serializer("opened").dumps({"item": item_id, "t": time.time()})


def human_seconds(stamp: str | None, item_id: int | None = None) -> float:
    """Seconds since the stamp was made; 0 for a missing or forged stamp, capped at a working day."""
    if not stamp:
        return 0.0
    try:
        data = _serializer("opened").loads(stamp, max_age=MAX_HUMAN_SECONDS)
    except BadSignature:
        return 0.0
    if item_id is not None and data.get("item") != item_id:
        return 0.0
    return max(0.0, min(time.time() - float(data.get("t", time.time())), float(MAX_HUMAN_SECONDS)))


def require_role(*roles: str) -> Callable[[Request], User]:
    """A dependency: the logged-in user, who must have one of `roles` (403 otherwise)."""
    allowed = frozenset(roles)

    def dependency(request: Request) -> User:
        user = current_user(request)
        if user.role not in allowed:
            raise Forbidden("Din roll har inte tillgång till den här sidan.")
        return user

    return dependency
