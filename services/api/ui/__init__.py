"""The web UI for registry and department staff: server-rendered pages (Jinja2 + htmx) under /ui.

Mounted by services.api.app with `app.include_router(ui.router)` and
`app.mount("/ui/static", ui.static_files(), name="ui-static")`. Routes call the same services as the
JSON API; sessions, CSRF and error pages live in session.py and render.py.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from services.api.ui import admin, auth, inbox, items, preferences, registration, registry, resume, unopened

STATIC = Path(__file__).resolve().parents[1] / "static"

router = APIRouter()
for _module in (auth, registry, items, inbox, admin, resume, preferences, registration, unopened):
    router.include_router(_module.router)


def static_files() -> StaticFiles:
    return StaticFiles(directory=str(STATIC))
