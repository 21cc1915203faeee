"""Flash messages: set by the server on a redirect, shown once on the next full page.

Kept in a short-lived signed cookie, never read from the URL, so a crafted link cannot show a notice.
"""

from __future__ import annotations

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from services.core.settings import get_settings

COOKIE = "ph_flash"
MAX_AGE = 120


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().session_secret(), salt="flash")


def set_flash(response: Response, message: str) -> None:
    response.set_cookie(COOKIE, _serializer().dumps(message[:1500]), max_age=MAX_AGE, httponly=True, samesite="lax")


def pop_flash(request: Request, response: Response) -> None:
    """Clear the flash cookie on `response` if the request carried one."""
    if COOKIE in request.cookies:
        response.delete_cookie(COOKIE)


def read_flash(request: Request) -> str | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        value = _serializer().loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None
