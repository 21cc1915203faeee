"""Registry pages: the intake overview (live counts), the triage queue with bulk routing, search, upload."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from services.api.deps import one_file_part
from services.api.ui import texts
from services.api.ui.render import UIRoute, redirect, render
from services.api.ui.session import human_seconds, opened_stamp, require_role
from services.core.db import session_scope
from services.core.models import User
from services.core.settings import get_settings
from services.core.states import MailState
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
PAGE_SIZE = 50
# Overview cards that open a list: the queue's tabs, or the list of items in that state.
CARD_LINKS = {"needs_review": "/ui/ko", "returned": "/ui/ko", "discarded": "/ui/ko/kastade"}
LISTABLE_STATES = ("received", "extracted", "classified", "routed", "acknowledged", "failed", "quarantined")


def _overview_data(user: User) -> dict[str, object]:
    with session_scope() as session:
        counts = mail.count_by_state(session)
        recent, _ = mail.list_items(session, user, limit=12)
        deadlines = {
            colour: triage.queue(session, user, limit=1, filters=triage.QueueFilter(deadline=colour))[1]
            for colour in ("green", "amber", "red")
        }
        _, tray_total = discard.list_tray(session, user, limit=1)
    # "Att granska" counts what the queue shows; advertising waiting in the tray is its own card.
    counts["needs_review"] = max(0, counts.get("needs_review", 0) - tray_total)
    counts["tray"] = tray_total
    states = [*OVERVIEW_STATES[:4], ("tray", "Reklam att bekräfta"), *OVERVIEW_STATES[4:]]
    links = {state: CARD_LINKS.get(state, f"/ui/lista?lage={state}") for state, _ in states}
    links["tray"] = "/ui/ko/reklam"
    return {"counts": counts, "states": states, "links": links, "recent": recent, "deadlines": deadlines}


@router.get("/ui/oversikt", include_in_schema=False)
def overview(request: Request, user: User = Depends(registry_only)) -> Response:
    return render(request, "overview.html", **_overview_data(user))


@router.get("/ui/oversikt/antal", include_in_schema=False)
def overview_counts(request: Request, user: User = Depends(registry_only)) -> Response:
    """The htmx partial the overview polls every few seconds."""
    return render(request, "_overview_counts.html", **_overview_data(user))


def _tab_totals(session: object, user: User) -> dict[str, int]:
    return {
        "total": triage.queue(session, user, limit=1)[1],  # type: ignore[arg-type]
        "tray_total": discard.list_tray(session, user, limit=1)[1],  # type: ignore[arg-type]
        "discarded_total": discard.list_discarded(session, user, limit=1)[1],  # type: ignore[arg-type]
    }


@router.get("/ui/ko", include_in_schema=False)
def queue(
    request: Request,
    sida: int = 1,
    avdelning: str = "",
    typ: str = "",
    frist: str = "",
    sekretess: str = "",
    kanal: str = "",
    bunt: str = "",
    user: User = Depends(registry_only),
) -> Response:
    """The review queue, oldest first, 50 a page, with filters (all in the query string)."""
    filters = triage.QueueFilter(
        department=avdelning, doc_type=typ, deadline=frist, sensitive=sekretess, channel=kanal, batch=bunt
    )
    page = max(1, sida)
    with session_scope() as session:
        items, shown = triage.queue(session, user, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, filters=filters)
        totals = _tab_totals(session, user)
        options = triage.filter_options(session)
        departments = mail.list_departments(session)
    query = {"avdelning": avdelning, "typ": typ, "frist": frist, "sekretess": sekretess, "kanal": kanal, "bunt": bunt}
    return render(
        request,
        "queue.html",
        items=items,
        shown=shown,
        page=page,
        pages=max(1, -(-shown // PAGE_SIZE)),
        query={k: v for k, v in query.items() if v},
        options=options,
        departments=[d for d in departments if d.routable],
        opened=opened_stamp(0),
        **totals,
    )


@router.get("/ui/ko/reklam", include_in_schema=False)
def discard_tray(request: Request, user: User = Depends(registry_only)) -> Response:
    """The "Reklam" tab: advertising waiting for a discard (unsure guesses first, marked)."""
    with session_scope() as session:
        items, _ = discard.list_tray(session, user, limit=discard.MAX_BULK)
        totals = _tab_totals(session, user)
    return render(
        request,
        "discard_tray.html",
        items=items,
        unsure_below=discard.UNSURE_BELOW,
        restore_days=get_settings().discard_restore_days,
        opened=opened_stamp(0),
        **totals,
    )


@router.get("/ui/ko/kastade", include_in_schema=False)
def discarded(request: Request, user: User = Depends(registry_only)) -> Response:
    """The "Kastade" tab: discarded items that can still be restored."""
    with session_scope() as session:
        items, _ = discard.list_discarded(session, user)
        totals = _tab_totals(session, user)
    return render(request, "discarded.html", items=items, restore_days=get_settings().discard_restore_days, **totals)


@router.post("/ui/ko/kasta", include_in_schema=False)
def bulk_discard(
    request: Request,
    item_ids: list[int] = Form(default_factory=list),
    opened: str = Form(""),
    bekraftat: str = Form(""),
    user: User = Depends(registry_only),
) -> Response:
    """Bulk discard asks first: without `bekraftat` a confirmation page lists what would be discarded."""
    if not item_ids:
        return redirect("/ui/ko/reklam", texts.flash("bulk_none"))
    if bekraftat != "ja":
        with session_scope() as session:
            items = [mail.get_item(session, user, i) for i in dict.fromkeys(item_ids)]
        return render(request, "discard_confirm.html", items=items, opened=opened)
    with session_scope() as session:
        result = discard.discard_many(session, user, item_ids, human_seconds(opened, 0))
    days = get_settings().discard_restore_days
    message = texts.flash("bulk_discarded", n=len(result["discarded"]), days=days)
    if result["skipped"]:
        message += texts.flash("bulk_skipped", ids=", ".join(f"#{i}" for i in result["skipped"]))
    return redirect("/ui/ko/reklam", message)


@router.get("/ui/lista", include_in_schema=False)
def state_list(request: Request, lage: str = "failed", user: User = Depends(registry_only)) -> Response:
    """The items in one state (the overview's cards open these: failed, quarantined, ...)."""
    state = lage if lage in LISTABLE_STATES else MailState.failed.value
    with session_scope() as session:
        items, total = mail.list_items(session, user, state, limit=200)
    return render(request, "state_list.html", items=items, total=total, state=state, states=LISTABLE_STATES)


@router.post("/ui/ko/fordela", include_in_schema=False)
def bulk_route(
    item_ids: list[int] = Form(default_factory=list),
    department: str = Form(""),
    opened: str = Form(""),
    user: User = Depends(registry_only),
) -> Response:
    with session_scope() as session:
        result = triage.route_many(session, user, item_ids, department, human_seconds(opened, 0))
    for item_id in result.routed:
        dispatch.enqueue_for_state(item_id, "routed")  # after the commit: e-mail notice to the department
    message = texts.flash("bulk_routed", n=len(result.routed), dept=department.upper())
    if result.failed:
        why = "; ".join(f"#{i}: {texts.error_text(w)}" for i, w in result.failed.items())
        message += texts.flash("bulk_failed", why=why)
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
        reason = texts.error_text(result.error)
        return JSONResponse({**body, "error": reason, "detail": reason}, status_code=422)
    if result.duplicate:
        return JSONResponse(body, status_code=200)
    dispatch.enqueue_for_state(item_id, state)
    return JSONResponse(body, status_code=202)
