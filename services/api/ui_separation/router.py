"""Batch pages under /ui/buntar: the list, one batch with page thumbnails (review and confirm), restore a
removed page, and the printable separator sheet. Routes call services/ingest/separation_review."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import FileResponse

from services.api.ui.render import UIRoute, redirect, render
from services.api.ui.session import human_seconds, opened_stamp, require_role
from services.core.db import session_scope
from services.core.errors import InvalidInput, NotFound
from services.core.models import MailItem, User
from services.ingest import separation_review
from services.mail import pages
from services.users.service import actor_for
from workers import dispatch

router = APIRouter(route_class=UIRoute)
registry_only = require_role("admin", "registrar")
THUMB_WIDTH = 260
STATUS_LABELS = {"auto": "Delad automatiskt", "review": "Väntar på granskning", "reviewed": "Granskad"}


@router.get("/ui/buntar", include_in_schema=False)
def batch_list(request: Request, user: User = Depends(registry_only)) -> Response:
    with session_scope() as session:
        batches = [separation_review.batch_view(session, b) for b in separation_review.list_batches(session)]
    return render(request, "batches.html", batches=batches, status_labels=STATUS_LABELS)


@router.get("/ui/buntar/{batch_id}", include_in_schema=False)
def batch_page(request: Request, batch_id: int, user: User = Depends(registry_only)) -> Response:
    with session_scope() as session:
        view = separation_review.batch_view(session, separation_review.get_batch(session, batch_id))
    return render(
        request,
        "batch.html",
        batch=view,
        status_labels=STATUS_LABELS,
        opened=opened_stamp(batch_id),
        layout=json.dumps({"documents": [d["pages"] for d in view["documents"]], "removed": _removed(view)}),
    )


def _removed(view: dict) -> list[int]:
    return [p["index"] for p in view["pages"] if p["removed"]]


@router.get("/ui/buntar/{batch_id}/sida/{index}.png", include_in_schema=False)
def thumbnail(batch_id: int, index: int, user: User = Depends(registry_only)) -> Response:
    with session_scope() as session:
        batch = separation_review.get_batch(session, batch_id)
        pile = session.get(MailItem, batch.source_item_id)
        if pile is None:
            raise NotFound("buntens fil finns inte")
        path = pages.page_image(pile, index, width=THUMB_WIDTH)
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


@router.post("/ui/buntar/{batch_id}/bekrafta", include_in_schema=False)
def confirm(
    batch_id: int,
    layout: str = Form(...),
    opened: str = Form(""),
    user: User = Depends(registry_only),
) -> Response:
    try:
        data = json.loads(layout)
        documents = [[int(i) for i in doc] for doc in data.get("documents", [])]
        removed = [int(i) for i in data.get("removed", [])]
        rotations = {int(k): int(v) for k, v in data.get("rotations", {}).items()}
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidInput("ogiltig sidindelning") from exc
    with session_scope() as session:
        letters = separation_review.confirm(
            session,
            batch_id,
            documents=documents,
            removed=removed,
            rotations=rotations,
            actor=actor_for(user),
            human_seconds=human_seconds(opened, batch_id),
        )
        count = len(letters)
        pile_id = separation_review.get_batch(session, batch_id).source_item_id
    dispatch.enqueue_letters(pile_id)
    return redirect(f"/ui/buntar/{batch_id}", f"Delningen bekräftad: {count} brev går vidare.")


@router.post("/ui/buntar/{batch_id}/sida/{index}/aterstall", include_in_schema=False)
def restore(batch_id: int, index: int, user: User = Depends(registry_only)) -> Response:
    with session_scope() as session:
        item = separation_review.restore_page(session, batch_id, index, actor=actor_for(user))
        item_id, state = item.id, item.state
    dispatch.enqueue_for_state(item_id, state)
    return redirect(f"/ui/buntar/{batch_id}", f"Sida {index + 1} återställd som försändelse #{item_id}.")
