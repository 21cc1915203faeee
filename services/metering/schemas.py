"""The ROI model (validated, versioned) and its derived figures."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field, field_validator, model_validator


def dec(value: float | int | str | Decimal) -> Decimal:
    """Decimal from the shortest repr, so 0.03 is 0.03 and not 0.0299999…"""
    return value if isinstance(value, Decimal) else Decimal(str(value))


class BaselineStep(BaseModel):
    key: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    minutes: float = Field(ge=0, le=600)


class RoiModelData(BaseModel):
    steps: list[BaselineStep] = Field(min_length=1)
    doc_type_steps: dict[str, list[BaselineStep]] = Field(default_factory=dict)
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

    @field_validator("steps")
    @classmethod
    def _unique_keys(cls, steps: list[BaselineStep]) -> list[BaselineStep]:
        keys = [s.key for s in steps]
        if len(keys) != len(set(keys)):
            raise ValueError("step keys must be unique")
        return steps

    @model_validator(mode="after")
    def _doc_types_not_empty(self) -> RoiModelData:
        for doc_type, steps in self.doc_type_steps.items():
            if not steps:
                raise ValueError(f"doc_type_steps[{doc_type!r}] must list at least one step")
        return self

    def baseline_minutes(self, doc_type: str | None = None) -> Decimal:
        steps = self.doc_type_steps.get(doc_type, self.steps) if doc_type else self.steps
        return sum((dec(s.minutes) for s in steps), Decimal(0))

    def hourly_cost(self) -> Decimal:
        if self.hourly_rate is not None:
            return dec(self.hourly_rate)
        return dec(self.monthly_salary) / dec(self.hours_per_month) * dec(self.markup)


class RoiDerived(BaseModel):
    baseline_minutes: float
    baseline_minutes_by_doc_type: dict[str, float]
    hourly_cost: float
    hourly_cost_source: str  # "salary" (monthly_salary / hours_per_month x markup) or "flat" (hourly_rate)


class RoiModelOut(BaseModel):
    version: int  # 0 = the built-in default, never stored
    created_at: datetime | None
    created_by: str
    data: RoiModelData
    derived: RoiDerived
