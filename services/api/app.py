"""The FastAPI application. Nothing connects at import: the engine is created on the first request."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from services.api import ui
from services.api.body_guard import BodyGuard
from services.api.errors import install_error_handlers
from services.api.probes import Metrics
from services.api.routes import batches, cases, departments, health, mail, registration, roi, rules, tokens
from services.api.ui_roi import router as roi_dashboard
from services.api.ui_separation import router as batch_pages
from services.core.logging import configure_logging, protect_server_logs
from services.core.settings import get_settings, restrict_file_modes


def create_app() -> FastAPI:
    settings = get_settings()
    # One logging setup for every process: under uvicorn (the compose file's command) too.
    configure_logging(settings.log_level, settings.log_json)
    app = FastAPI(
        title="Posthantering",
        version="0.1.0",
        description="Digital mailroom: scanned mail in, read, classified, routed and metered.",
    )
    protect_server_logs()  # also when run as `uvicorn services.api.app:create_app --factory`
    restrict_file_modes()
    metrics = Metrics()
    app.state.metrics = metrics
    install_error_handlers(app)

    @app.middleware("http")
    async def count_requests(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = request.scope.get("route")
            # The route template, not the raw path, keeps the label set small (/api/v1/mail/{item_id}).
            label = getattr(route, "path", None) or "unmatched"
            metrics.requests.labels(request.method, label, str(status)).inc()
            metrics.latency.labels(request.method, label).observe(time.perf_counter() - started)

    app.include_router(health.router)
    app.include_router(mail.router, prefix="/api/v1")
    app.include_router(departments.router, prefix="/api/v1")
    app.include_router(roi.router, prefix="/api/v1")
    app.include_router(rules.router, prefix="/api/v1")
    app.include_router(cases.router, prefix="/api/v1")
    app.include_router(tokens.router, prefix="/api/v1")
    app.include_router(registration.router, prefix="/api/v1")  # issue 12
    app.include_router(ui.router)
    app.mount("/ui/static", ui.static_files(), name="ui-static")
    app.include_router(roi_dashboard.router)  # /ui/roi
    app.include_router(batches.router, prefix="/api/v1")  # issue 16: batches, separator sheet
    app.include_router(batch_pages.router)  # /ui/buntar
    app.add_middleware(BodyGuard)  # outermost: refuses a body before anything reads it (issue 9)
    return app
