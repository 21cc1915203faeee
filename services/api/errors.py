"""The handlers that render errors as JSON: domain errors as {error, detail, ...extra}; a number too large
for the database (2^63 and more, in a path, a query or a body) as a 422 shaped like FastAPI's own
validation errors; and the OpenAPI document says which 422 body each operation can send."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.utils import (
    get_openapi,
    validation_error_definition,
    validation_error_response_definition,
)
from fastapi.responses import JSONResponse

from services.core.errors import DomainError


async def domain_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return JSONResponse(jsonable_encoder(exc.to_dict()), status_code=exc.status_code, headers=headers)


async def overflow_handler(_request: Request, exc: Exception) -> JSONResponse:
    """SQLite refuses integers of 2^63 and more when binding them: the request's number, not a server fault."""
    detail = [{"loc": ["request"], "msg": "Talet är för stort (högst 9223372036854775807).", "type": "too_large"}]
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
    app.add_exception_handler(OverflowError, overflow_handler)

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
