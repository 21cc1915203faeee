"""`posthantering roi` as readable tables on stdout."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _n(value: float | None, decimals: int = 2) -> str:
    return "-" if value is None else f"{value:,.{decimals}f}".replace(",", " ")


def _breakdown(title: str, key: str, label: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    for col in (label, "poster", "auto %", "manuella s", "felsorteringar", "timmar", "kronor"):
        table.add_column(col, justify="left" if col == label else "right")
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
    table = Table(title="Flöden (dokumenttyp · kanal · förvaltning), mest resurskrävande först", title_justify="left")
    for col in ("#", "flöde", "poster", "min före", "min efter", "sparat %", "timmar", "kronor"):
        table.add_column(col, justify="left" if col == "flöde" else "right")
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
        f"ROI-rapport {period['from'] or 'början'} .. {period['to'] or 'nu'} · modellversion {report['model_version']}"
        f" · timkostnad {_n(report['hourly_cost'])} {cur}/h"
    )
    summary = Table(show_header=False, box=None)
    summary.add_column(justify="left")
    summary.add_column(justify="right")
    rows = [
        ("hanterade poster", str(report["items_handled"])),
        ("automatiskt fördelade", f"{report['auto_routed']} ({_n(report['auto_routed_share'] * 100, 1)} %)"),
        (
            "manuell tid (registratur / förvaltningar)",
            f"{_n(report['registry_seconds'], 0)} s / {_n(report['department_seconds'], 0)} s",
        ),
        ("felsorteringar (omfördelningar + returer)", str(report["misroutes"])),
        ("maskinsekunder", _n(report["machine_seconds"], 1)),
        (
            "minuter före / efter (alla poster)",
            f"{_n(report['before_minutes_total'])} / {_n(report['after_minutes_total'])}",
        ),
        ("sparad andel", f"{_n(report['saved_share'] * 100, 1)} %"),
        ("sparade timmar", _n(report["hours_saved"])),
        ("sparade kronor", f"{_n(report['kronor_saved'])} {cur}"),
    ]
    p = report["projection"]
    if p and p["provisional"]:
        rng = p["range"]
        pay = ["-" if m is None else str(m) for m in rng["payback_month"]]
        rows += [
            ("prognos PRELIMINÄR", p["provisional_reason"]),
            (
                "årlig nettobesparing (intervall)",
                f"{_n(rng['yearly_net_savings'][0])} .. {_n(rng['yearly_net_savings'][1])} {cur}",
            ),
            ("nuvärde (intervall)", f"{_n(rng['npv'][0])} .. {_n(rng['npv'][1])} {cur}"),
            ("återbetalningsmånad (intervall)", f"{pay[0]} .. {pay[1]}"),
        ]
    elif p:
        rows += [
            ("beräknade poster per år", _n(p["items_per_year"], 0)),
            ("årlig nettobesparing", f"{_n(p['yearly_net_savings'])} {cur}"),
            (f"nuvärde ({p['horizon_years']} år, {_n(p['discount_rate'] * 100, 1)} %)", f"{_n(p['npv'])} {cur}"),
            ("återbetalningsmånad", "-" if p["payback_month"] is None else str(p["payback_month"])),
            ("ROI över perioden", "-" if p["roi_percent"] is None else f"{_n(p['roi_percent'], 1)} %"),
        ]
    for k, v in rows:
        summary.add_row(k, v)
    out.print(summary)
    out.print(_flows(report["flows"]))
    out.print(_breakdown("Per förvaltning", "code", "kod", report["departments"]))
    out.print(_breakdown("Per dokumenttyp", "doc_type", "dokumenttyp", report["doc_types"]))
    out.print(_breakdown("Per ISO-vecka", "week", "vecka", report["weeks"]))
