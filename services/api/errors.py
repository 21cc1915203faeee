"""The handlers that render errors as JSON {error, detail, ...extra}: domain errors with their own
status; a database that does not answer as 503 with Retry-After (never a bare 500 or a reset)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError

from services.core.environment import is_environment_error
from services.core.errors import DomainError
from services.core.logging import get_logger

log = get_logger(__name__)

RETRY_AFTER_SECONDS = 30


async def domain_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers: dict[str, str] = {}
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if exc.status_code in (503, 507):
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return JSONResponse(jsonable_encoder(exc.to_dict()), status_code=exc.status_code, headers=headers or None)


async def database_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """OperationalError (server down, connection lost, SQLite busy or full) is the environment's fault."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_environment_error(exc):
        log.warning("storage_unavailable", path=request.url.path, error=type(exc).__name__)
        body = {"error": "insufficient_storage", "detail": "Lagringen är full. Försök igen senare; inget sparades."}
        return JSONResponse(body, status_code=507, headers=headers)
    if isinstance(exc, DBAPIError) and not isinstance(exc, OperationalError) and not exc.connection_invalidated:
        log.error("database_error", path=request.url.path, error=type(exc.orig).__name__)
        body = {"error": "database_error", "detail": "Databasfel. Försök igen; kvarstår felet, kontakta driften."}
        return JSONResponse(body, status_code=500)
    log.warning("database_unavailable", path=request.url.path, error=type(exc).__name__)
    body = {
        "error": "service_unavailable",
        "detail": "Databasen svarar inte just nu. Inget sparades; försök igen om en stund.",
    }
    return JSONResponse(body, status_code=503, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    # RequestValidationError keeps FastAPI's default 422 rendering.
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(DBAPIError, database_error_handler)
