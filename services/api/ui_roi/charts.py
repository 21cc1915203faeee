"""Inline SVG charts drawn on the server: no JavaScript, printable, and the numbers are in the markup.

Each function returns an SVG string (markupsafe.Markup) sized by a viewBox, so it scales with the page.
All text is escaped; the figures come from the report, never from user input, but a department name could.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

BLUE = "#1f5fa8"
GREEN = "#2e8540"
RED = "#b3261e"
GREY = "#6b7280"
GRID = "#e5e7eb"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"'


def sv_number(value: float, decimals: int = 0) -> str:
    """Swedish formatting: thin-space thousands, decimal comma, real minus sign."""
    text = f"{abs(value):,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return ("−" if value < 0 and float(text.replace("\u202f", "").replace(",", ".")) != 0 else "") + text


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (low <= 0 <= high is not required)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(low / step) * step
    ticks = []
    t = start
    while t < high + step * 0.999:
        ticks.append(round(t, 10))
        t += step
    return ticks


def _svg(width: int, height: int, body: list[str], title: str, stamp: str = "") -> Markup:
    """The chart; `stamp` (data period and model version) is written under it, inside the figure."""
    if stamp:
        body = [
            *body,
            f'<text x="{width - 4}" y="{height + 14}" text-anchor="end" fill="{GREY}" font-size="11">'
            f"{escape(stamp)}</text>",
        ]
        height += 18
    return Markup(
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" {FONT} font-size="12">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _y_axis(ticks: list[float], y: Any, left: int, right: int, unit: str, decimals: int) -> list[str]:
    out = []
    for t in ticks:
        out.append(f'<line x1="{left}" x2="{right}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="{GRID}"/>')
        out.append(
            f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end" fill="{GREY}">'
            f"{sv_number(t, decimals)}{unit}</text>"
        )
    return out


def _empty(width: int, message: str, title: str, stamp: str = "") -> Markup:
    return _svg(width, 60, [f'<text x="10" y="35" fill="{GREY}">{escape(message)}</text>'], title, stamp)


def weekly_bars(
    weeks: Sequence[dict[str, Any]], key: str = "hours_saved", width: int = 900, height: int = 260, stamp: str = ""
) -> Markup:
    """Hours saved per ISO week as columns (negative weeks drawn red, below the zero line)."""
    title = "Sparade timmar per vecka"
    if not weeks:
        return _empty(width, "Inga hanterade försändelser i perioden.", title, stamp)
    left, right, top, bottom = 56, width - 12, 14, height - 34
    values = [float(w[key]) for w in weeks]
    ticks = nice_ticks(min(0.0, *values), max(0.0, *values))
    lo, hi = ticks[0], ticks[-1]

    def y(v: float) -> float:
        return bottom - (v - lo) / (hi - lo) * (bottom - top)

    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    body = _y_axis(ticks, y, left, right, " h", 0 if step >= 1 else 1 if step >= 0.1 else 2)
    slot = (right - left) / len(weeks)
    bar = max(2.0, slot * 0.7)
    label_every = max(1, math.ceil(len(weeks) / 16))
    for i, (w, v) in enumerate(zip(weeks, values, strict=True)):
        x = left + i * slot + (slot - bar) / 2
        y0, y1 = sorted((y(0), y(v)))
        colour = RED if v < 0 else BLUE
        body.append(
            f'<rect x="{x:.1f}" y="{y0:.1f}" width="{bar:.1f}" height="{max(y1 - y0, 0.5):.1f}" fill="{colour}">'
            f"<title>{escape(w['week'])}: {sv_number(v, 2)} h, {sv_number(float(w['kronor_saved']))} kr, "
            f"{w['items_handled']} st</title></rect>"
        )
        if i % label_every == 0:
            body.append(
                f'<text x="{x + bar / 2:.1f}" y="{bottom + 16}" text-anchor="middle" fill="{GREY}">'
                f"{escape(w['week'][5:])}</text>"
            )
    body.append(f'<line x1="{left}" x2="{right}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="{GREY}"/>')
    return _svg(width, height, body, title, stamp)


def payback_curve(projection: dict[str, Any] | None, width: int = 900, height: int = 300, stamp: str = "") -> Markup:
    """Cumulative net savings month by month over the horizon against the investment; payback marked.

    A provisional projection draws the band between its low and high yearly net (the range), with no
    single line and no single payback point.
    """
    title = "Ackumulerad besparing mot investeringen"
    if not projection:
        return _empty(width, "Ingen prognos utan hanterade försändelser.", title, stamp)
    months = int(projection["horizon_years"]) * 12
    investment = float(projection["investment"])
    provisional = bool(projection.get("provisional"))
    if provisional:
        lo, hi = (float(v) / 12 for v in projection["range"]["yearly_net_savings"])
    else:
        lo = hi = float(projection["yearly_net_savings"]) / 12
    left, right, top, bottom = 78, width - 16, 16, height - 38
    ends = (lo * months, hi * months)
    ticks = nice_ticks(min(0.0, *ends), max(investment, *ends, 1.0))
    t_lo, t_hi = ticks[0], ticks[-1]

    def x(m: float) -> float:
        return left + m / months * (right - left)

    def y(v: float) -> float:
        return bottom - (v - t_lo) / (t_hi - t_lo) * (bottom - top)

    body = _y_axis(ticks, y, left, right, "", 0)
    for year in range(int(projection["horizon_years"]) + 1):
        xx = x(year * 12)
        body.append(
            f'<text x="{xx:.1f}" y="{bottom + 18}" text-anchor="middle" fill="{GREY}">år {year}</text>'
            f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{bottom}" y2="{bottom + 4}" stroke="{GREY}"/>'
        )
    if provisional:
        band = f"{x(0):.1f},{y(0):.1f} {x(months):.1f},{y(hi * months):.1f} {x(months):.1f},{y(lo * months):.1f}"
        body.append(
            f'<polygon points="{band}" fill="{GREEN}" fill-opacity="0.18" stroke="{GREEN}" stroke-width="1.5"/>'
        )
    else:
        path = " ".join(f"{x(m):.1f},{y(lo * m):.1f}" for m in range(months + 1))
        body.append(f'<polyline points="{path}" fill="none" stroke="{GREEN}" stroke-width="2.5"/>')
    body.append(
        f'<line x1="{left}" x2="{right}" y1="{y(investment):.1f}" y2="{y(investment):.1f}" '
        f'stroke="{RED}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        f'<text x="{left + 6}" y="{y(investment) - 6:.1f}" fill="{RED}">Investering {sv_number(investment)} kr</text>'
    )
    pm = projection.get("payback_month")
    if provisional:
        first, last = projection["range"]["payback_month"]
        text = "Preliminär: " + (
            "återbetalas inte inom intervallet"
            if first is None
            else f"återbetald efter {first}–{last} mån"
            if last is not None
            else f"återbetald efter {first} mån – aldrig"
        )
        body.append(
            f'<text x="{right - 6}" y="{top + 14}" text-anchor="end" font-weight="600" fill="#8a5a00">'
            f"{escape(text)}</text>"
        )
    elif pm is not None and pm <= months:
        px, py = x(pm), y(lo * pm)
        anchor = "end" if px > (left + right) / 2 else "start"
        dx = -10 if anchor == "end" else 10
        body.append(
            f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{py:.1f}" y2="{bottom}" stroke="{GREY}" stroke-dasharray="3 3"/>'
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="6" fill="#fff" stroke="{GREEN}" stroke-width="3"/>'
            f'<text x="{px + dx:.1f}" y="{py + 22:.1f}" text-anchor="{anchor}" font-weight="600" fill="#111">'
            f"Återbetald efter {pm} mån</text>"
        )
    else:
        body.append(
            f'<text x="{right - 6}" y="{top + 14}" text-anchor="end" font-weight="600" fill="{RED}">'
            "Investeringen återbetalas inte inom kalkylperioden</text>"
        )
    return _svg(width, height, body, title, stamp)


def department_bars(
    departments: Sequence[dict[str, Any]], width: int = 900, bar_height: int = 26, stamp: str = ""
) -> Markup:
    """Hours saved per department as horizontal bars, largest first, with kronor and item counts."""
    title = "Sparade timmar per förvaltning"
    rows = sorted(departments, key=lambda d: float(d["hours_saved"]), reverse=True)
    if not rows:
        return _empty(width, "Inga förvaltningar i perioden.", title, stamp)
    left, right, top = 250, width - 190, 6
    height = top + len(rows) * bar_height + 8
    values = [float(d["hours_saved"]) for d in rows]
    lo, hi = min(0.0, *values), max(0.0, *values) or 1.0

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (right - left)

    body = []
    for i, (d, v) in enumerate(zip(rows, values, strict=True)):
        yy = top + i * bar_height
        label = _short(d.get("name") or d.get("code") or "-", 30)
        x0, x1 = sorted((x(0), x(v)))
        body.append(
            f'<text x="{left - 8}" y="{yy + bar_height * 0.65:.1f}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{x0:.1f}" y="{yy + 4}" width="{max(x1 - x0, 0.5):.1f}" height="{bar_height - 8}" '
            f'fill="{RED if v < 0 else BLUE}"/>'
            f'<text x="{x1 + 6:.1f}" y="{yy + bar_height * 0.65:.1f}" fill="#111">{sv_number(v, 1)} h · '
            f"{sv_number(float(d['kronor_saved']))} kr · {d['items_handled']} st</text>"
        )
    body.append(f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{top}" y2="{height - 4}" stroke="{GREY}"/>')
    return _svg(width, height, body, title, stamp)


def _short(label: str, n: int) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"
