"""Registration endpoints: the record of an item (view, edit, confirm), its ERMS XML, and the list of
records for a daily import into the diarium. The export is delivered after the confirm's commit."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from services.api.deps import current_user
from services.core.db import session_scope
from services.core.models import User
from services.mail import permissions, unopened
from services.mail import registration as reg
from workers import dispatch

router = APIRouter(tags=["registration"])


class RegistrationIn(BaseModel):
    fields: dict[str, str] = Field(default_factory=dict, description="field name -> corrected value")
    arrival_date: str | None = None
    arrival_reason: str | None = None
    secret: bool | None = None
    do_not_open: bool | None = None
    confirm: bool = False
    human_seconds: float = 0.0


class UnopenedIn(BaseModel):
    """An envelope that must stay closed, as the registrar reads it."""

    department: str = Field(description="the department it is forwarded to, unopened (code, e.g. KS)")
    kind: str = Field("anbud", description="anbud | personligt | annat")
    subject: str = Field("", description='ärendemening, e.g. "Anbud – Snöröjning 2026–2028"')
    procurement: str = Field("", description='a tender\'s procurement: the subject becomes "Anbud – <this>"')
    sender_name: str = ""
    sender_org: str = ""
    sender_kind: str = Field("", description="person | company | association | authority")
    sender_address: str = ""
    sender_id: str = ""
    letter_date: str = ""
    their_ref: str = ""
    our_dnr: str = ""
    recipient_unit: str = Field("", description="the person or unit the envelope is addressed to")
    secret: bool | None = Field(None, description="default: a tender is secret (OSL 19 kap. 3 §)")
    secrecy_regulation: str = ""
    secrecy_why: str = ""
    public_subject: str = ""
    channel: str = Field("post", description="post | mailbox (FL 22 §: the previous working day)")
    arrival_date: str = Field("", description="another arrival date than the rule's, with arrival_reason")
    arrival_reason: str = ""
    human_seconds: float = 0.0


@router.post("/registrations/unopened", status_code=201)
def register_unopened(body: UnopenedIn, user: User = Depends(current_user)) -> dict[str, Any]:
    """Registry: register an envelope that must stay closed from typed fields only (no scan, no OCR);
    it is routed unopened to the department, its registration confirmed and its export pending."""
    with session_scope() as session:
        item, rec = unopened.register_unopened(session, user, body.model_dump(exclude_none=True))
        out = {"id": item.id, "state": item.state, "department": item.department_code,
               "registration": reg.as_dict(item, rec)}  # fmt: skip
    dispatch.enqueue_for_state(out["id"], str(out["state"]))  # the department's notice
    dispatch.enqueue_export(out["id"])
    return out


@router.get("/mail/{item_id}/registration")
def get_registration(item_id: int, user: User = Depends(current_user)) -> dict[str, Any]:
    with session_scope() as session:
        item, rec = reg.get_record(session, user, item_id)
        out = reg.as_dict(item, rec)
        if permissions.can_route(user):
            out["deliveries"] = reg.deliveries(session, item_id)  # the export delivery log
        return out


def _save(item_id: int, body: RegistrationIn, user: User, confirm: bool) -> dict[str, Any]:
    changes = body.model_dump(exclude={"confirm", "human_seconds"})
    with session_scope() as session:
        if confirm:
            reg.confirm_record(session, user, item_id, changes, body.human_seconds)
        else:
            reg.update_record(session, user, item_id, changes)
        item, rec = reg.get_record(session, user, item_id)
        out = reg.as_dict(item, rec)
    if confirm:
        dispatch.enqueue_export(item_id)
    return out


@router.put("/mail/{item_id}/registration")
def edit_registration(item_id: int, body: RegistrationIn, user: User = Depends(current_user)) -> dict[str, Any]:
    """Registry: correct fields (and confirm with "confirm": true)."""
    return _save(item_id, body, user, body.confirm)


@router.post("/mail/{item_id}/registration/confirm")
def confirm_registration(
    item_id: int, body: RegistrationIn | None = None, user: User = Depends(current_user)
) -> dict[str, Any]:
    """Registry: confirm the record (with any last corrections); the export to the diarium follows."""
    return _save(item_id, body or RegistrationIn(), user, True)


@router.post("/mail/{item_id}/export/resend")
def resend_export(item_id: int, user: User = Depends(current_user)) -> dict[str, Any]:
    """Registry: send an export that was given up (the receiver refused it, or kept failing) again."""
    with session_scope() as session:
        reg.resend_export(session, user, item_id)
        item, rec = reg.get_record(session, user, item_id)
        out = reg.as_dict(item, rec)
    dispatch.enqueue_export(item_id)
    return out


@router.get("/mail/{item_id}/export/erms.xml")
def erms_xml(item_id: int, user: User = Depends(current_user)) -> Response:
    with session_scope() as session:
        xml = reg.erms_xml(session, user, item_id)
    return Response(xml, media_type="application/xml")


@router.get("/registrations")
def list_registrations(
    from_: date | None = Query(None, alias="from"),
    to: date | None = Query(None),
    format: str = Query("json", pattern="^(json|csv)$"),
    status: str | None = Query(None, pattern="^(proposed|confirmed)$", description="only records in this status"),
    user: User = Depends(current_user),
) -> Response:
    with session_scope() as session:
        rows = reg.list_records(session, user, from_, to, status)
    if format == "csv":
        return Response(
            reg.to_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="registreringar.csv"'},
        )
    return JSONResponse({"items": rows, "total": len(rows)})
