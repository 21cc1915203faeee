"""GET /ui/roi: the savings dashboard for admins, registrars and viewers, with its CSV/JSON/PDF exports.

Authentication: the web UI's session cookie (services/api/ui/session.py) or, for scripts and before a
login exists, `Authorization: Bearer <token>`. The export links on the page point at /ui/roi/report.*
so that they work with the same session as the page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.security import HTTPAuthorizationCredentials

from services.api import deps
from services.api.ui.render import NAV
from services.api.ui.session import LoginRequired, csrf_token, ensure_session_cookie
from services.api.ui.session import current_user as session_user
from services.api.ui_roi.render import render_dashboard
from services.core.db import session_scope
from services.core.errors import Forbidden
from services.core.models import User
from services.metering import service
from services.metering.export import report_csv
from services.metering.onepager import report_pdf

router = APIRouter(prefix="/ui/roi", tags=["ui"], include_in_schema=False)

READERS = frozenset({"admin", "registrar", "viewer"})


def _from_day() -> Any:
    return Query(None, alias="from")


def _to_day() -> Any:
    return Query(None, alias="to")


def page_user(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(deps.bearer)) -> User:
    """The session's user, else the bearer token's; one of the READERS roles."""
    try:
        user = session_user(request)
    except LoginRequired:
        if credentials is None:
            raise
        user = deps.current_user(credentials)
    if user.role not in READERS:
        raise Forbidden(f"role {user.role!r} may not see the savings report")
    return user


def page_context(request: Request, user: User) -> dict[str, Any]:
    """What base.html needs: the user, the menu for their role, the CSRF token (for "Logga ut"), the path."""
    nav = [(href, label) for href, label, roles in NAV if user.role in roles]
    return {"user": user, "nav": nav, "csrf": csrf_token(request), "path": request.url.path}


def _file_name(report: dict[str, Any], ext: str) -> str:
    period = report["period"]
    return f"roi-{period['from'] or 'start'}-{period['to'] or 'nu'}-v{report['model_version']}.{ext}"


@router.get("", response_class=HTMLResponse)
def roi_dashboard(
    request: Request,
    date_from: date | None = _from_day(),
    date_to: date | None = _to_day(),
    user: User = Depends(page_user),
) -> Any:
    with session_scope() as session:
        report = service.roi_report(session, date_from, date_to)
        model = service.get_model(session)
    response = HTMLResponse(render_dashboard(report, model, export_base="/ui/roi", page=page_context(request, user)))
    ensure_session_cookie(request, response)
    return response


@router.get("/report.pdf")
def roi_pdf(
    date_from: date | None = _from_day(), date_to: date | None = _to_day(), _user: User = Depends(page_user)
) -> Response:
    with session_scope() as session:
        report = service.roi_report(session, date_from, date_to)
        model = service.get_model(session)
    return Response(
        report_pdf(report, model),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{_file_name(report, "pdf")}"'},
    )


@router.get("/report.json")
def roi_json(
    date_from: date | None = _from_day(), date_to: date | None = _to_day(), _user: User = Depends(page_user)
) -> Any:
    with session_scope() as session:
        return service.roi_report(session, date_from, date_to)


@router.get("/report.csv")
def roi_csv(
    date_from: date | None = _from_day(), date_to: date | None = _to_day(), _user: User = Depends(page_user)
) -> Response:
    with session_scope() as session:
        report = service.roi_report(session, date_from, date_to)
    return Response(
        report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_file_name(report, "csv")}"'},
    )
