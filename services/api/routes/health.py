"""Liveness/readiness and Prometheus metrics (no auth)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.api.probes import check_database

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> JSONResponse:
    ok = check_database()
    return JSONResponse(
        {"status": "ok" if ok else "degraded", "database": "ok" if ok else "error"},
        status_code=200 if ok else 503,
    )


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
