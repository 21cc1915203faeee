"""Login, logout and the start page (which sends each role to its own first page)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request, Response

from services.api.ui.render import UIRoute, redirect, render
from services.api.ui.session import clear_session, current_user, write_session
from services.core.db import session_scope
from services.core.models import User
from services.users import admin as users_admin

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
    response = redirect(_safe_next(next) or HOME.get(role, "/ui/"))
    # A new CSRF token at login, so a token planted before login is worth nothing after it.
    write_session(request, response, {"uid": uid, "csrf": secrets.token_urlsafe(24)})
    return response


@router.post("/ui/logout", include_in_schema=False)
def logout() -> Response:
    response = redirect("/ui/login", "Du är utloggad.")
    clear_session(response)
    return response
