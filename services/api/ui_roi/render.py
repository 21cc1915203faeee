"""Turn a report and its model into the dashboard HTML; used by the route and by bench/roi_dashboard_demo.py."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.api.ui import texts
from services.api.ui_roi import charts
from services.metering.schemas import RoiModelOut

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["num"] = charts.sv_number
    env.filters["pct"] = lambda v, d=1: charts.sv_number(float(v) * 100, d) + " %"
    env.filters["doc_type"] = texts.doc_type_label
    return env


def render_dashboard(report: dict[str, Any], model: RoiModelOut, *, export_base: str = "/ui/roi") -> str:
    period = {k: v for k, v in (("from", report["period"]["from"]), ("to", report["period"]["to"])) if v}
    query = ("?" + urlencode(period)) if period else ""
    return (
        environment()
        .get_template("roi.html")
        .render(
            r=report,
            model=model,
            assumptions=texts.ROI_ASSUMPTIONS,  # Swedish, kept with the UI's other texts (issue 14)
            formula=texts.ROI_FORMULA,
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            csv_url=f"{export_base}/report.csv{query}",
            json_url=f"{export_base}/report.json{query}",
            weekly_svg=charts.weekly_bars(report["weeks"]),
            payback_svg=charts.payback_curve(report["projection"]),
            department_svg=charts.department_bars(report["departments"]),
        )
    )
