"""Request dependencies: the current user from `Authorization: Bearer <token>`, role checks."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.core.db import session_scope
from services.core.errors import Forbidden, Unauthorized
from services.core.models import User
from services.users import service as users

bearer = HTTPBearer(auto_error=False, description="API token issued with `posthantering users add --token`")


def current_user(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> User:
    """The authenticated user (detached, with its departments loaded); 401 otherwise."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("missing bearer token")
    with session_scope() as session:
        return users.authenticate_token(session, credentials.credentials)


def authenticate_bearer(header: str | None) -> User:
    """The user of a raw `Authorization` header value (the body guard checks it before the body is read)."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing bearer token")
    with session_scope() as session:
        return users.authenticate_token(session, token.strip())


def require_roles(*roles: str) -> Callable[[User], User]:
    allowed = frozenset(roles)

    def dependency(user: User = Depends(current_user)) -> User:
        if user.role not in allowed:
            raise Forbidden(f"role {user.role!r} may not do this; needs one of {', '.join(sorted(allowed))}")
        return user

    return dependency


async def one_file_part(request: Request) -> None:
    """Uploads take exactly one `file` part: two are a 422 (which one was meant?), not a silent pick."""
    form = await request.form()  # already parsed for the route's own File(...) parameter: no second read
    if len(form.getlist("file")) > 1:
        raise RequestValidationError(
            [
                {
                    "loc": ["body", "file"],
                    "msg": "Skicka en fil per begäran (fick flera 'file'-delar).",
                    "type": "too_many",
                }
            ]
        )
