"""Mail endpoints. Each request: one session scope, one service call, enqueue only after commit."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import FileResponse, JSONResponse

from services.api.deps import current_user, one_file_part, require_roles
from services.core.db import session_scope
from services.core.models import User
from services.mail import discard, files, service
from services.mail.schemas import (
    AcknowledgeIn,
    DiscardIn,
    DiscardManyIn,
    DiscardManyOut,
    MailItemOut,
    MailListOut,
    MailSummaryOut,
    ReturnIn,
    RouteIn,
    SubmitOut,
)
from services.users.service import actor_for
from workers import dispatch

router = APIRouter(prefix="/mail", tags=["mail"])


@router.post(
    "",
    status_code=202,
    response_model=SubmitOut,
    responses={
        200: {"model": SubmitOut, "description": "The same file was submitted before (duplicate: true)"},
        422: {"description": "Rejected and quarantined: {error, detail, id, state}; or a validation error"},
    },
    dependencies=[Depends(one_file_part)],
)
def submit(file: UploadFile = File(...), user: User = Depends(require_roles("admin", "registrar"))) -> JSONResponse:
    from services.ingest import service as ingest  # the intake channel owns validation and dedup

    with session_scope() as session:
        result = ingest.submit_stream(
            session, file.file, filename=file.filename or "upload", channel="upload", actor=actor_for(user)
        )
        item_id, state = result.item.id, str(result.item.state)
    if result.error:
        return JSONResponse(
            {"error": "invalid_input", "detail": result.error, "id": item_id, "state": state}, status_code=422
        )
    if result.duplicate:
        return JSONResponse({"id": item_id, "state": state, "duplicate": True}, status_code=200)
    dispatch.enqueue_for_state(item_id, state)
    return JSONResponse({"id": item_id, "state": state, "duplicate": False}, status_code=202)


@router.get("", response_model=MailListOut)
def list_mail(
    state: str | None = None,
    department: str | None = None,
    tray: str | None = Query(None, description="discard: items waiting for a discard confirmation"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=2**62),
    user: User = Depends(current_user),
) -> MailListOut:
    with session_scope() as session:
        if tray is not None:
            items, total = discard.list_tray(session, user, tray, limit, offset)
        else:
            items, total = service.list_items(session, user, state, department, limit, offset)
        return MailListOut(items=[MailSummaryOut.from_item(i) for i in items], total=total, limit=limit, offset=offset)


@router.get("/{item_id}", response_model=MailItemOut)
def get_mail(item_id: int, user: User = Depends(current_user)) -> MailItemOut:
    with session_scope() as session:
        return MailItemOut.from_item(service.get_item(session, user, item_id))


@router.get("/{item_id}/original", response_class=FileResponse)
def download_original(item_id: int, user: User = Depends(current_user)) -> FileResponse:
    with session_scope() as session:
        f = files.original_file(session, user, item_id)
    return FileResponse(f.path, media_type=f.media_type, filename=f.filename)


@router.get("/{item_id}/searchable.pdf", response_class=FileResponse)
def download_searchable_pdf(item_id: int, user: User = Depends(current_user)) -> FileResponse:
    with session_scope() as session:
        f = files.searchable_pdf(session, user, item_id)
    return FileResponse(f.path, media_type=f.media_type, filename=f.filename)


@router.post("/discard", response_model=DiscardManyOut)
def discard_many(body: DiscardManyIn, user: User = Depends(current_user)) -> DiscardManyOut:
    """Registry: confirm the discard of many tray items at once (others are listed as skipped)."""
    with session_scope() as session:
        return DiscardManyOut(**discard.discard_many(session, user, body.ids, body.human_seconds))


@router.post("/{item_id}/discard", response_model=MailItemOut)
def discard_mail(item_id: int, body: DiscardIn | None = None, user: User = Depends(current_user)) -> MailItemOut:
    """Registry: one-click confirmation that an item is not to be registered (needs_review -> discarded)."""
    with session_scope() as session:
        item = discard.discard_item(session, user, item_id, body.human_seconds if body else 0.0)
        return MailItemOut.from_item(item)


@router.post("/{item_id}/route", response_model=MailItemOut)
def route_mail(item_id: int, body: RouteIn, user: User = Depends(current_user)) -> MailItemOut:
    with session_scope() as session:
        item = service.route_item(
            session, user, item_id, body.department, body.comment, body.human_seconds, require_reroute_reason=True
        )
        out = MailItemOut.from_item(item)
    dispatch.enqueue_for_state(out.id, out.state)  # after the commit: e-mail notice to the department
    return out


@router.post("/{item_id}/acknowledge", response_model=MailItemOut)
def acknowledge_mail(
    item_id: int, body: AcknowledgeIn | None = None, user: User = Depends(current_user)
) -> MailItemOut:
    seconds = body.human_seconds if body else 0.0
    with session_scope() as session:
        return MailItemOut.from_item(service.acknowledge_item(session, user, item_id, seconds))


@router.post("/{item_id}/return", response_model=MailItemOut)
def return_mail(item_id: int, body: ReturnIn, user: User = Depends(current_user)) -> MailItemOut:
    with session_scope() as session:
        item = service.return_item(session, user, item_id, body.comment, body.human_seconds)
        return MailItemOut.from_item(item)


@router.post("/{item_id}/retry", response_model=MailItemOut)
def retry_mail(item_id: int, user: User = Depends(current_user)) -> MailItemOut:
    """Registry: run a failed item's step again."""
    with session_scope() as session:
        item = service.retry_item(session, user, item_id)
        out = MailItemOut.from_item(item)
    dispatch.enqueue_for_state(out.id, out.state)
    return out
