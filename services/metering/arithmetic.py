"""The ROI arithmetic, pure functions on Decimals: buckets, projection, sensitivity, what-if.

Nothing here reads the database; service.py feeds it the handled items and the model. Rounding
happens only when a figure leaves (`r`), half up, to the öre for kronor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from services.metering.process import ItemCalc
from services.metering.repository import HandledItem
from services.metering.schemas import RoiModelData, dec

SIXTY = Decimal(60)
ZERO = Decimal(0)


def r(value: Decimal, places: str = "0.01") -> float:
    return float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


@dataclass
class Bucket:
    """Running totals for one row of the report (total, a flow, a department, a document type, a week)."""

    items: int = 0
    auto: int = 0
    human_s: Decimal = ZERO
    registry_s: Decimal = ZERO
    department_s: Decimal = ZERO
    misroutes: int = 0
    baseline_min: Decimal = ZERO  # the manual process (before) of these items
    removed_min: Decimal = ZERO  # the part of it the service did
    after_min: Decimal = ZERO  # what people still spent (kept manual steps + after-steps + measured + misroutes)
    saved_min: Decimal = ZERO
    saved_min_auto: Decimal = ZERO
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, item: HandledItem, calc: ItemCalc) -> None:
        self.items += 1
        self.auto += item.auto
        self.human_s += dec(item.human_seconds)
        self.registry_s += dec(item.registry_seconds)
        self.department_s += dec(item.department_seconds)
        self.misroutes += item.reroutes + item.returns
        self.baseline_min += calc.before
        self.removed_min += calc.removed
        self.after_min += calc.after
        self.saved_min += calc.saved
        if item.auto:
            self.saved_min_auto += calc.saved

    def hours(self) -> Decimal:
        return self.saved_min / SIXTY

    def figures(self, hourly: Decimal) -> dict[str, Any]:
        n = self.items
        return {
            "items_handled": n,
            "auto_routed": self.auto,
            "auto_routed_share": r(Decimal(self.auto) / n, "0.0001") if n else 0.0,
            "human_seconds": r(self.human_s, "0.001"),
            "registry_seconds": r(self.registry_s, "0.001"),
            "department_seconds": r(self.department_s, "0.001"),
            "misroutes": self.misroutes,
            "before_minutes_per_item": r(self.baseline_min / n, "0.0001") if n else 0.0,
            "after_minutes_per_item": r(self.after_min / n, "0.0001") if n else 0.0,
            "saved_share": r(self.saved_min / self.baseline_min, "0.0001") if self.baseline_min else 0.0,
            "hours_saved": r(self.hours()),
            "kronor_saved": r(self.saved_min * hourly / SIXTY),
        }


def projection(model: RoiModelData, yearly_gross: Decimal) -> dict[str, Any]:
    """Payback, NPV and ROI from a yearly gross saving (kronor), with the model's costs.

    Cash flows: year 0 = -investment; years 1..horizon = yearly_gross - yearly_running_cost, each
    at the END of its year, discounted by (1 + discount_rate)^year. NPV = their sum.
    payback_years = investment / yearly_net (undiscounted, savings spread evenly over the year);
    payback_month = the first month at whose end the cumulative net savings cover the investment
    = ceil(investment x 12 / yearly_net) (0 without an investment); both null when yearly_net <= 0.
    roi_percent = (horizon x yearly_net - investment) / investment x 100 (undiscounted; null without
    an investment).
    """
    investment = dec(model.investment)
    rate = dec(model.discount_rate)
    net = yearly_gross - dec(model.yearly_running_cost)
    flows = [{"year": 0, "amount": r(-investment), "discounted": r(-investment)}]
    npv = -investment
    for year in range(1, model.horizon_years + 1):
        discounted = net / (1 + rate) ** year
        npv += discounted
        flows.append({"year": year, "amount": r(net), "discounted": r(discounted)})
    payback_years: Decimal | None = None
    payback_month: int | None = None
    if net > 0:
        payback_years = investment / net
        payback_month = int((investment * 12 / net).to_integral_value(rounding=ROUND_CEILING))
    roi = None if investment == 0 else (net * model.horizon_years - investment) / investment * 100
    return {
        "yearly_gross_savings": r(yearly_gross),
        "yearly_running_cost": r(dec(model.yearly_running_cost)),
        "yearly_net_savings": r(net),
        "investment": r(investment),
        "discount_rate": model.discount_rate,
        "horizon_years": model.horizon_years,
        "npv": r(npv),
        "payback_years": None if payback_years is None else r(payback_years),
        "payback_month": payback_month,
        "payback_within_horizon": payback_month is not None and payback_month <= model.horizon_years * 12,
        "roi_percent": None if roi is None else r(roi),
        "cash_flows": flows,
    }


def what_if(
    model: RoiModelData,
    total: Bucket,
    hourly: Decimal,
    observed_yearly_volume: Decimal | None,
    volume: float | None,
    auto_rate: float | None,
) -> dict[str, Any]:
    """Yearly savings for another volume (items a year) and auto-route share, per-item savings as observed.

    yearly saved minutes = volume x (auto_rate x mean saved minutes of an auto-routed item
    + (1 - auto_rate) x mean saved minutes of a manually routed item). A kind of item not seen in the
    period takes the mean over all items; with no items at all nothing is claimed (0 minutes).
    Unset parameters keep the observed volume and share.
    """
    manual = total.items - total.auto
    overall = total.saved_min / total.items if total.items else ZERO
    per_auto = total.saved_min_auto / total.auto if total.auto else overall
    per_manual = (total.saved_min - total.saved_min_auto) / manual if manual else overall
    vol = dec(volume) if volume is not None else (observed_yearly_volume or ZERO)
    rate = dec(auto_rate) if auto_rate is not None else (Decimal(total.auto) / total.items if total.items else ZERO)
    minutes = vol * (rate * per_auto + (1 - rate) * per_manual)
    gross = minutes / SIXTY * hourly
    return {
        "volume_per_year": r(vol),
        "auto_rate": r(rate, "0.0001"),
        "saved_minutes_per_auto_item": r(per_auto, "0.0001"),
        "saved_minutes_per_manual_item": r(per_manual, "0.0001"),
        "hours_saved_per_year": r(minutes / SIXTY),
        "projection": projection(model, gross),
    }


SENSITIVITY_LABELS = {
    "minutes": ("Minuter per manuellt steg", "min borttagna per försändelse"),
    "hourly_cost": ("Timkostnad", "kr/h"),
    "volume": ("Volym", "försändelser per år"),
}


def sensitivity(
    model: RoiModelData, total: Bucket, hourly: Decimal, per_year: Decimal, days: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """NPV, payback and yearly net under low/base/high values of the three most uncertain inputs.

    Saved minutes in the period = m x removed - (after-steps + measured human + misroutes), where m
    scales the minutes of the manual (before) steps; yearly gross = saved minutes / 60 x hourly cost x h
    x 365 / days x v, with h the hourly cost factor and v the volume factor. low = 1 - f, high = 1 + f
    for the model's f per input. One input varies at a time (the others at base); rows are ordered by
    their NPV swing, largest first (a tornado). Returns (the table, the range: all three low / all high).
    """
    f = model.sensitivity
    cost = total.removed_min - total.saved_min  # after-steps + measured human + misroutes

    def run(km: Decimal, kh: Decimal, kv: Decimal) -> dict[str, Any]:
        minutes = total.removed_min * km - cost
        return projection(model, minutes / SIXTY * hourly * kh * 365 / days * kv)

    one, base = Decimal(1), run(Decimal(1), Decimal(1), Decimal(1))
    n = total.items or 1
    rows: list[dict[str, Any]] = []
    inputs = (
        ("minutes", f.minutes, total.removed_min / n),
        ("hourly_cost", f.hourly_cost, hourly),
        ("volume", f.volume, per_year),
    )
    for index, (key, factor, value) in enumerate(inputs):
        lo_k, hi_k = one - dec(factor), one + dec(factor)
        results = []
        for k in (lo_k, one, hi_k):
            ks = [one, one, one]
            ks[index] = k
            results.append(run(*ks))
        label, unit = SENSITIVITY_LABELS[key]
        rows.append(
            {
                "input": key,
                "label": label,
                "unit": unit,
                "factor": factor,
                "values": [r(value * lo_k), r(value), r(value * hi_k)],
                "npv": [p["npv"] for p in results],
                "yearly_net_savings": [p["yearly_net_savings"] for p in results],
                "payback_month": [p["payback_month"] for p in results],
            }
        )
    rows.sort(key=lambda row: (-abs(row["npv"][2] - row["npv"][0]), row["input"]))
    low = run(*(one - dec(x) for x in (f.minutes, f.hourly_cost, f.volume)))
    high = run(*(one + dec(x) for x in (f.minutes, f.hourly_cost, f.volume)))

    def span(key: str) -> list[Any]:
        """[smallest, largest]; a missing payback (never) sorts last."""
        values = [low[key], high[key]]
        return sorted(v for v in values if v is not None) + [v for v in values if v is None]

    table = {"factors": f.model_dump(), "base_npv": base["npv"], "rows": rows}
    rng = {key: span(key) for key in ("yearly_gross_savings", "yearly_net_savings", "npv", "payback_month")}
    return table, rng
