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
from services.metering.arithmetic import Bucket, projection, saved_minutes, what_if
from services.metering.baseline import DEFAULT_MODEL
from services.metering.schemas import RoiDerived, RoiModelData, RoiModelOut, dec

FORMULA = (
    "An item is handled in the period when its FIRST transition to routed (from events) falls in "
    "[from 00:00 UTC, to+1 day 00:00 UTC); its week is the ISO week of that moment. auto_routed = handled "
    "items first routed by the machine (classified -> routed). human_seconds = sum of events.human_seconds "
    "of handled items before the period end (registry_seconds: route/reroute actions; department_seconds: "
    "acknowledge/return). misroutes = reroutes + returns. Per item: saved_minutes = baseline_minutes(doc_type) "
    "- human_seconds/60 - misroute_minutes x misroutes, NOT clamped at zero (an item that took longer than "
    "manual handling lowers the total; counted in items_over_baseline). hours_saved = sum(saved_minutes)/60. "
    "hourly_cost = hourly_rate if set, else monthly_salary / hours_per_month x markup. kronor_saved = "
    "hours_saved x hourly_cost. Projection: period_days = days from `from` (or the first handled day) to `to` "
    "(or the last); items_per_year = items x 365 / period_days; yearly_gross = kronor_saved x 365 / "
    "period_days; yearly_net = yearly_gross - yearly_running_cost; cash flows: year 0 = -investment, years "
    "1..horizon = yearly_net at the end of each year; npv = -investment + sum_{t=1..horizon} yearly_net / "
    "(1+discount_rate)^t; payback_years = investment / yearly_net; payback_month = ceil(investment x 12 / "
    "yearly_net) (both null when yearly_net <= 0); roi_percent = (horizon x yearly_net - investment) / "
    "investment x 100, undiscounted (null without investment). Decimal arithmetic, rounded half up only in "
    "the output."
)


class InvalidRoiModel(DomainError):
    status_code = 422
    code = "invalid_roi_model"


class InvalidPeriod(DomainError):
    status_code = 422
    code = "invalid_period"


class InvalidWhatIf(DomainError):
    status_code = 422
    code = "invalid_what_if"


def _out(data: RoiModelData, version: int, created_at: datetime | None, created_by: str) -> RoiModelOut:
    if created_at is not None and created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)
    derived = RoiDerived(
        baseline_minutes=float(data.baseline_minutes()),
        baseline_minutes_by_doc_type={k: float(data.baseline_minutes(k)) for k in data.doc_type_steps},
        hourly_cost=_round(data.hourly_cost(), "0.01"),
        hourly_cost_source="flat" if data.hourly_rate is not None else "salary",
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


def _week_key(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _weeks(buckets: dict[str, Bucket], hourly: Decimal) -> list[dict[str, Any]]:
    """One row per ISO week from the first to the last week with items (gaps filled with zeros)."""
    if not buckets:
        return []
    monday = {k: date.fromisocalendar(int(k[:4]), int(k[6:]), 1) for k in buckets}
    day, last = min(monday.values()), max(monday.values())
    rows = []
    while day <= last:
        key = _week_key(datetime.combine(day, time.min))
        rows.append({"week": key, "start": day.isoformat(), **buckets.get(key, Bucket()).figures(hourly)})
        day += timedelta(days=7)
    return rows


def roi_report(
    session: Session,
    date_from: date | None = None,
    date_to: date | None = None,
    *,
    what_if_volume: float | None = None,
    what_if_auto_rate: float | None = None,
    include_what_if: bool = False,
) -> dict[str, Any]:
    """The savings report for a period; with what_if_* set (or include_what_if), also the what-if block."""
    model = get_model(session)
    data = model.data
    start, end = _period(date_from, date_to)
    items = repository.handled_items(session, start, end)
    names = repository.department_names(session)
    hourly = data.hourly_cost()

    total = Bucket()
    per_dept: dict[str, Bucket] = defaultdict(Bucket)
    per_type: dict[str, Bucket] = defaultdict(Bucket)
    per_week: dict[str, Bucket] = defaultdict(Bucket)
    machine = Decimal(0)
    over_baseline = 0
    for it in items:
        baseline = data.baseline_minutes(it.doc_type)
        saved = saved_minutes(data, it)
        over_baseline += saved < 0
        machine += dec(it.machine_seconds)
        for b in (
            total,
            per_dept[it.department_code or "-"],
            per_type[it.doc_type or "-"],
            per_week[_week_key(it.first_routed_at)],
        ):
            b.add(it, baseline, saved)

    days: int | None = None
    if items or (date_from and date_to):
        first_day = date_from or min(it.first_routed_at.date() for it in items)
        last_day = date_to or max(it.first_routed_at.date() for it in items)
        days = (last_day - first_day).days + 1

    kronor = total.hours() * hourly
    proj: dict[str, Any] | None = None
    per_year: Decimal | None = None
    if days:
        per_year = Decimal(total.items) * 365 / days
        proj = {
            "period_days": days,
            "items_per_year": _round(per_year, "0.01"),
            **projection(data, kronor * 365 / days),
        }
    by_step = repository.machine_seconds_by_action(session, start, end)

    report: dict[str, Any] = {
        "period": {
            "from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat() if date_to else None,
        },
        "model_version": model.version,
        **total.figures(hourly),
        "manual_routed": total.items - total.auto,
        "items_over_baseline": over_baseline,
        "baseline_minutes_total": _round(total.baseline_min, "0.01"),
        "machine_seconds": _round(machine, "0.001"),
        "machine_seconds_by_step": {
            action: {
                "total": _round(dec(s), "0.001"),
                "per_item": _round(dec(s) / total.items, "0.001") if total.items else 0.0,
            }
            for action, s in sorted(by_step.items())
        },
        "hourly_cost": _round(hourly, "0.01"),
        "misroute_minutes": data.misroute_minutes,
        "currency": data.currency,
        "departments": [
            {"code": code, "name": names.get(code), **b.figures(hourly)} for code, b in sorted(per_dept.items())
        ],
        "doc_types": [{"doc_type": k, **b.figures(hourly)} for k, b in sorted(per_type.items())],
        "weeks": _weeks(per_week, hourly),
        "projection": proj,
        "formula": FORMULA,
    }
    if include_what_if or what_if_volume is not None or what_if_auto_rate is not None:
        report["what_if"] = _what_if(data, total, hourly, per_year, what_if_volume, what_if_auto_rate)
    return report


def _what_if(
    data: RoiModelData,
    total: Bucket,
    hourly: Decimal,
    per_year: Decimal | None,
    volume: float | None,
    auto_rate: float | None,
) -> dict[str, Any]:
    if volume is not None and volume < 0:
        raise InvalidWhatIf("what_if_volume must be >= 0")
    if auto_rate is not None and not 0 <= auto_rate <= 1:
        raise InvalidWhatIf("what_if_auto_rate must be between 0 and 1")
    return what_if(data, total, hourly, per_year, volume, auto_rate)


def what_if_report(
    session: Session,
    date_from: date | None = None,
    date_to: date | None = None,
    *,
    volume: float | None = None,
    auto_rate: float | None = None,
) -> dict[str, Any]:
    rep = roi_report(
        session, date_from, date_to, what_if_volume=volume, what_if_auto_rate=auto_rate, include_what_if=True
    )
    return {"period": rep["period"], "model_version": rep["model_version"], **rep["what_if"]}
