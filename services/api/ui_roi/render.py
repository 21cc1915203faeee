"""Turn a report and its model into the dashboard HTML; used by the route and by bench/roi_dashboard_demo.py.

The page extends the app's base.html (navigation, account, logout): the template environment is an
overlay of the UI's, so it sees the same globals and base template, with this package's templates first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import ChoiceLoader, Environment, FileSystemLoader

from services.api.ui.render import templates as ui_templates
from services.api.ui.texts import doc_type_label
from services.api.ui_roi import charts, charts_flows
from services.metering.baseline import ASSUMPTIONS, CHANNEL_LABELS, MEASURE_LABELS, UNIT_LABELS
from services.metering.export import period_text
from services.metering.schemas import RoiModelOut

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> Environment:
    base = ui_templates.env
    assert base.loader is not None
    env = base.overlay(loader=ChoiceLoader([FileSystemLoader(TEMPLATES), base.loader]))
    env.filters = dict(base.filters)  # our filters stay ours
    env.filters["num"] = charts.sv_number
    env.filters["pct"] = lambda v, d=1: charts.sv_number(float(v) * 100, d) + " %"
    return env


def stamp(report: dict[str, Any]) -> str:
    """The data period and model version, written on every figure."""
    return f"Period {period_text(report)} · kalkylmodell version {report['model_version']}"


def render_dashboard(
    report: dict[str, Any], model: RoiModelOut, *, export_base: str = "/ui/roi", page: dict[str, Any] | None = None
) -> str:
    """`page` is the app's page context (user, nav, csrf, path); without it the page has no menu."""
    period = {k: v for k, v in (("from", report["period"]["from"]), ("to", report["period"]["to"])) if v}
    query = ("?" + urlencode(period)) if period else ""
    s = stamp(report)
    context: dict[str, Any] = {"user": None, "nav": [], "csrf": "", "path": "/ui/roi", **(page or {})}
    return (
        environment()
        .get_template("roi.html")
        .render(
            **context,
            r=report,
            model=model,
            stamp=s,
            period_text=period_text(report),
            assumptions=ASSUMPTIONS,
            channel_labels=CHANNEL_LABELS,
            unit_labels=UNIT_LABELS,
            measure_labels=MEASURE_LABELS,
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            csv_url=f"{export_base}/report.csv{query}",
            json_url=f"{export_base}/report.json{query}",
            pdf_url=f"{export_base}/report.pdf{query}",
            weekly_svg=charts.weekly_bars(report["weeks"], stamp=s),
            payback_svg=charts.payback_curve(report["projection"], stamp=s),
            department_svg=charts.department_bars(report["departments"], stamp=s),
            flow_svg=charts_flows.flow_bars(_labelled(report["flows"]), limit=30, stamp=s),
            tornado_svg=charts_flows.tornado(report["sensitivity"], stamp=s),
        )
    )


def _labelled(flows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The flows with their document type in words, as a registrar reads it ("Klagomål", not "klagomal")."""
    return [
        {
            **f,
            "label": f"{doc_type_label(f['doc_type'])} · {CHANNEL_LABELS.get(f['channel'], f['channel'])} · "
            f"{f.get('department_name') or f['department']}",
        }
        for f in flows
    ]
