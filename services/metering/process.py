"""Before and after for one item: which manual steps the service removed, what is left, what was measured.

Pure functions on Decimals (nothing here reads the database). For an item:
    before   = the manual process: sum of its before-steps (minutes x units: item, page or sheet)
    removed  = the before-steps the service did for THIS item (the item has one of the step's
               `removed_by` event actions; "handled" = every handled item)
    after    = the before-steps still done by hand (before - removed)
             + the after-steps the model estimates (the scanning step by the scanner's measured time
               per page when the hot folder gives one) + measured human minutes (every human second
               on the item's events) + misroute_minutes x (reroutes + returns)
    saved    = before - after = removed - after-steps - human - misroute   (may be negative)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from services.metering.baseline import EVIDENCE_LABELS, MEASURE_LABELS, UNIT_LABELS
from services.metering.repository import HandledItem
from services.metering.schemas import HANDLED, HUMAN_MEASURES, BeforeStep, RoiModelData, dec

SIXTY = Decimal(60)
ZERO = Decimal(0)


@dataclass(frozen=True)
class ItemCalc:
    before: Decimal
    removed: Decimal
    after_steps: Decimal
    human: Decimal
    misroute: Decimal
    removed_keys: frozenset[str] = frozenset()
    before_by_step: tuple[tuple[BeforeStep, Decimal], ...] = ()  # (step, minutes for this item)
    after_by_step: tuple[tuple[str, Decimal], ...] = ()  # (after-step key, minutes) of the unmeasured steps

    @property
    def after(self) -> Decimal:
        return self.before - self.removed + self.after_steps + self.human + self.misroute

    @property
    def saved(self) -> Decimal:
        return self.removed - self.after_steps - self.human - self.misroute


@dataclass(frozen=True)
class ScannerMeasure:
    """The scanner's time per page, from the hot folder: in each batch (files taken with less than
    `gap` seconds between them) the time from the first file to the last, divided by the pages of the
    files after the first (the first file's own scanning happened before the batch's clock starts)."""

    batches: int
    files: int
    pages: int
    seconds: Decimal

    @property
    def minutes_per_page(self) -> Decimal:
        return self.seconds / self.pages / SIXTY

    def as_dict(self) -> dict[str, Any]:
        return {
            "batches": self.batches,
            "files": self.files,
            "pages": self.pages,
            "seconds": float(self.seconds),
            "seconds_per_page": float(round(self.seconds / self.pages, 3)),
        }


def scanner_measure(receipts: Sequence[tuple[datetime, int]], gap_seconds: float) -> ScannerMeasure | None:
    """None when no batch of at least two files was taken in the period."""
    batches: list[list[tuple[datetime, int]]] = []
    for at, pages in receipts:
        if batches and (at - batches[-1][-1][0]).total_seconds() <= gap_seconds:
            batches[-1].append((at, pages))
        else:
            batches.append([(at, pages)])
    used = [b for b in batches if len(b) >= 2]
    pages = sum(max(p, 1) for b in used for _, p in b[1:])
    seconds = sum((dec((b[-1][0] - b[0][0]).total_seconds()) for b in used), ZERO)
    if not used or not pages or seconds <= 0:
        return None
    return ScannerMeasure(len(used), sum(len(b) for b in used), pages, seconds)


def is_removed(step: BeforeStep, item: HandledItem) -> bool:
    return HANDLED in step.removed_by or not item.actions.isdisjoint(step.removed_by)


def item_calc(model: RoiModelData, item: HandledItem, scanner: ScannerMeasure | None) -> ItemCalc:
    before_by_step = tuple(
        (step, dec(step.minutes) * model.units(step.unit, item.pages))
        for step in model.before.for_doc_type(item.doc_type)
    )
    removed_keys = frozenset(step.key for step, _ in before_by_step if is_removed(step, item))
    after_by_step = []
    for a in model.after.steps:
        if a.measured_by in HUMAN_MEASURES:
            continue  # measured on the item: in `human`
        if a.measured_by == "scanner" and scanner is not None:
            after_by_step.append((a.key, scanner.minutes_per_page * max(item.pages, 1)))
        else:
            after_by_step.append((a.key, dec(a.minutes) * model.units(a.unit, item.pages)))
    return ItemCalc(
        before=sum((m for _, m in before_by_step), ZERO),
        removed=sum((m for step, m in before_by_step if step.key in removed_keys), ZERO),
        after_steps=sum((m for _, m in after_by_step), ZERO),
        human=dec(item.human_seconds) / SIXTY,
        misroute=dec(model.misroute_minutes) * (item.reroutes + item.returns),
        removed_keys=removed_keys,
        before_by_step=before_by_step,
        after_by_step=tuple(after_by_step),
    )


@dataclass
class StepTally:
    """The report's step table: per before-step how often the service did it, per after-step the minutes."""

    before: dict[str, dict[str, Any]] = field(default_factory=dict)
    after_minutes: dict[str, Decimal] = field(default_factory=dict)
    human_groups: dict[str, Decimal] = field(default_factory=dict)
    kept_minutes: Decimal = ZERO
    misroute_minutes: Decimal = ZERO
    items: int = 0

    def add(self, item: HandledItem, calc: ItemCalc) -> None:
        self.items += 1
        for step, minutes in calc.before_by_step:
            row = self.before.setdefault(
                step.key, {"step": step, "items": 0, "items_removed": 0, "minutes": ZERO, "minutes_removed": ZERO}
            )
            row["items"] += 1
            row["minutes"] += minutes
            if step.key in calc.removed_keys:
                row["items_removed"] += 1
                row["minutes_removed"] += minutes
            else:
                self.kept_minutes += minutes
        for key, minutes in calc.after_by_step:
            self.after_minutes[key] = self.after_minutes.get(key, ZERO) + minutes
        for group, seconds in item.human_by_group.items():
            self.human_groups[group] = self.human_groups.get(group, ZERO) + dec(seconds) / SIXTY
        self.misroute_minutes += calc.misroute

    def table(self, model: RoiModelData, scanner: ScannerMeasure | None) -> dict[str, Any]:
        def r(v: Decimal) -> float:
            return float(round(v, 4))

        before_rows = []
        for key, row in self.before.items():
            step: BeforeStep = row["step"]
            before_rows.append(
                {
                    "key": key,
                    "name": step.name,
                    "minutes": step.minutes,
                    "unit": step.unit,
                    "unit_label": UNIT_LABELS[step.unit],
                    "removed_by": step.removed_by,
                    "evidence": " eller ".join(EVIDENCE_LABELS.get(e, f"händelse {e}") for e in step.removed_by)
                    or "aldrig (görs alltid för hand)",
                    "items": row["items"],
                    "items_removed": row["items_removed"],
                    "minutes_total": r(row["minutes"]),
                    "minutes_removed": r(row["minutes_removed"]),
                }
            )
        measured_groups = {a.measured_by for a in model.after.steps if a.measured_by in HUMAN_MEASURES}
        after_rows = []
        for a in model.after.steps:
            if a.measured_by in HUMAN_MEASURES:
                minutes, source = self.human_groups.get(a.measured_by, ZERO), "measured"
            elif a.measured_by == "scanner" and scanner is not None:
                minutes, source = self.after_minutes.get(a.key, ZERO), "measured"
            else:
                minutes, source = self.after_minutes.get(a.key, ZERO), "model"
            after_rows.append(
                {
                    "key": a.key,
                    "name": a.name,
                    "minutes": a.minutes,
                    "unit": a.unit,
                    "unit_label": UNIT_LABELS[a.unit],
                    "measured_by": a.measured_by,
                    "source": source,
                    "source_label": MEASURE_LABELS.get(a.measured_by or "", "modellvärde")
                    if source == "measured"
                    else "modellvärde (ej uppmätt)",
                    "minutes_total": r(minutes),
                }
            )
        other = sum((m for g, m in self.human_groups.items() if g not in measured_groups), ZERO)
        extra = [
            ("kept_manual", "Manuella steg som finns kvar (tjänsten gjorde dem inte)", self.kept_minutes, "model"),
            ("other_human", "Övrig uppmätt tid i tjänsten (t.ex. visning)", other, "measured"),
            ("misroutes", "Felsorteringar (omroutning, retur)", self.misroute_minutes, "model"),
        ]
        for key, name, minutes, source in extra:
            after_rows.append({"key": key, "name": name, "source": source, "minutes_total": r(minutes)})
        return {"before": before_rows, "after": after_rows}
