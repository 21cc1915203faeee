"""Login, logout and the start page (which sends each role to its own first page)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request, Response

from services.api.ui import session_clock, texts
from services.api.ui.render import UIRoute, redirect, render
from services.api.ui.session import clear_session, current_user, read_session, write_session
from services.core.db import session_scope
from services.core.models import User
from services.users import admin as users_admin

router = APIRouter(route_class=UIRoute)

HOME = {"admin": "/ui/oversikt", "registrar": "/ui/oversikt", "department": "/ui/inkorg", "viewer": "/ui/roi"}


def _safe_next(target: str | None) -> str | None:
    if not target or not target.startswith("/ui/") or target.startswith("//"):
        return None
    if target.split("?", 1)[0] in session_clock.PARTIAL_PATHS:  # a fragment is no page to land on
        return None
    return target


@router.get("/", include_in_schema=False)
def root() -> Response:
    """http://host:8000/ opens the UI (its start page sends each role on, or to the login page)."""
    return redirect("/ui/")


@router.get("/ui/session", include_in_schema=False)
def session_status(request: Request, user: User = Depends(current_user)) -> Response:
    """Seconds left of the session, for the expiry warning (a passive request: does not extend it)."""
    from fastapi.responses import JSONResponse

    return JSONResponse({"seconds_left": session_clock.seconds_left(read_session(request))})


@router.post("/ui/session/forlang", include_in_schema=False)
def extend_session(request: Request, user: User = Depends(current_user)) -> Response:
    """ "Fortsätt arbeta": any request by the user extends the idle time (UIRoute touches the session)."""
    from fastapi.responses import JSONResponse

    data = session_clock.touch(read_session(request))
    response = JSONResponse({"seconds_left": session_clock.seconds_left(data)})
    write_session(request, response, data)
    return response


@router.get("/ui", include_in_schema=False)
@router.get("/ui/", include_in_schema=False)
def home(user: User = Depends(current_user)) -> Response:
    return redirect(HOME.get(user.role, "/ui/login"))


@router.get("/ui/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", next=_safe_next(next) or "")


@router.post("/ui/login", include_in_schema=False)
def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("")) -> Response:
    with session_scope() as session:
        user = users_admin.login(session, username, password)
        role = user.role if user else None
        uid = user.id if user else None
    if uid is None or role is None:
        return render(
            request,
            "login.html",
            status_code=401,
            next=_safe_next(next) or "",
            error="Fel användarnamn eller lösenord.",
            username=username,
        )
    target = _safe_next(next) or HOME.get(role, "/ui/")
    if session_clock.read_pending(request).get("uid") == uid:
        target = "/ui/fortsatt"  # a decision made after the last session lapsed waits to be saved
    response = redirect(target)
    # A new CSRF token at login, so a token planted before login is worth nothing after it.
    fresh = {"uid": uid, "csrf": secrets.token_urlsafe(24)}
    write_session(request, response, session_clock.stamp_login(fresh))
    return response


@router.post("/ui/logout", include_in_schema=False)
def logout() -> Response:
    response = redirect("/ui/login", texts.flash("logged_out"))
    clear_session(response)
    return response
