"""The handlers that render errors as JSON: domain errors as {error, detail, ...extra}; a database that
does not answer as 503 with Retry-After (never a bare 500 or a reset), a full disk as 507; a number too
large for the database (2^63 and more, in a path, a query or a body) as a 422 shaped like FastAPI's own
validation errors; and the OpenAPI document says which 422 body each operation can send."""

from __future__ import annotations

import decimal
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.utils import (
    get_openapi,
    validation_error_definition,
    validation_error_response_definition,
)
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


def database_error_response(path: str, exc: Exception) -> tuple[int, dict[str, str], dict[str, str]]:
    """(status, body, headers) for a database error: a full disk 507, the database away 503 (both with
    Retry-After), anything else 500. Shared with the body guard, which meets the database first."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_environment_error(exc):
        log.warning("storage_unavailable", path=path, error=type(exc).__name__)
        return (
            507,
            {"error": "insufficient_storage", "detail": "Lagringen är full. Försök igen senare; inget sparades."},
            headers,
        )
    if isinstance(exc, DBAPIError) and not isinstance(exc, OperationalError) and not exc.connection_invalidated:
        log.error("database_error", path=path, error=type(exc.orig).__name__)
        return (
            500,
            {"error": "database_error", "detail": "Databasfel. Försök igen; kvarstår felet, kontakta driften."},
            {},
        )
    log.warning("database_unavailable", path=path, error=type(exc).__name__)
    body = {
        "error": "service_unavailable",
        "detail": "Databasen svarar inte just nu. Inget sparades; försök igen om en stund.",
    }
    return 503, body, headers


async def database_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """OperationalError (server down, connection lost, SQLite busy or full) is the environment's fault."""
    status, body, headers = database_error_response(request.url.path, exc)
    return JSONResponse(body, status_code=status, headers=headers or None)


async def overflow_handler(_request: Request, exc: Exception) -> JSONResponse:
    """A number from the request too large to store or compute with (SQLite refuses integers of 2^63 and more;
    decimal arithmetic on 1e308 is an invalid operation): the request's fault, not the server's."""
    detail = [{"loc": ["request"], "msg": "Ett tal i begäran är för stort.", "type": "too_large"}]
    return JSONResponse({"detail": detail}, status_code=422)


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error", "detail"],
    "properties": {"error": {"type": "string"}, "detail": {"type": "string"}},
    "additionalProperties": True,
}


def install_error_handlers(app: FastAPI) -> None:
    # RequestValidationError keeps FastAPI's default 422 rendering.
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(DBAPIError, database_error_handler)
    for kind in (OverflowError, decimal.InvalidOperation, decimal.Overflow):
        app.add_exception_handler(kind, overflow_handler)

    def openapi() -> dict[str, Any]:
        """FastAPI's document, with every 422 saying it is either a validation error or a domain error."""
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Error"] = ERROR_SCHEMA
        components.setdefault("ValidationError", validation_error_definition)
        components.setdefault("HTTPValidationError", validation_error_response_definition)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.get("responses", {})
                documented = responses.get("422", {}).get("content", {}).get("application/json", {}).get("schema")
                options = [documented or {"$ref": "#/components/schemas/HTTPValidationError"}]
                options.append({"$ref": "#/components/schemas/Error"})
                responses["422"] = {
                    "description": responses.get("422", {}).get("description", "Validation or domain error"),
                    "content": {"application/json": {"schema": {"anyOf": options}}},
                }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
