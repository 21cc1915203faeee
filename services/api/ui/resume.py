"""After a re-login: the decision that arrived after the session lapsed, ready to be saved (session_clock)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from services.api.ui import session_clock, texts
from services.api.ui.render import UIRoute, redirect, render
from services.api.ui.session import current_user
from services.core.models import User

router = APIRouter(route_class=UIRoute)
WHAT = {
    "fordela": "Fördela",
    "kasta": "Kasta",
    "kvittera": "Kvittera",
    "fel-mottagare": "Skicka tillbaka (fel mottagare)",
}


@router.get("/ui/fortsatt", include_in_schema=False)
def resume(request: Request, user: User = Depends(current_user)) -> Response:
    pending = session_clock.read_pending(request)
    if pending.get("uid") != user.id or not str(pending.get("path", "")).startswith(session_clock.KEEPABLE_PREFIXES):
        response = redirect("/ui/")
        session_clock.drop_pending(response)
        return response
    path = str(pending["path"])
    fields = [(str(k), str(v)) for k, v in pending.get("fields", [])]
    shown = [(k, v) for k, v in fields if k in ("department", "comment", "item_ids")]
    response = render(
        request,
        "resume.html",
        action=path,
        fields=fields,
        shown=shown,
        what=WHAT.get(path.rstrip("/").rsplit("/", 1)[-1], "Beslut"),
    )
    session_clock.drop_pending(response)  # the page's form holds it now
    return response


@router.post("/ui/fortsatt/slang", include_in_schema=False)
def drop(user: User = Depends(current_user)) -> Response:
    response = redirect("/ui/", texts.flash("pending_dropped"))
    session_clock.drop_pending(response)
    return response
