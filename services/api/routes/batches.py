"""Batches (scanned piles separated into letters): look at one, confirm a review, restore a page; the
printable separator sheet. Routes call services and hold no logic."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, Field

from services.api.deps import require_roles
from services.core.db import session_scope
from services.core.models import User
from services.ingest import separation_review
from services.ingest.separator_sheet import separator_sheet_pdf
from services.users.service import actor_for
from workers import dispatch

router = APIRouter(tags=["batches"])
registry = require_roles("admin", "registrar")


class ConfirmIn(BaseModel):
    documents: list[list[int]] = Field(description="The letters, each a list of 0-based page indexes of the pile")
    removed: list[int] = Field(default_factory=list, description="Pages left out (blank, separator, ...)")
    rotations: dict[int, int] = Field(default_factory=dict, description="Quarter turns clockwise per page")
    human_seconds: float = Field(default=0.0, ge=0, description="Time the registrar spent on the review")


@router.get("/batches")
def list_batches(status: str | None = None, user: User = Depends(registry)) -> dict[str, Any]:
    with session_scope() as session:
        batches = separation_review.list_batches(session, status=status)
        return {"items": [separation_review.batch_view(session, b) for b in batches]}


@router.get("/batches/{batch_id}")
def get_batch(batch_id: int, user: User = Depends(registry)) -> dict[str, Any]:
    with session_scope() as session:
        return separation_review.batch_view(session, separation_review.get_batch(session, batch_id))


@router.post("/batches/{batch_id}/confirm")
def confirm(batch_id: int, body: ConfirmIn, user: User = Depends(registry)) -> dict[str, Any]:
    with session_scope() as session:
        letters = separation_review.confirm(
            session,
            batch_id,
            documents=body.documents,
            removed=body.removed,
            rotations=body.rotations,
            actor=actor_for(user),
            human_seconds=body.human_seconds,
        )
        ids = [x.id for x in letters]
        pile_id = separation_review.get_batch(session, batch_id).source_item_id
    dispatch.enqueue_letters(pile_id)
    return {"batch_id": batch_id, "letters": ids}


@router.post("/batches/{batch_id}/pages/{index}/restore", status_code=202)
def restore(batch_id: int, index: int, user: User = Depends(registry)) -> dict[str, Any]:
    with session_scope() as session:
        item = separation_review.restore_page(session, batch_id, index, actor=actor_for(user))
        item_id, state = item.id, item.state
    dispatch.enqueue_for_state(item_id, state)
    return {"id": item_id, "state": state}


@router.get(
    "/separator-sheet.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The separator sheet, one A4 page"}},
)
def separator_sheet() -> Response:
    """The printable separator sheet (no login needed: it holds nothing but the two codes)."""
    return Response(
        separator_sheet_pdf(),
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="skiljeblad.pdf"'},
    )
