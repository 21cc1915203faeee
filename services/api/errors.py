"""The one handler that renders domain errors as JSON {error, detail, ...extra}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from services.core.errors import DomainError


async def domain_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return JSONResponse(jsonable_encoder(exc.to_dict()), status_code=exc.status_code, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    # RequestValidationError keeps FastAPI's default 422 rendering.
    app.add_exception_handler(DomainError, domain_error_handler)
