"""The user's own settings: e-mail notices of new inbox mail (none, immediate, daily digest)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request, Response

from services.api.ui import texts
from services.api.ui.render import UIRoute, redirect, render
from services.api.ui.session import current_user
from services.core.db import session_scope
from services.core.models import User
from services.notify import mailer
from services.notify import service as notify

router = APIRouter(route_class=UIRoute)


@router.get("/ui/installningar", include_in_schema=False)
def settings_page(request: Request, user: User = Depends(current_user)) -> Response:
    with session_scope() as session:
        prefs = notify.get_preferences(session, user.id)
    return render(
        request, "preferences.html", prefs=prefs, modes=texts.NOTIFY_MODES, smtp_ready=mailer.smtp_configured()
    )


@router.post("/ui/installningar", include_in_schema=False)
def save_settings(
    request: Request, email: str = Form(""), mode: str = Form("none"), user: User = Depends(current_user)
) -> Response:
    try:
        with session_scope() as session:
            notify.set_preferences(session, user.id, email, mode)
    except notify.InvalidSetting as exc:
        prefs = notify.Preferences(email, mode)
        return render(
            request,
            "preferences.html",
            status_code=422,
            prefs=prefs,
            modes=texts.NOTIFY_MODES,
            smtp_ready=mailer.smtp_configured(),
            error=exc.message,
        )
    return redirect("/ui/installningar", texts.flash("settings_saved"))
