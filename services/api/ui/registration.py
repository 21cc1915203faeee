"""The validation station on the item page: the proposed registration record beside the page image.

`_registration.html` (included by item.html) loads the panel from here with htmx. Each field shows
its value, confidence and the text it came from; fields below the confidence threshold are marked.
Tab moves field to field; Enter confirms (one keystroke when every field is right).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse

from services.api.ui.render import UIRoute, redirect, render
from services.api.ui.session import current_user, human_seconds, opened_stamp
from services.core.db import session_scope
from services.core.models import User
from services.core.settings import get_settings
from services.mail import permissions
from services.mail import registration as reg
from workers import dispatch

router = APIRouter(route_class=UIRoute)

LABELS = {
    "sender_name": "Avsändare (namn)",
    "sender_org": "Avsändare (organisation)",
    "sender_kind": "Avsändartyp",
    "sender_address": "Avsändarens adress",
    "sender_id": "Person-/organisationsnummer",
    "letter_date": "Brevets datum",
    "subject": "Ärendemening",
    "their_ref": "Er referens",
    "our_dnr": "Vårt diarienummer",
    "recipient_unit": "Mottagare",
    "secrecy_regulation": "Sekretessgrund",
    "public_subject": "Ärendemening (offentlig form)",
}
KINDS = {"person": "Privatperson", "company": "Företag", "association": "Förening", "authority": "Myndighet"}


@router.get("/ui/mail/{item_id}/registrering", include_in_schema=False)
def panel(request: Request, item_id: int, user: User = Depends(current_user)) -> Response:
    with session_scope() as session:
        item, rec = reg.find_record(session, user, item_id)
        if rec is None:
            return HTMLResponse(
                '<h2>Registrering</h2><p class="muted" id="registration-pending">'
                "Registreringsförslaget skapas när försändelsen har lästs och fördelats.</p>"
            )
        data = reg.as_dict(item, rec)
        stamp = reg.stamp(rec)
        registry = permissions.can_route(user)
        deliveries = reg.deliveries(session, item_id) if registry else []
    low = get_settings().registration_low_confidence
    rows = []
    for name, label in LABELS.items():
        f = data["fields"].get(name) or {"value": "", "confidence": 0.0, "source": ""}
        rows.append(
            {
                "name": name,
                "label": label,
                "value": f.get("value", ""),
                "confidence": float(f.get("confidence") or 0.0),
                "source": f.get("source") or "",
                "low": float(f.get("confidence") or 0.0) < low,
            }
        )
    return render(
        request,
        "_registration_panel.html",
        item_id=item_id,
        reg=data,
        rows=rows,
        kinds=KINDS,
        stamp=stamp,
        can_edit=registry and data["status"] != "confirmed",
        can_resend=registry and data["export"]["can_resend"],
        deliveries=deliveries[-10:],
        opened=opened_stamp(item_id),
    )


@router.post("/ui/mail/{item_id}/registrering", include_in_schema=False)
async def save(request: Request, item_id: int, user: User = Depends(current_user)) -> Response:
    form = await request.form()
    fields = {name: str(form.get(name, "")) for name in LABELS if name in form}
    changes = {
        "fields": fields,
        "arrival_date": str(form.get("arrival_date") or "") or None,
        "arrival_reason": str(form.get("arrival_reason") or "") or None,
        "secret": form.get("secret") == "ja",
        "do_not_open": form.get("do_not_open") == "ja",
    }
    confirm = form.get("action", "confirm") == "confirm"
    seconds = human_seconds(str(form.get("opened") or ""), item_id)
    with session_scope() as session:
        if confirm:
            reg.confirm_record(session, user, item_id, changes, seconds)
        else:
            reg.update_record(session, user, item_id, changes)
    if confirm:
        dispatch.enqueue_export(item_id)
        return redirect(f"/ui/mail/{item_id}", f"Registreringen för försändelse #{item_id} är bekräftad.")
    return redirect(f"/ui/mail/{item_id}", "Registreringen är sparad.")


@router.post("/ui/mail/{item_id}/registrering/skicka-igen", include_in_schema=False)
def resend(item_id: int, user: User = Depends(current_user)) -> Response:
    """Registry: send an export that was given up to the diarium again."""
    with session_scope() as session:
        reg.resend_export(session, user, item_id)
    dispatch.enqueue_export(item_id)
    return redirect(f"/ui/mail/{item_id}", f"Exporten av försändelse #{item_id} skickas igen.")
