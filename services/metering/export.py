"""CSV export of a report: one row for the total, then one per flow (ranked), week, department and document type."""

from __future__ import annotations

import csv
import io
from typing import Any

COLUMNS = (
    "model_version",
    "period_from",
    "period_to",
    "section",
    "key",
    "name",
    "items_handled",
    "auto_routed",
    "auto_routed_share",
    "human_seconds",
    "registry_seconds",
    "department_seconds",
    "misroutes",
    "before_minutes_per_item",
    "after_minutes_per_item",
    "saved_share",
    "hours_saved",
    "kronor_saved",
    "rank",
    "provisional",
)


def period_text(report: dict[str, Any]) -> str:
    """The period asked for, as shown on every figure; an open end shows the first or last day with handled mail."""
    p, d = report["period"], report.get("data_period") or {}
    return f"{p['from'] or d.get('first') or 'första'} – {p['to'] or d.get('last') or 'senaste'}"


def report_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    common = {
        "provisional": "" if report["projection"] is None else str(report["projection"]["provisional"]).lower(),
        "model_version": report["model_version"],
        "period_from": report["period"]["from"] or "",
        "period_to": report["period"]["to"] or "",
    }
    rows = [{**report, "section": "total", "key": "total", "name": ""}]
    rows += [{**f, "section": "flow", "name": f["label"]} for f in report["flows"]]
    rows += [{**w, "section": "week", "key": w["week"], "name": w["start"]} for w in report["weeks"]]
    rows += [{**d, "section": "department", "key": d["code"], "name": d["name"] or ""} for d in report["departments"]]
    rows += [{**t, "section": "doc_type", "key": t["doc_type"], "name": ""} for t in report["doc_types"]]
    return [{c: {**row, **common}.get(c, "") for c in COLUMNS} for row in rows]


def report_csv(report: dict[str, Any]) -> str:
    """Comma-separated, dot decimals, UTF-8; a spreadsheet opens it, a controller can re-add the rows."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(report_rows(report))
    return out.getvalue()
