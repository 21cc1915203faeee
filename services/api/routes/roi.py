from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query

from services.api.deps import current_user, require_roles
from services.core.db import session_scope
from services.core.models import User
from services.metering import service
from services.metering.schemas import RoiModelData, RoiModelOut
from services.users.service import actor_for

router = APIRouter(prefix="/roi", tags=["roi"])


@router.get("/model", response_model=RoiModelOut)
def get_model(_user: User = Depends(current_user)) -> RoiModelOut:
    with session_scope() as session:
        return service.get_model(session)


@router.put("/model", response_model=RoiModelOut)
def put_model(data: RoiModelData, user: User = Depends(require_roles("admin"))) -> RoiModelOut:
    with session_scope() as session:
        return service.put_model(session, data, actor=actor_for(user))


@router.get("/report")
def report(
    date_from: date | None = Query(None, alias="from", description="first day, YYYY-MM-DD (UTC)"),
    date_to: date | None = Query(None, alias="to", description="last day, inclusive"),
    _user: User = Depends(require_roles("admin", "registrar", "viewer")),
) -> dict[str, Any]:
    with session_scope() as session:
        return service.roi_report(session, date_from, date_to)
