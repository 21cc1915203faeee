"""Templates, the page context every page gets, and the UI's route class (login, CSRF, error pages)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from services.api.ui import present
from services.api.ui.session import LoginRequired, check_csrf, csrf_token, ensure_session_cookie
from services.core.errors import DomainError

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.filters["local_time"] = present.local_time
templates.env.filters["percent"] = present.percent
templates.env.globals.update(
    state_label=lambda s: present.STATE_LABELS.get(s, s),
    role_label=lambda r: present.ROLE_LABELS.get(r, r),
    action_label=lambda a: present.ACTION_LABELS.get(a, a),
    deadline=present.deadline,
)

REGISTRY = ("admin", "registrar")
NAV: list[tuple[str, str, tuple[str, ...]]] = [
    ("/ui/oversikt", "Översikt", REGISTRY),
    ("/ui/ko", "Granskningskö", REGISTRY),
    ("/ui/inkorg", "Inkorg", ("department", "admin")),
    ("/ui/sok", "Sök", ("admin", "registrar", "department")),
    ("/ui/ladda-upp", "Ladda upp", REGISTRY),
    ("/ui/buntar", "Buntar", REGISTRY),  # issue 16
    ("/ui/admin", "Administration", ("admin",)),
    ("/ui/roi", "Besparing (ROI)", ("admin", "registrar", "viewer")),
]
ERROR_TITLES = {
    400: "Felaktig begäran",
    401: "Inloggning krävs",
    403: "Åtkomst nekad",
    404: "Hittades inte",
    409: "Redan ändrad",
    413: "Filen är för stor",
    415: "Filtypen stöds inte",
    422: "Kunde inte genomföras",
}


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    user = getattr(request.state, "user", None)
    nav = [(href, label) for href, label, roles in NAV if user is not None and user.role in roles]
    response = templates.TemplateResponse(
        request,
        template,
        {"user": user, "nav": nav, "csrf": csrf_token(request), "path": request.url.path, **context},
        status_code=status_code,
    )
    ensure_session_cookie(request, response)
    return response


def redirect(url: str, message: str | None = None) -> Response:
    if message:
        url += ("&" if "?" in url else "?") + "msg=" + quote(message)
    return RedirectResponse(url, status_code=303)


def _login_redirect(request: Request) -> Response:
    target = "/ui/login?next=" + quote(request.url.path)
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def error_page(request: Request, exc: DomainError) -> Response:
    title = ERROR_TITLES.get(exc.status_code, "Något gick fel")
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({**exc.to_dict(), "title": title}, status_code=exc.status_code)
    if request.headers.get("hx-request"):
        response = templates.TemplateResponse(
            request, "_error.html", {"title": title, "message": exc.message}, status_code=exc.status_code
        )
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "error.html", status_code=exc.status_code, title=title, message=exc.message)


class UIRoute(APIRoute):
    """Every UI route: POSTs must carry the CSRF token; a missing login redirects to the login page;
    domain errors become an error page with the error's HTTP status (nothing is half done: the
    session scope rolled back before the error got here)."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def ui_handler(request: Request) -> Response:
            try:
                if request.method == "POST":
                    await check_csrf(request)
                return await handler(request)
            except LoginRequired:
                return _login_redirect(request)
            except DomainError as exc:
                return error_page(request, exc)

        return ui_handler
