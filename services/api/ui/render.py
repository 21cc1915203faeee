"""Templates, the page context every page gets, and the UI's route class (login, CSRF, error pages)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from services.api.ui import flash, present, session_clock, texts
from services.api.ui.session import (
    COOKIE,
    CSRF_FIELD,
    LoginRequired,
    check_csrf,
    csrf_token,
    ensure_session_cookie,
    read_lapsed_session,
    read_session,
    write_session,
)
from services.core.errors import DomainError
from services.core.settings import get_settings

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.filters["local_time"] = present.local_time
templates.env.filters["percent"] = present.percent
templates.env.globals.update(
    state_label=lambda s: texts.STATE_LABELS.get(s, s),
    role_label=lambda r: texts.ROLE_LABELS.get(r, r),
    action_label=lambda a: texts.ACTION_LABELS.get(a, a),
    channel_label=lambda c: texts.CHANNEL_LABELS.get(c, c),
    doc_type_label=texts.doc_type_label,
    state_reason=texts.state_reason,
    deadline=present.deadline,
    row=present.row,
)

REGISTRY = ("admin", "registrar")
NAV: list[tuple[str, str, tuple[str, ...]]] = [
    ("/ui/oversikt", "Översikt", REGISTRY),
    ("/ui/ko", "Granskningskö", REGISTRY),
    ("/ui/inkorg", "Inkorg", ("department", "admin")),
    ("/ui/sok", "Sök", ("admin", "registrar", "department")),
    ("/ui/ladda-upp", "Ladda upp", REGISTRY),
    ("/ui/kuvert", "Oöppnat kuvert", REGISTRY),  # issue 12
    ("/ui/buntar", "Buntar", REGISTRY),  # issue 16
    ("/ui/admin", "Administration", ("admin",)),
    ("/ui/roi", "Besparing (ROI)", ("admin", "registrar", "viewer")),
    ("/ui/installningar", "Inställningar", ("department", "admin", "registrar")),
]
ERROR_TITLES = texts.ERROR_TITLES


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    user = getattr(request.state, "user", None)
    nav = [(href, label) for href, label, roles in NAV if user is not None and user.role in roles]
    full_page = not template.startswith("_")
    if full_page and not context.get("message"):
        context["message"] = flash.read_flash(request)
    data = read_session(request) if user is not None else {}
    session_info = {
        "seconds_left": session_clock.seconds_left(session_clock.touch(data)) if data else 0,
        "warn": get_settings().session_warn_seconds,
    }
    response = templates.TemplateResponse(
        request,
        template,
        {"user": user, "nav": nav, "csrf": csrf_token(request), "path": request.url.path, "session": session_info}
        | context,
        status_code=status_code,
    )
    ensure_session_cookie(request, response)
    if full_page:
        flash.pop_flash(request, response)
    return response


def redirect(url: str, message: str | None = None) -> Response:
    response = RedirectResponse(url, status_code=303)
    if message:
        flash.set_flash(response, message)
    return response


def _page_of(request: Request) -> str:
    """The page to come back to after login: for an htmx fragment, the page that asked for it."""
    path = request.url.path
    if request.headers.get("hx-request") or path in session_clock.PARTIAL_PATHS:
        current = urlsplit(request.headers.get("hx-current-url", ""))
        path = current.path if current.path.startswith("/ui/") else "/ui/"
        if path in session_clock.PARTIAL_PATHS:
            path = "/ui/"
    return path


def _login_redirect(request: Request) -> Response:
    target = "/ui/login?next=" + quote(_page_of(request))
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _keep_late_decision(request: Request) -> Response | None:
    """A POST after the session lapsed: keep it for the next login if it is the browser's own form."""
    path = request.url.path
    if not path.startswith(session_clock.KEEPABLE_PREFIXES) or read_session(request).get("uid"):
        return None
    lapsed = read_lapsed_session(request)
    if not lapsed:
        return None
    form = await request.form()
    sent = request.headers.get("x-csrf-token") or form.get(CSRF_FIELD)
    if not isinstance(sent, str) or sent != lapsed.get("csrf"):
        return None
    fields = [(k, v) for k, v in form.multi_items() if k != CSRF_FIELD and isinstance(v, str)]
    response = redirect("/ui/login?next=/ui/fortsatt", texts.flash("session_saved"))
    if not session_clock.keep_pending(response, int(lapsed["uid"]), path, fields):
        return None
    return response


def _touch_session(request: Request, response: Response) -> None:
    """Activity extends the idle time (not the overview's poll, and not when the route wrote the
    session cookie itself: login, logout)."""
    if request.url.path in session_clock.PASSIVE_PATHS:
        return
    if any(h.startswith(COOKIE + "=") for h in response.headers.getlist("set-cookie")):
        return
    data = read_session(request)
    step = min(5.0, get_settings().session_idle_seconds / 10)  # no new cookie on every click
    if data.get("uid") and time.time() - float(data.get("seen", 0)) > step:
        write_session(request, response, session_clock.touch(data))


def error_page(request: Request, exc: DomainError) -> Response:
    title = ERROR_TITLES.get(exc.status_code, "Något gick fel")
    message = texts.error_text(exc.message, exc.status_code)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({**exc.to_dict(), "detail": message, "title": title}, status_code=exc.status_code)
    if request.headers.get("hx-request"):
        response = templates.TemplateResponse(
            request, "_error.html", {"title": title, "message": message}, status_code=exc.status_code
        )
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "error.html", status_code=exc.status_code, title=title, message=message)


class UIRoute(APIRoute):
    """Every UI route: POSTs must carry the CSRF token; a missing login redirects to the login page
    (keeping a decision that arrived after the session lapsed); domain errors become an error page with
    the error's HTTP status (nothing is half done: the session scope rolled back before the error got
    here). Each request by the user extends the session's idle time."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def ui_handler(request: Request) -> Response:
            started = time.perf_counter()
            response = await _handle(request)
            # The server's time for this request, readable in the browser (and by the keystroke test).
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
            return response

        async def _handle(request: Request) -> Response:
            try:
                if request.method == "POST":
                    kept = await _keep_late_decision(request)
                    if kept is not None:
                        return kept
                    if read_lapsed_session(request):
                        raise LoginRequired("Inloggningen har gått ut.")
                    await check_csrf(request)
                response = await handler(request)
            except LoginRequired:
                return _login_redirect(request)
            except DomainError as exc:
                return error_page(request, exc)
            _touch_session(request, response)
            return response

        return ui_handler
