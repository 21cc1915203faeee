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
        ("hours saved", _n(report["hours_saved"])),
        ("kronor saved", f"{_n(report['kronor_saved'])} {cur}"),
    ]
    p = report["projection"]
    if p:
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
    out.print(_breakdown("Per department", "code", report["departments"]))
    out.print(_breakdown("Per document type", "doc_type", report["doc_types"]))
    out.print(_breakdown("Per ISO week", "week", report["weeks"]))
