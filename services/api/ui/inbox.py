"""The department inbox: new (routed) and acknowledged mail of the user's departments."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from services.api.ui.render import UIRoute, render
from services.api.ui.session import require_role
from services.core.db import session_scope
from services.core.models import User
from services.mail import service as mail

router = APIRouter(route_class=UIRoute)
TABS = {"nya": ("routed", "Nya"), "kvitterade": ("acknowledged", "Kvitterade")}


@router.get("/ui/inkorg", include_in_schema=False)
def inbox(
    request: Request,
    visa: str = "nya",
    avdelning: str | None = None,
    user: User = Depends(require_role("department", "admin")),
) -> Response:
    tab = visa if visa in TABS else "nya"
    with session_scope() as session:
        counts = {
            key: mail.list_items(session, user, state, avdelning or None, limit=1)[1]
            for key, (state, _) in TABS.items()
        }
        items, total = mail.list_items(session, user, TABS[tab][0], avdelning or None, limit=200)
        departments = {d.code: d.name for d in mail.list_departments(session, include_inactive=True)}
    mine = sorted(user.department_codes) if user.role == "department" else []
    return render(
        request,
        "inbox.html",
        tab=tab,
        tabs=TABS,
        counts=counts,
        items=items,
        total=total,
        departments=departments,
        mine=mine,
        avdelning=avdelning or "",
    )
