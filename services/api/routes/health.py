"""Liveness/readiness (no auth) and Prometheus metrics (a token when POSTHANTERING_METRICS_TOKEN is set)."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.api.probes import check_database
from services.core.settings import get_settings

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> JSONResponse:
    ok = check_database()
    return JSONResponse(
        {"status": "ok" if ok else "degraded", "database": "ok" if ok else "error"},
        status_code=200 if ok else 503,
    )


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
