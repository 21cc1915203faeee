"""Refuse a request body before reading it: who sends it, and how big it says it is.

A pure ASGI middleware, in front of everything else. For the upload endpoints (``POST /api/v1/mail``,
``POST /ui/ladda-upp``, ``POST /api/v1/cases/import``) it checks the bearer token or the UI session
and the role first: an unauthenticated 1 GiB upload is answered 401/403 without one byte of its body
read, so nothing is spooled to disk. Then every request with a body: a declared ``Content-Length``
above the route's limit is answered 413 at once; a body without a length (chunked) is counted while
it streams and stopped with 413 when it passes the limit. The routes still do their own checks; this
only makes the refusal early and cheap.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.core.errors import DomainError, Forbidden, Unauthorized
from services.core.settings import get_settings

# Room for the multipart framing around the file (boundaries, part headers, the file name).
MULTIPART_SLACK = 64 * 1024
# Bodies of every other route (JSON, forms) are small.
DEFAULT_BODY_LIMIT = 1024 * 1024
CASE_IMPORT_LIMIT = 20 * 1024 * 1024 + MULTIPART_SLACK
REGISTRY = frozenset({"admin", "registrar"})


@dataclass(frozen=True)
class Guard:
    kind: str  # "api" (bearer token) or "ui" (session cookie)
    roles: frozenset[str]
    limit: Callable[[], int]


def _upload_limit() -> int:
    return get_settings().max_upload_bytes + MULTIPART_SLACK


GUARDED: dict[tuple[str, str], Guard] = {
    ("POST", "/api/v1/mail"): Guard("api", REGISTRY, _upload_limit),
    ("POST", "/ui/ladda-upp"): Guard("ui", REGISTRY, _upload_limit),
    ("POST", "/ui/kuvert"): Guard("ui", REGISTRY, _upload_limit),  # issue 12: an optional envelope photo
    ("POST", "/api/v1/cases/import"): Guard("api", frozenset({"admin"}), lambda: CASE_IMPORT_LIMIT),
}


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes its limit (FastAPI lets HTTPException through)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_text(limit))


def too_large_text(limit: int) -> str:
    return f"Filen är för stor: gränsen är {limit / (1024 * 1024):.0f} MB."


def _check_api(request: Request, roles: frozenset[str]) -> None:
    from services.api.deps import authenticate_bearer

    user = authenticate_bearer(request.headers.get("authorization"))
    if user.role not in roles:
        raise Forbidden(f"Rollen {user.role!r} får inte göra detta.")


def _check_ui(request: Request, roles: frozenset[str]) -> None:
    from services.api.ui.session import current_user

    user = current_user(request)  # LoginRequired (401) when there is no valid session
    if user.role not in roles:
        raise Forbidden("Din roll har inte tillgång till den här sidan.")


async def _send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    head = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(raw)).encode()),
        (b"connection", b"close"),
    ]
    head += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": raw})


class BodyGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        guard = GUARDED.get((scope["method"], scope["path"].rstrip("/") or "/"))
        limit = guard.limit() if guard else DEFAULT_BODY_LIMIT
        request = Request(scope)
        if guard is not None:
            check = _check_api if guard.kind == "api" else _check_ui
            try:
                await run_in_threadpool(check, request, guard.roles)
            except DomainError as exc:
                headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
                await _send_json(send, exc.status_code, exc.to_dict(), headers)
                return
            except DBAPIError as exc:  # the database is away (issue 10): 503 + Retry-After, not a bare 500
                from services.api.errors import database_error_response

                status, body, db_headers = database_error_response(scope["path"], exc)
                await _send_json(send, status, body, db_headers)
                return
        declared = request.headers.get("content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await _send_json(send, 400, {"error": "bad_request", "detail": "Ogiltig Content-Length."})
                return
            if length > limit:
                await _send_json(send, 413, {"error": "payload_too_large", "detail": too_large_text(limit)})
                return
        await _run_counted(self.app, scope, receive, send, limit)


async def _run_counted(app: ASGIApp, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    """Run the app with a receive that stops at `limit` bytes; whatever the app then answers becomes 413."""
    seen = 0
    over = False
    answered = False

    async def counted() -> Message:
        nonlocal seen, over
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                over = True
                raise BodyTooLarge(limit)
        return message

    async def guarded_send(message: Message) -> None:
        nonlocal answered
        if not over:
            answered = answered or message["type"] == "http.response.start"
            await send(message)
        elif not answered:  # the body parser turned our stop into its own error: answer 413 instead
            answered = True
            await _send_json(send, 413, {"error": "payload_too_large", "detail": too_large_text(limit)})

    try:
        await app(scope, counted, guarded_send)
    except Exception:
        if not over or answered:
            raise
    if over and not answered:
        await _send_json(send, 413, {"error": "payload_too_large", "detail": too_large_text(limit)})
