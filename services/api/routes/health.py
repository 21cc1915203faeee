"""Liveness (/healthz), readiness (/readyz) and Prometheus metrics (no auth)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.api.readiness import readiness

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


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
