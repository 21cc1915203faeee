"""One mail item: the item page (images, text, suggestions), decisions, history and downloads.

Visibility is services.mail's: an item a user may not see is "not found" here too, for pages, images
and downloads alike. Opening a sensitive item is an audit event; every decision carries the human
touch time measured from the signed "opened" stamp the page's forms send back.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import FileResponse

from services.api.ui import present, texts
from services.api.ui.render import UIRoute, redirect, render
from services.api.ui.session import current_user, human_seconds, opened_stamp
from services.audit import service as audit
from services.core.db import session_scope
from services.core.errors import NotFound
from services.core.models import User
from services.core.settings import get_settings
from services.mail import discard, pages, permissions, triage
from services.mail import service as mail
from workers import dispatch

router = APIRouter(route_class=UIRoute)


@router.get("/ui/mail/{item_id}", include_in_schema=False)
def item_page(request: Request, item_id: int, user: User = Depends(current_user)) -> Response:
    with session_scope() as session:
        item = mail.get_item(session, user, item_id)
        audit.record_view(session, user, item)
        every = {d.code: d for d in mail.list_departments(session, include_inactive=True)}
        departments = [d for d in every.values() if d.routable and d.active]
        page_texts = [(p.index, present.highlight(p.text)) for p in item.pages]
        has_searchable = pages.searchable_pdf(item) is not None
        returned_by = present.returned_by(item)
        may_route = permissions.can_route(user)
    return render(
        request,
        "item.html",
        item=item,
        summary=present.row(item),
        page_texts=page_texts,
        page_indexes=list(range(item.page_count or len(item.pages))),
        suggestions=present.suggestions(item, every),
        reasons=present.reasons_split(item),
        departments=departments,
        can_decide=may_route and item.state in ("needs_review", "returned"),
        can_reroute=may_route and item.state == "routed",
        can_restore=may_route and item.state == "discarded",
        returned_by=returned_by,
        return_comment=present.return_comment(item) if returned_by else "",
        can_answer=permissions.can_answer_for_department(user, item) and item.state == "routed",
        in_tray=may_route and present.in_discard_tray(item),
        has_searchable=has_searchable,
        opened=opened_stamp(item_id),
    )


@router.get("/ui/mail/{item_id}/sida/{index}.png", include_in_schema=False)
def page_image(item_id: int, index: int, user: User = Depends(current_user)) -> Response:
    with session_scope() as session:
        item = mail.get_item(session, user, item_id)
        path = pages.page_image(item, index)
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


@router.post("/ui/mail/{item_id}/fordela", include_in_schema=False)
def route(
    item_id: int,
    department: str = Form(""),
    comment: str = Form(""),
    opened: str = Form(""),
    user: User = Depends(current_user),
) -> Response:
    """Route from review (then the next item in the queue opens), or reroute a routed item (a reason
    is required; the page asked for confirmation)."""
    with session_scope() as session:
        before = mail.get_item(session, user, item_id).state
        item = mail.route_item(
            session,
            user,
            item_id,
            department,
            comment.strip() or None,
            human_seconds(opened, item_id),
            require_reroute_reason=True,
        )
        code = item.department_code
        next_id = triage.next_in_queue(session, user, item) if before != "routed" else None
    dispatch.enqueue_for_state(item_id, "routed")  # after the commit: e-mail notice to the department
    if before == "routed":
        return redirect(f"/ui/mail/{item_id}", texts.flash("rerouted", id=item_id, dept=code))
    target = f"/ui/mail/{next_id}" if next_id else "/ui/ko"
    message = texts.flash("routed", id=item_id, dept=code)
    return redirect(target, message if next_id else f"{message} {texts.flash('queue_done')}")


@router.post("/ui/mail/{item_id}/kasta", include_in_schema=False)
def discard_item(item_id: int, opened: str = Form(""), user: User = Depends(current_user)) -> Response:
    """Confirm that an item in the discard tray (advertising) is not to be registered. The stamp is the
    item page's, or the tray page's (one click in the list: the time since the list was shown)."""
    seconds = human_seconds(opened, item_id) or human_seconds(opened, 0)
    with session_scope() as session:
        discard.discard_item(session, user, item_id, seconds)
    days = get_settings().discard_restore_days
    return redirect("/ui/ko/reklam", texts.flash("discarded", id=item_id, days=days))


@router.post("/ui/mail/{item_id}/aterstall", include_in_schema=False)
def restore_item(item_id: int, user: User = Depends(current_user)) -> Response:
    """Undo a discard (within the restore period): the item is back in the discard tray."""
    with session_scope() as session:
        discard.restore_item(session, user, item_id)
    return redirect(f"/ui/mail/{item_id}", texts.flash("restored", id=item_id))


@router.post("/ui/mail/{item_id}/kvittera", include_in_schema=False)
def acknowledge(item_id: int, opened: str = Form(""), user: User = Depends(current_user)) -> Response:
    with session_scope() as session:
        mail.acknowledge_item(session, user, item_id, human_seconds(opened, item_id))
    return redirect("/ui/inkorg", texts.flash("acknowledged", id=item_id))


@router.post("/ui/mail/{item_id}/fel-mottagare", include_in_schema=False)
def return_to_registry(
    item_id: int, comment: str = Form(""), opened: str = Form(""), user: User = Depends(current_user)
) -> Response:
    with session_scope() as session:
        mail.return_item(session, user, item_id, comment, human_seconds(opened, item_id))
    return redirect("/ui/inkorg", texts.flash("returned", id=item_id))


@router.get("/ui/mail/{item_id}/historik", include_in_schema=False)
def history(request: Request, item_id: int, user: User = Depends(current_user)) -> Response:
    with session_scope() as session:
        item = mail.get_item(session, user, item_id)
        audit.record_view(session, user, item, "history")
        events = audit.history(session, item_id)
    return render(request, "history.html", item=item, events=events)


@router.get("/ui/mail/{item_id}/original", include_in_schema=False)
def original(item_id: int, user: User = Depends(current_user)) -> Response:
    with session_scope() as session:
        item = mail.get_item(session, user, item_id)
        audit.record_view(session, user, item, "original")
        path, mime, name = pages.original_file(item), item.mime, item.filename
    return FileResponse(path, media_type=mime, filename=name)


@router.get("/ui/mail/{item_id}/sokbar.pdf", include_in_schema=False)
def searchable(item_id: int, user: User = Depends(current_user)) -> Response:
    with session_scope() as session:
        item = mail.get_item(session, user, item_id)
        path = pages.searchable_pdf(item)
        if path is None:
            raise NotFound("Det finns ingen sökbar PDF för den här försändelsen ännu.")
        audit.record_view(session, user, item, "searchable_pdf")
        stem = item.filename.rsplit(".", 1)[0]
    return FileResponse(path, media_type="application/pdf", filename=f"{stem}-sokbar.pdf")
