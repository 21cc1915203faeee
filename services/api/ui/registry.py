"""Registry pages: the intake overview (live counts), the triage queue with bulk routing, search, upload."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from services.api.deps import one_file_part
from services.api.ui.render import UIRoute, redirect, render
from services.api.ui.session import human_seconds, opened_stamp, require_role
from services.core.db import session_scope
from services.core.models import User
from services.mail import discard, triage
from services.mail import service as mail
from services.search import service as search_service
from services.users.service import actor_for
from workers import dispatch

router = APIRouter(route_class=UIRoute)
registry_only = require_role("admin", "registrar")
may_search = require_role("admin", "registrar", "department")

OVERVIEW_STATES = (
    ("received", "Mottagna, väntar på läsning"),
    ("extracted", "Lästa, väntar på klassning"),
    ("classified", "Klassade, fördelas"),
    ("needs_review", "Att granska"),
    ("returned", "Åter från avdelning"),
    ("routed", "Fördelade, ej kvitterade"),
    ("acknowledged", "Kvitterade"),
    ("failed", "Fel"),
    ("quarantined", "I karantän"),
    ("discarded", "Kastad reklam"),
)


def _overview_data(user: User) -> dict[str, object]:
    with session_scope() as session:
        counts = mail.count_by_state(session)
        recent, _ = mail.list_items(session, user, limit=12)
        waiting, _ = triage.queue(session, user)
    deadlines = {"green": 0, "amber": 0, "red": 0}
    for item in waiting:
        deadlines[triage.deadline_status(item.created_at)[0]] += 1
    return {"counts": counts, "states": OVERVIEW_STATES, "recent": recent, "deadlines": deadlines}


@router.get("/ui/oversikt", include_in_schema=False)
def overview(request: Request, user: User = Depends(registry_only)) -> Response:
    return render(request, "overview.html", **_overview_data(user))


@router.get("/ui/oversikt/antal", include_in_schema=False)
def overview_counts(request: Request, user: User = Depends(registry_only)) -> Response:
    """The htmx partial the overview polls every few seconds."""
    return render(request, "_overview_counts.html", **_overview_data(user))


@router.get("/ui/ko", include_in_schema=False)
def queue(request: Request, msg: str | None = None, user: User = Depends(registry_only)) -> Response:
    with session_scope() as session:
        items, total = triage.queue(session, user)
        _, tray_total = discard.list_tray(session, user, limit=1)
        departments = mail.list_departments(session)
    return render(
        request,
        "queue.html",
        items=items,
        total=total,
        tray_total=tray_total,
        departments=[d for d in departments if d.routable],
        opened=opened_stamp(0),
        message=msg,
    )


@router.get("/ui/ko/reklam", include_in_schema=False)
def discard_tray(request: Request, msg: str | None = None, user: User = Depends(registry_only)) -> Response:
    """The "Reklam" tab: advertising waiting for a one-click discard (or a route, if it is not advertising)."""
    with session_scope() as session:
        items, tray_total = discard.list_tray(session, user, limit=discard.MAX_BULK)
        _, total = triage.queue(session, user, limit=1)
    return render(
        request,
        "discard_tray.html",
        items=items,
        total=total,
        tray_total=tray_total,
        opened=opened_stamp(0),
        message=msg,
    )


@router.post("/ui/ko/kasta", include_in_schema=False)
def bulk_discard(
    item_ids: list[int] = Form(default_factory=list), opened: str = Form(""), user: User = Depends(registry_only)
) -> Response:
    if not item_ids:
        return redirect("/ui/ko/reklam", "Markera minst en försändelse att kasta.")
    with session_scope() as session:
        result = discard.discard_many(session, user, item_ids, human_seconds(opened, 0))
    message = f"{len(result['discarded'])} försändelse(r) kastade."
    if result["skipped"]:
        message += " Hoppade över (inte längre i facket): " + ", ".join(f"#{i}" for i in result["skipped"])
    return redirect("/ui/ko/reklam", message)


@router.post("/ui/ko/fordela", include_in_schema=False)
def bulk_route(
    item_ids: list[int] = Form(default_factory=list),
    department: str = Form(""),
    opened: str = Form(""),
    user: User = Depends(registry_only),
) -> Response:
    with session_scope() as session:
        result = triage.route_many(session, user, item_ids, department, human_seconds(opened, 0))
    message = f"{len(result.routed)} försändelse(r) fördelade till {department.upper()}."
    if result.failed:
        message += " Ej fördelade: " + "; ".join(f"#{i}: {why}" for i, why in result.failed.items())
    return redirect("/ui/ko", message)


@router.get("/ui/sok", include_in_schema=False)
def search(request: Request, q: str = "", user: User = Depends(may_search)) -> Response:
    hits = []
    if q.strip():
        with session_scope() as session:
            hits = search_service.search(session, user, q)
    return render(request, "search.html", q=q, hits=hits)


@router.get("/ui/ladda-upp", include_in_schema=False)
def upload_page(request: Request, user: User = Depends(registry_only)) -> Response:
    return render(request, "upload.html")


@router.post("/ui/ladda-upp", include_in_schema=False, dependencies=[Depends(one_file_part)])
def upload(file: UploadFile = File(...), user: User = Depends(registry_only)) -> Response:
    """The same intake as POST /api/v1/mail, with the session instead of a bearer token; answers JSON."""
    from services.ingest import service as ingest  # the intake channel owns validation and dedup

    with session_scope() as session:
        result = ingest.submit_stream(
            session, file.file, filename=file.filename or "upload", channel="upload", actor=actor_for(user)
        )
        item_id, state = result.item.id, str(result.item.state)
    body = {"id": item_id, "state": state, "duplicate": result.duplicate, "url": f"/ui/mail/{item_id}"}
    if result.error:
        return JSONResponse({**body, "error": result.error}, status_code=422)
    if result.duplicate:
        return JSONResponse(body, status_code=200)
    dispatch.enqueue_for_state(item_id, state)
    return JSONResponse(body, status_code=202)
