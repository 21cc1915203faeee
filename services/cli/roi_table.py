"""`posthantering roi` as readable tables on stdout."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _n(value: float | None, decimals: int = 2) -> str:
    return "-" if value is None else f"{value:,.{decimals}f}".replace(",", " ")


def _breakdown(title: str, key: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    for col in (key, "items", "auto %", "human s", "misroutes", "hours", "kronor"):
        table.add_column(col, justify="left" if col == key else "right")
    for r in rows:
        table.add_row(
            str(r.get(key) or "-"),
            str(r["items_handled"]),
            _n(r["auto_routed_share"] * 100, 1),
            _n(r["human_seconds"], 0),
            str(r["misroutes"]),
            _n(r["hours_saved"]),
            _n(r["kronor_saved"]),
        )
    return table


def _flows(rows: list[dict[str, Any]]) -> Table:
    table = Table(
        title="Flows (document type · channel · department), most resource-hungry first", title_justify="left"
    )
    for col in ("#", "flow", "items", "min before", "min after", "saved %", "hours", "kronor"):
        table.add_column(col, justify="left" if col == "flow" else "right")
    for f in rows:
        table.add_row(
            str(f["rank"]),
            f["label"],
            str(f["items_handled"]),
            _n(f["before_minutes_per_item"]),
            _n(f["after_minutes_per_item"]),
            _n(f["saved_share"] * 100, 1),
            _n(f["hours_saved"]),
            _n(f["kronor_saved"]),
        )
    return table


def print_report(report: dict[str, Any], console: Console | None = None) -> None:
    out = console or Console()
    period = report["period"]
    cur = report["currency"]
    out.print(
        f"ROI report {period['from'] or 'start'} .. {period['to'] or 'now'} · model version {report['model_version']}"
        f" · hourly cost {_n(report['hourly_cost'])} {cur}/h"
    )
    summary = Table(show_header=False, box=None)
    summary.add_column(justify="left")
    summary.add_column(justify="right")
    rows = [
        ("items handled", str(report["items_handled"])),
        ("auto-routed", f"{report['auto_routed']} ({_n(report['auto_routed_share'] * 100, 1)} %)"),
        (
            "human touch (registry / departments)",
            f"{_n(report['registry_seconds'], 0)} s / {_n(report['department_seconds'], 0)} s",
        ),
        ("misroutes (reroutes + returns)", str(report["misroutes"])),
        ("machine seconds", _n(report["machine_seconds"], 1)),
        (
            "minutes before / after (all items)",
            f"{_n(report['before_minutes_total'])} / {_n(report['after_minutes_total'])}",
        ),
        ("saved share", f"{_n(report['saved_share'] * 100, 1)} %"),
        ("hours saved", _n(report["hours_saved"])),
        ("kronor saved", f"{_n(report['kronor_saved'])} {cur}"),
    ]
    p = report["projection"]
    if p and p["provisional"]:
        rng = p["range"]
        pay = ["-" if m is None else str(m) for m in rng["payback_month"]]
        rows += [
            ("projection PROVISIONAL", p["provisional_reason"]),
            (
                "yearly net savings (range)",
                f"{_n(rng['yearly_net_savings'][0])} .. {_n(rng['yearly_net_savings'][1])} {cur}",
            ),
            ("NPV (range)", f"{_n(rng['npv'][0])} .. {_n(rng['npv'][1])} {cur}"),
            ("payback month (range)", f"{pay[0]} .. {pay[1]}"),
        ]
    elif p:
        rows += [
            ("projected items a year", _n(p["items_per_year"], 0)),
            ("yearly net savings", f"{_n(p['yearly_net_savings'])} {cur}"),
            (f"NPV ({p['horizon_years']} years, {_n(p['discount_rate'] * 100, 1)} %)", f"{_n(p['npv'])} {cur}"),
            ("payback month", "-" if p["payback_month"] is None else str(p["payback_month"])),
            ("ROI over the horizon", "-" if p["roi_percent"] is None else f"{_n(p['roi_percent'], 1)} %"),
        ]
    for k, v in rows:
        summary.add_row(k, v)
    out.print(summary)
    out.print(_flows(report["flows"]))
    out.print(_breakdown("Per department", "code", report["departments"]))
    out.print(_breakdown("Per document type", "doc_type", report["doc_types"]))
    out.print(_breakdown("Per ISO week", "week", report["weeks"]))
