"""Liveness (/healthz) and readiness (/readyz), no auth; Prometheus metrics (a token when
POSTHANTERING_METRICS_TOKEN is set)."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.api.readiness import readiness
from services.core.settings import get_settings

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> JSONResponse:
    """Liveness: the process answers. Whether it can make progress is /readyz."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
def readyz() -> JSONResponse:
    """Readiness: database, broker, blob store space, live workers per queue, work moving; 503 if not."""
    ready, body = readiness()
    return JSONResponse(body, status_code=200 if ready else 503, headers=None if ready else {"Retry-After": "30"})


@router.get("/metrics", response_class=Response, responses={401: {"description": "POSTHANTERING_METRICS_TOKEN is set"}})
def metrics(request: Request) -> Response:
    """Prometheus metrics; with POSTHANTERING_METRICS_TOKEN set, only with `Authorization: Bearer <it>`."""
    expected = get_settings().metrics_token
    if expected:
        sent = request.headers.get("authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {expected}".encode()):
            return JSONResponse(
                {"error": "unauthorized", "detail": "metrics need the metrics token"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
