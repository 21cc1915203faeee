"""Login, logout and the start page (which sends each role to its own first page)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request, Response

from services.api.ui.render import UIRoute, redirect, render
from services.api.ui.session import clear_session, current_user, read_session, write_session
from services.core.db import session_scope
from services.core.models import User
from services.users import admin as users_admin
from services.users import sessions

router = APIRouter(route_class=UIRoute)

HOME = {"admin": "/ui/oversikt", "registrar": "/ui/oversikt", "department": "/ui/inkorg", "viewer": "/ui/roi"}


def _safe_next(target: str | None) -> str | None:
    return target if target and target.startswith("/ui/") and not target.startswith("//") else None


@router.get("/ui", include_in_schema=False)
@router.get("/ui/", include_in_schema=False)
def home(user: User = Depends(current_user)) -> Response:
    return redirect(HOME.get(user.role, "/ui/login"))


@router.get("/ui/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None, msg: str | None = None) -> Response:
    return render(request, "login.html", next=_safe_next(next) or "", message=msg)


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.post("/ui/login", include_in_schema=False)
def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("")) -> Response:
    address = _address(request)
    with session_scope() as session:
        wait = sessions.retry_after(session, username, address)
        if wait:
            sessions.login_refused(session, username, address, wait)
    if wait:
        response = render(
            request,
            "login.html",
            status_code=429,
            next=_safe_next(next) or "",
            error=f"För många misslyckade inloggningar. Försök igen om {wait} sekunder.",
            username=username,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    with session_scope() as session:
        user = users_admin.login(session, username, password)
        role = user.role if user else None
        data = sessions.login_succeeded(session, user, address) if user else None
        if user is None:
            sessions.login_failed(session, username, address)
    if data is None or role is None:
        return render(
            request,
            "login.html",
            status_code=401,
            next=_safe_next(next) or "",
            error="Fel användarnamn eller lösenord.",
            username=username,
        )
    response = redirect(_safe_next(next) or HOME.get(role, "/ui/"))
    # A new CSRF token at login, so a token planted before login is worth nothing after it.
    write_session(request, response, {**data, "csrf": secrets.token_urlsafe(24)})
    return response


@router.post("/ui/logout", include_in_schema=False)
def logout(request: Request) -> Response:
    data = read_session(request)
    with session_scope() as session:
        uid = data.get("uid")
        user = session.get(User, uid) if isinstance(uid, int) else None
        sessions.end_session(session, user, data, _address(request))
    response = redirect("/ui/login", "Du är utloggad.")
    clear_session(response)
    return response


@router.post("/ui/logout-overallt", include_in_schema=False)
def logout_everywhere(request: Request, user: User = Depends(current_user)) -> Response:
    """End every session of the user: on this and every other computer."""
    with session_scope() as session:
        me = session.get(User, user.id)
        if me is not None:
            sessions.end_all_sessions(session, me)
    response = redirect("/ui/login", "Du är utloggad på alla enheter.")
    clear_session(response)
    return response
