"""The registry's form for an envelope that must stay closed (anbud, personligt adresserat): typed
fields from the envelope, an optional photo of it, the department it goes to unopened."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.datastructures import UploadFile

from services.api.ui import texts
from services.api.ui.render import UIRoute, redirect, render
from services.api.ui.session import human_seconds, opened_stamp, require_role
from services.core.db import session_scope
from services.core.errors import DomainError
from services.core.models import User
from services.mail import unopened
from services.mail.service import list_departments
from services.registration.unopened import KINDS
from workers import dispatch

router = APIRouter(route_class=UIRoute)
registry_only = require_role("admin", "registrar")
PATH = "/ui/kuvert"
FORM_ID = 0  # the "opened" stamp of this form (it belongs to no item)


def _departments() -> list[tuple[str, str]]:
    with session_scope() as session:
        return [(d.code, d.name) for d in list_departments(session) if d.routable and d.active]


def _page(request: Request, values: dict[str, Any], error: str | None = None, status_code: int = 200) -> Response:
    return render(
        request,
        "unopened.html",
        status_code=status_code,
        values=values,
        error=error,
        kinds=KINDS,
        departments=_departments(),
        opened=opened_stamp(FORM_ID),
    )


@router.get(PATH, include_in_schema=False)
def form(request: Request, user: User = Depends(registry_only)) -> Response:
    return _page(request, {"kind": "anbud", "channel": "post"})


@router.post(PATH, include_in_schema=False)
async def submit(request: Request, user: User = Depends(registry_only)) -> Response:
    form = await request.form()
    values: dict[str, Any] = {
        name: str(form.get(name) or "") for name in (*unopened.FIELD_NAMES, "department") if name != "secret"
    }
    values["secret"] = {"ja": True, "nej": False}.get(str(form.get("secret") or ""))
    upload = form.get("photo")
    photo = (upload.file, upload.filename) if isinstance(upload, UploadFile) and upload.filename else None
    data = {k: v for k, v in values.items() if v is not None}
    data["human_seconds"] = human_seconds(str(form.get("opened") or ""), FORM_ID)
    try:
        with session_scope() as session:
            item, _ = unopened.register_unopened(session, user, data, photo)
            item_id, state, dept = item.id, str(item.state), item.department_code
    except DomainError as exc:
        if exc.status_code != 422:
            raise
        return _page(request, values, error=texts.error_text(exc.message), status_code=422)
    dispatch.enqueue_for_state(item_id, state)  # the department's notice
    dispatch.enqueue_export(item_id)
    return redirect(
        f"/ui/mail/{item_id}", f"Kuvertet är registrerat som försändelse #{item_id} och skickas oöppnat till {dept}."
    )
