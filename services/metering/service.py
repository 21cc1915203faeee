"""The ROI model (versioned) and the savings report."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.core.errors import Conflict, DomainError
from services.core.models import RoiModel
from services.metering import repository
from services.metering.baseline import DEFAULT_MODEL
from services.metering.schemas import RoiDerived, RoiModelData, RoiModelOut, dec

FORMULA = (
    "An item is handled in the period when its FIRST transition to routed (from events) falls in "
    "[from 00:00 UTC, to+1 day 00:00 UTC). auto_routed = handled items first routed by the machine "
    "(classified -> routed). human_seconds = sum of events.human_seconds of handled items before the "
    "period end. Per item: saved_minutes = baseline_minutes(doc_type) - human_seconds/60, NOT clamped "
    "at zero (an item that took longer than manual handling lowers the total; counted in "
    "items_over_baseline). hours_saved = sum(saved_minutes)/60. hourly_cost = monthly_salary / "
    "hours_per_month x markup. kronor_saved = hours_saved x hourly_cost. Projection: yearly_gross = "
    "kronor_saved x 365 / period_days; yearly_net = yearly_gross - yearly_running_cost; npv = "
    "-investment + sum_{t=1..horizon} yearly_net / (1+discount_rate)^t; payback_years = investment / "
    "yearly_net (null when yearly_net <= 0). Decimal arithmetic, rounded only in the output."
)


class InvalidRoiModel(DomainError):
    status_code = 422
    code = "invalid_roi_model"


class InvalidPeriod(DomainError):
    status_code = 422
    code = "invalid_period"


def _out(data: RoiModelData, version: int, created_at: datetime | None, created_by: str) -> RoiModelOut:
    if created_at is not None and created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)
    derived = RoiDerived(
        baseline_minutes=float(data.baseline_minutes()),
        baseline_minutes_by_doc_type={k: float(data.baseline_minutes(k)) for k in data.doc_type_steps},
        hourly_cost=_round(data.hourly_cost(), "0.01"),
    )
    return RoiModelOut(version=version, created_at=created_at, created_by=created_by, data=data, derived=derived)


def default_model() -> RoiModelOut:
    return _out(RoiModelData.model_validate(DEFAULT_MODEL), 0, None, "default")


def get_model(session: Session) -> RoiModelOut:
    row = repository.latest_model(session)
    if row is None:
        return default_model()
    return _out(RoiModelData.model_validate(row.data), row.version, row.created_at, row.created_by)


def put_model(session: Session, data: RoiModelData | dict[str, Any], actor: str) -> RoiModelOut:
    """Store a new version of the model; earlier versions stay, so old reports can be explained."""
    try:
        model = data if isinstance(data, RoiModelData) else RoiModelData.model_validate(data)
    except ValidationError as exc:
        raise InvalidRoiModel("invalid ROI model", errors=exc.errors(include_url=False)) from None
    row = RoiModel(
        version=repository.max_version(session) + 1,
        created_by=actor[:120],
        data=model.model_dump(mode="json"),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # the caller's session scope rolls back
        raise Conflict("another ROI model version was saved at the same time; try again") from None
    return _out(model, row.version, row.created_at, row.created_by)


def _round(value: Decimal, places: str) -> float:
    return float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _period(date_from: date | None, date_to: date | None) -> tuple[datetime | None, datetime | None]:
    if date_from and date_to and date_from > date_to:
        raise InvalidPeriod(f"from ({date_from}) is after to ({date_to})")
    start = datetime.combine(date_from, time.min, tzinfo=UTC) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC) if date_to else None
    return start, end


def _projection(data: RoiModelData, kronor: Decimal, days: int | None) -> dict[str, Any] | None:
    if not days:
        return None
    gross = kronor * 365 / days
    net = gross - dec(data.yearly_running_cost)
    rate = dec(data.discount_rate)
    npv = -dec(data.investment) + sum((net / (1 + rate) ** t for t in range(1, data.horizon_years + 1)), Decimal(0))
    investment = dec(data.investment)
    payback = None if net <= 0 else investment / net
    return {
        "period_days": days,
        "yearly_gross_savings": _round(gross, "0.01"),
        "yearly_net_savings": _round(net, "0.01"),
        "npv": _round(npv, "0.01"),
        "payback_years": None if payback is None else _round(payback, "0.01"),
        "horizon_years": data.horizon_years,
        "discount_rate": data.discount_rate,
    }


def roi_report(session: Session, date_from: date | None = None, date_to: date | None = None) -> dict[str, Any]:
    model = get_model(session)
    data = model.data
    start, end = _period(date_from, date_to)
    items = repository.handled_items(session, start, end)
    names = repository.department_names(session)
    hourly = data.hourly_cost()
    sixty = Decimal(60)

    def bucket() -> dict[str, Any]:
        return {"items": 0, "auto": 0, "human_s": Decimal(0), "saved_min": Decimal(0)}

    total = bucket()
    machine = Decimal(0)
    baseline_min_total = Decimal(0)
    over_baseline = 0
    per_dept: dict[str, dict[str, Any]] = defaultdict(bucket)
    for it in items:
        human_s = dec(it.human_seconds)
        baseline = data.baseline_minutes(it.doc_type)
        saved = baseline - human_s / sixty
        over_baseline += saved < 0
        baseline_min_total += baseline
        machine += dec(it.machine_seconds)
        for b in (total, per_dept[it.department_code or "-"]):
            b["items"] += 1
            b["auto"] += it.auto
            b["human_s"] += human_s
            b["saved_min"] += saved

    def figures(b: dict[str, Any]) -> dict[str, Any]:
        hours = b["saved_min"] / sixty
        n = b["items"]
        return {
            "items_handled": n,
            "auto_routed": b["auto"],
            "auto_routed_share": _round(Decimal(b["auto"]) / n, "0.0001") if n else 0.0,
            "human_seconds": _round(b["human_s"], "0.001"),
            "hours_saved": _round(hours, "0.01"),
            "kronor_saved": _round(hours * hourly, "0.01"),
        }

    days: int | None = None
    if items or (date_from and date_to):
        first_day = date_from or min(it.first_routed_at.date() for it in items)
        last_day = date_to or max(it.first_routed_at.date() for it in items)
        days = (last_day - first_day).days + 1

    report: dict[str, Any] = {
        "period": {
            "from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat() if date_to else None,
        },
        "model_version": model.version,
        **figures(total),
        "manual_routed": total["items"] - total["auto"],
        "items_over_baseline": over_baseline,
        "baseline_minutes_total": _round(baseline_min_total, "0.01"),
        "machine_seconds": _round(machine, "0.001"),
        "hourly_cost": _round(hourly, "0.01"),
        "currency": data.currency,
        "departments": [{"code": code, "name": names.get(code), **figures(b)} for code, b in sorted(per_dept.items())],
        "projection": _projection(data, total["saved_min"] / sixty * hourly, days),
        "formula": FORMULA,
    }
    return report
