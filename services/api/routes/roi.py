from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from services.api.deps import current_user, require_roles
from services.core.db import session_scope
from services.core.models import User
from services.metering import service
from services.metering.export import report_csv
from services.metering.onepager import report_pdf
from services.metering.schemas import RoiModelData, RoiModelOut
from services.users.service import actor_for

router = APIRouter(prefix="/roi", tags=["roi"])

READERS = ("admin", "registrar", "viewer")


# A fresh Query per parameter: FastAPI must not share one FieldInfo between endpoints.
def _from_day() -> Any:
    return Query(None, alias="from", description="first day, YYYY-MM-DD (UTC)")


def _to_day() -> Any:
    return Query(None, alias="to", description="last day, inclusive")


def _volume() -> Any:
    # le: a bound for the arithmetic (5.4e16 gave a 500); below 0 the service answers invalid_what_if.
    return Query(None, le=1e9, description="what-if: items a year (default: the observed volume)")


def _auto_rate() -> Any:
    return Query(None, description="what-if: share auto-routed, 0..1 (default: the observed share)")


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
    date_from: date | None = _from_day(),
    date_to: date | None = _to_day(),
    what_if_volume: float | None = _volume(),
    what_if_auto_rate: float | None = _auto_rate(),
    _user: User = Depends(require_roles(*READERS)),
) -> dict[str, Any]:
    with session_scope() as session:
        return service.roi_report(
            session, date_from, date_to, what_if_volume=what_if_volume, what_if_auto_rate=what_if_auto_rate
        )


@router.get("/report.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def report_as_csv(
    date_from: date | None = _from_day(),
    date_to: date | None = _to_day(),
    _user: User = Depends(require_roles(*READERS)),
) -> Response:
    with session_scope() as session:
        rep = service.roi_report(session, date_from, date_to)
    name = f"roi-{rep['period']['from'] or 'start'}-{rep['period']['to'] or 'now'}-v{rep['model_version']}.csv"
    return Response(
        report_csv(rep),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/report.pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
def report_as_pdf(
    date_from: date | None = _from_day(),
    date_to: date | None = _to_day(),
    _user: User = Depends(require_roles(*READERS)),
) -> Response:
    """The report as a one-page A4 PDF for a decision memo (Swedish)."""
    with session_scope() as session:
        rep = service.roi_report(session, date_from, date_to)
        model = service.get_model(session)
    name = f"roi-{rep['period']['from'] or 'start'}-{rep['period']['to'] or 'now'}-v{rep['model_version']}.pdf"
    return Response(
        report_pdf(rep, model),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get("/items")
def items(
    date_from: date | None = _from_day(),
    date_to: date | None = _to_day(),
    _user: User = Depends(require_roles(*READERS)),
) -> dict[str, Any]:
    """Per handled item: before, removed (and which steps), after-steps, measured, after, saved and saved share."""
    with session_scope() as session:
        model = service.get_model(session)
        rows = service.item_rows(session, date_from, date_to)
    return {"period": {"from": date_from, "to": date_to}, "model_version": model.version, "items": rows}


@router.get("/what-if")
def what_if(
    date_from: date | None = _from_day(),
    date_to: date | None = _to_day(),
    volume: float | None = _volume(),
    auto_rate: float | None = _auto_rate(),
    _user: User = Depends(require_roles(*READERS)),
) -> dict[str, Any]:
    """The what-if block alone: per-item savings observed in the period, applied to another volume and share."""
    with session_scope() as session:
        return service.what_if_report(session, date_from, date_to, volume=volume, auto_rate=auto_rate)
