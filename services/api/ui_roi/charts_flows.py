"""Inline SVG for the before/after comparison per flow and the sensitivity (tornado) of the NPV."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

from services.api.ui_roi.charts import BLUE, GREEN, GREY, RED, _empty, _short, _svg, sv_number

BEFORE = "#9aa4b2"


def flow_bars(
    flows: Sequence[dict[str, Any]], limit: int = 12, width: int = 900, row_height: int = 40, stamp: str = ""
) -> Markup:
    """Per flow (ranked), minutes per item before (grey) and after (blue), with volume and kronor saved."""
    title = "Före och efter per flöde (minuter per försändelse)"
    rows = list(flows[:limit])
    if not rows:
        return _empty(width, "Inga flöden i perioden.", title, stamp)
    left, right, top = 300, width - 250, 22
    height = top + len(rows) * row_height + 6
    peak = max(max(float(f["before_minutes_per_item"]), float(f["after_minutes_per_item"])) for f in rows) or 1.0

    def x(v: float) -> float:
        return left + max(v, 0.0) / peak * (right - left)

    body = [
        f'<rect x="{left}" y="4" width="10" height="10" fill="{BEFORE}"/>'
        f'<text x="{left + 14}" y="13" fill="{GREY}">före (manuellt)</text>'
        f'<rect x="{left + 120}" y="4" width="10" height="10" fill="{BLUE}"/>'
        f'<text x="{left + 134}" y="13" fill="{GREY}">efter (med tjänsten, uppmätt + modell)</text>'
    ]
    for i, f in enumerate(rows):
        yy = top + i * row_height
        before, after = float(f["before_minutes_per_item"]), float(f["after_minutes_per_item"])
        label = _short(f"{f['rank']}. {f['label']}", 40)
        colour = RED if after > before else BLUE
        body.append(
            f'<text x="{left - 8}" y="{yy + row_height * 0.55:.1f}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{left}" y="{yy + 3}" width="{max(x(before) - left, 0.5):.1f}" height="15" fill="{BEFORE}">'
            f"<title>före {sv_number(before, 2)} min per försändelse</title></rect>"
            f'<rect x="{left}" y="{yy + 20}" width="{max(x(after) - left, 0.5):.1f}" height="15" fill="{colour}">'
            f"<title>efter {sv_number(after, 2)} min per försändelse</title></rect>"
            f'<text x="{x(before) + 6:.1f}" y="{yy + 15}" fill="#111">{sv_number(before, 1)} min</text>'
            f'<text x="{x(after) + 6:.1f}" y="{yy + 32}" fill="#111">{sv_number(after, 1)} min</text>'
            f'<text x="{width - 4}" y="{yy + row_height * 0.55:.1f}" text-anchor="end" fill="#111">'
            f"{f['items_handled']} st · {sv_number(float(f['saved_share']) * 100)} % · "
            f"{sv_number(float(f['kronor_saved']))} kr</text>"
        )
    if len(flows) > limit:
        body.append(f'<text x="{left}" y="{height - 2}" fill="{GREY}">… och {len(flows) - limit} flöden till</text>')
        height += 10
    return _svg(width, height, body, title, stamp)


def tornado(sensitivity: dict[str, Any] | None, width: int = 900, row_height: int = 34, stamp: str = "") -> Markup:
    """NPV at the low and high value of each uncertain input (the others at base), widest swing on top."""
    title = "Känslighet: nuvärde vid låg och hög nivå"
    if not sensitivity:
        return _empty(width, "Ingen känslighetsanalys utan hanterade försändelser.", title, stamp)
    rows = sensitivity["rows"]
    label_end, left, right, top = 236, 330, width - 100, 24
    height = top + len(rows) * row_height + 24
    values = [float(v) for r in rows for v in (r["npv"][0], r["npv"][2])] + [float(sensitivity["base_npv"]), 0.0]
    lo, hi = min(values), max(values)
    if hi == lo:
        hi = lo + 1

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (right - left)

    base = float(sensitivity["base_npv"])
    body = []
    for i, r in enumerate(rows):
        yy = top + i * row_height
        low, high = float(r["npv"][0]), float(r["npv"][2])
        f = sv_number(float(r["factor"]) * 100)
        label = escape(f"{r['label']} ±{f} %")
        body.append(f'<text x="{label_end}" y="{yy + row_height * 0.6:.1f}" text-anchor="end">{label}</text>')
        for value, colour in ((low, RED), (high, GREEN)):
            x0, x1 = sorted((x(base), x(value)))
            body.append(
                f'<rect x="{x0:.1f}" y="{yy + 6}" width="{max(x1 - x0, 0.5):.1f}" height="{row_height - 12}" '
                f'fill="{colour}" fill-opacity="0.75"/>'
            )
        for value, tag in ((low, "låg"), (high, "hög")):
            anchor = "end" if x(value) < x(base) else "start"
            dx = -4 if anchor == "end" else 4
            body.append(
                f'<text x="{x(value) + dx:.1f}" y="{yy + row_height * 0.6:.1f}" text-anchor="{anchor}" '
                f'font-size="11" fill="#111">{tag} {sv_number(value)}</text>'
            )
    body.append(
        f'<line x1="{x(base):.1f}" x2="{x(base):.1f}" y1="{top - 6}" y2="{height - 18}" stroke="#111"/>'
        f'<text x="{x(base):.1f}" y="{top - 10}" text-anchor="middle" fill="#111">bas {sv_number(base)} kr</text>'
        f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{top}" y2="{height - 18}" stroke="{GREY}" stroke-dasharray="3 3"/>'
        f'<text x="{x(0):.1f}" y="{height - 6}" text-anchor="middle" fill="{GREY}">0 kr</text>'
    )
    return _svg(width, height, body, title, stamp)
