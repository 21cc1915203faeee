"""The ROI model (validated, versioned): the process before and after the service, costs, sensitivity.

Shape (E-kalkyl's nuläge and börläge):
    {"before": {"steps": [...], "doc_types": {"reklam": [...]}},  # the manual process, per item
     "after": {"steps": [...]},                                   # what people still do with the service
     "monthly_salary": ..., "hourly_rate": ..., "investment": ..., "sensitivity": {...}, ...}

Versions stored before the before/after split ({"steps": [...], "doc_type_steps": {...}}) are read
forward by `_upgrade_legacy`: their steps become the `before` list with the default evidence for the
known step keys, and the `after` list is the default one (the row in the database is left as saved).
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

Unit = Literal["item", "page", "sheet"]
# What measures an after-step instead of the model's minutes: a group of human time on the item's
# events (see repository.HUMAN_GROUPS), or the scanner's batch time from the hot folder.
Measure = Literal["registry", "separation", "registration", "department", "scanner"]
HUMAN_MEASURES = ("registry", "separation", "registration", "department")
HANDLED = "handled"  # evidence that every handled item has (first routed in the period)
EVIDENCE_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


def dec(value: float | int | str | Decimal) -> Decimal:
    """Decimal from the shortest repr, so 0.03 is 0.03 and not 0.0299999…"""
    return value if isinstance(value, Decimal) else Decimal(str(value))


class BeforeStep(BaseModel):
    """A manual step (nuläge); removed for an item only when the item has one of `removed_by` (events)."""

    key: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    minutes: float = Field(ge=0, le=600)
    unit: Unit = "item"
    removed_by: list[str] = Field(default_factory=list, max_length=10)

    @field_validator("removed_by")
    @classmethod
    def _evidence_names(cls, names: list[str]) -> list[str]:
        bad = [n for n in names if not re.match(EVIDENCE_PATTERN, n)]
        if bad:
            raise ValueError(f"removed_by names event actions (a-z, 0-9, _): {bad}")
        return names


class AfterStep(BaseModel):
    """A step people still do with the service (börläge); `measured_by` replaces the minutes by a measurement."""

    key: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    minutes: float = Field(default=0.0, ge=0, le=600)
    unit: Unit = "item"
    measured_by: Measure | None = None


def _unique(steps: list[Any], where: str) -> None:
    keys = [s.key for s in steps]
    if len(keys) != len(set(keys)):
        raise ValueError(f"{where}: step keys must be unique")


class BeforeProcess(BaseModel):
    steps: list[BeforeStep] = Field(min_length=1)
    doc_types: dict[str, list[BeforeStep]] = Field(default_factory=dict)  # a document type's own manual steps

    @model_validator(mode="after")
    def _check(self) -> BeforeProcess:
        _unique(self.steps, "before.steps")
        for doc_type, steps in self.doc_types.items():
            if not steps:
                raise ValueError(f"before.doc_types[{doc_type!r}] must list at least one step")
            _unique(steps, f"before.doc_types[{doc_type!r}]")
        return self

    def for_doc_type(self, doc_type: str | None) -> list[BeforeStep]:
        return self.doc_types.get(doc_type, self.steps) if doc_type else self.steps


class AfterProcess(BaseModel):
    steps: list[AfterStep] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> AfterProcess:
        _unique(self.steps, "after.steps")
        return self


class Sensitivity(BaseModel):
    """Relative spread of the three most uncertain inputs: low = base x (1 - f), high = base x (1 + f)."""

    minutes: float = Field(default=0.25, ge=0, le=0.9)  # minutes of the manual (before) steps
    hourly_cost: float = Field(default=0.10, ge=0, le=0.9)
    volume: float = Field(default=0.20, ge=0, le=0.9)


class RoiModelData(BaseModel):
    before: BeforeProcess
    after: AfterProcess
    pages_per_sheet: int = Field(default=1, ge=1, le=2)  # 2 when scanning duplex: a sheet holds two pages
    monthly_salary: float = Field(gt=0)
    hours_per_month: float = Field(default=142.0, gt=0, le=744)
    markup: float = Field(default=1.54, ge=1, le=5)
    # A flat hourly cost (kr/h, already loaded with fees and overhead) instead of salary / hours x markup.
    hourly_rate: float | None = Field(default=None, gt=0)
    # Unmeasured extra handling per misroute (each reroute of a routed item, each return "fel mottagare").
    misroute_minutes: float = Field(default=3.0, ge=0, le=600)
    investment: float = Field(default=0.0, ge=0)
    yearly_running_cost: float = Field(default=0.0, ge=0)
    discount_rate: float = Field(default=0.03, ge=0, le=1)
    horizon_years: int = Field(default=6, ge=1, le=50)
    currency: str = Field(default="SEK", min_length=3, max_length=3)
    sensitivity: Sensitivity = Field(default_factory=Sensitivity)
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="before")
    @classmethod
    def _upgrade_legacy(cls, data: Any) -> Any:
        if isinstance(data, dict) and "before" not in data and "steps" in data:
            from services.metering.baseline import upgrade_legacy

            return upgrade_legacy(data)
        return data

    def units(self, unit: str, pages: int) -> int:
        pages = max(pages, 1)
        if unit == "page":
            return pages
        if unit == "sheet":
            return math.ceil(pages / self.pages_per_sheet)
        return 1

    def before_minutes(self, doc_type: str | None = None, pages: int = 1) -> Decimal:
        steps = self.before.for_doc_type(doc_type)
        return sum((dec(s.minutes) * self.units(s.unit, pages) for s in steps), Decimal(0))

    def baseline_minutes(self, doc_type: str | None = None) -> Decimal:
        """The manual process of a one-page item (the figure shown next to the model)."""
        return self.before_minutes(doc_type, 1)

    def hourly_cost(self) -> Decimal:
        if self.hourly_rate is not None:
            return dec(self.hourly_rate)
        return dec(self.monthly_salary) / dec(self.hours_per_month) * dec(self.markup)


class RoiDerived(BaseModel):
    baseline_minutes: float  # the before process of a one-page item
    baseline_minutes_by_doc_type: dict[str, float]
    after_model_minutes: float  # the after steps the model estimates (unmeasured), one-page item
    hourly_cost: float
    hourly_cost_source: str  # "salary" (monthly_salary / hours_per_month x markup) or "flat" (hourly_rate)


class RoiModelOut(BaseModel):
    version: int  # 0 = the built-in default, never stored
    created_at: datetime | None
    created_by: str
    data: RoiModelData
    derived: RoiDerived

    # The shape: GET /api/v1/roi/model -> {"before": {"steps": [...]}, "after": {"steps": [...]}, ...}
    before: BeforeProcess | None = None
    after: AfterProcess | None = None

    @model_validator(mode="after")
    def _mirror(self) -> RoiModelOut:
        self.before = self.data.before
        self.after = self.data.after
        return self
