"""The report as a printable one-page A4 PDF for a decision memo (reportlab), all text in Swedish.

Headline figures, the flows (before/after per item, ranked), the projection (a range when
provisional), the sensitivity table, the model's main assumptions and the formula in brief. Every
figure on the page names the data period and the model version (in the header and the footer).
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepInFrame, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from services.metering.baseline import CHANNEL_LABELS
from services.metering.export import period_text

MAX_FLOWS = 10


def sv(value: float | None, decimals: int = 0) -> str:
    """Swedish number: space thousands, decimal comma."""
    if value is None:
        return "–"
    text = f"{abs(value):,.{decimals}f}".replace(",", " ").replace(".", ",")
    return ("−" if value < 0 and text.strip("0, ") else "") + text


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "h1": ParagraphStyle("h1", parent=base["Heading1"], fontSize=15, spaceAfter=2, leading=18),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=10.5, spaceBefore=5, spaceAfter=2, leading=13),
        "p": ParagraphStyle("p", parent=base["BodyText"], fontSize=8, leading=10),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=6.8, leading=8.4, textColor=colors.grey),
        "warn": ParagraphStyle(
            "warn", parent=base["BodyText"], fontSize=8, leading=10, textColor=colors.HexColor("#8a5a00")
        ),
    }


def _table(rows: list[list[str]], widths: list[float], right_from: int = 1) -> Table:
    t = Table(rows, colWidths=widths, repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 7.2),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7.2),
                ("ALIGN", (right_from, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#d9dee5")),
                ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
            ]
        )
    )
    return t


def _basis_row(p: dict[str, Any] | None) -> list[str]:
    return ["Från perioden", f"{p['period_days']} dagar, {sv(p['items_per_year'])} försändelser/år" if p else ""]


def _projection_rows(p: dict[str, Any] | None) -> list[list[str]]:
    if not p:
        return [["Prognos", "ingen (inga hanterade försändelser)"]]
    if p["provisional"]:
        rng = p["range"]
        first, last = rng["payback_month"]
        pay = "återbetalas inte" if first is None else f"{first} – {last if last is not None else 'aldrig'} mån"
        return [
            [
                "Netto per år (preliminärt intervall)",
                f"{sv(rng['yearly_net_savings'][0])} – {sv(rng['yearly_net_savings'][1])} kr",
            ],
            ["Nuvärde (preliminärt intervall)", f"{sv(rng['npv'][0])} – {sv(rng['npv'][1])} kr"],
            ["Återbetalningstid (preliminärt intervall)", pay],
        ]
    pm = p["payback_month"]
    return [
        ["Netto per år", f"{sv(p['yearly_net_savings'])} kr (brutto {sv(p['yearly_gross_savings'])} kr)"],
        [f"Nuvärde ({p['horizon_years']} år, {sv(p['discount_rate'] * 100, 1)} %)", f"{sv(p['npv'])} kr"],
        ["Återbetalningstid", "återbetalas inte" if pm is None else f"{pm} mån"],
        ["ROI över kalkylperioden", "–" if p["roi_percent"] is None else f"{sv(p['roi_percent'], 1)} %"],
    ]


def report_pdf(report: dict[str, Any], model: Any) -> bytes:
    """One A4 page (content is shrunk to fit, never spilled onto a second page)."""
    st = _styles()
    period = period_text(report)
    stamp = f"Period {period} · kalkylmodell version {report['model_version']}"
    p = report["projection"]
    story: list[Any] = [
        Paragraph("Posthantering – besparing före och efter (beslutsunderlag)", st["h1"]),
        Paragraph(stamp + f" · timkostnad {sv(report['hourly_cost'], 2)} kr/h", st["p"]),
    ]
    if p and p["provisional"]:
        story.append(Paragraph(f"<b>Preliminär prognos.</b> {p['provisional_reason']}", st["warn"]))
    n = report["items_handled"]
    story += [
        Paragraph("Resultat i perioden", st["h2"]),
        _table(
            [
                ["Hanterade försändelser", "Före → efter min/st", "Sparad andel", "Sparade timmar", "Sparade kronor"],
                [
                    sv(n),
                    f"{sv(report['before_minutes_per_item'], 2)} → {sv(report['after_minutes_per_item'], 2)}",
                    f"{sv(report['saved_share'] * 100, 1)} %",
                    sv(report["hours_saved"], 2),
                    f"{sv(report['kronor_saved'], 2)} kr",
                ],
            ],
            [34 * mm] * 5,
            right_from=0,
        ),
        Paragraph("Flöden, mest resurskrävande först (dokumenttyp · kanal · förvaltning)", st["h2"]),
    ]
    flow_rows = [["#", "Flöde", "Antal", "Före min/st", "Efter min/st", "Sparad andel", "Kronor"]]
    for f in report["flows"][:MAX_FLOWS]:
        flow_rows.append(
            [
                str(f["rank"]),
                f"{f['doc_type']} · {CHANNEL_LABELS.get(f['channel'], f['channel'])} · {f['department']}",
                str(f["items_handled"]),
                sv(f["before_minutes_per_item"], 2),
                sv(f["after_minutes_per_item"], 2),
                f"{sv(f['saved_share'] * 100, 1)} %",
                sv(f["kronor_saved"], 2),
            ]
        )
    story.append(_table(flow_rows, [8 * mm, 62 * mm, 15 * mm, 22 * mm, 22 * mm, 22 * mm, 24 * mm], right_from=2))
    if len(report["flows"]) > MAX_FLOWS:
        story.append(Paragraph(f"… och {len(report['flows']) - MAX_FLOWS} flöden till (se CSV).", st["small"]))
    story += [
        Paragraph("Före: manuella steg och när de räknas som borttagna", st["h2"]),
        _table(
            [["Steg", "Min", "Borttaget bara när", "Borttaget"]]
            + [
                [s["name"], sv(s["minutes"], 2), s["evidence"], f"{s['items_removed']} av {s['items']}"]
                for s in report["steps"]["before"]
            ],
            [45 * mm, 14 * mm, 90 * mm, 26 * mm],
            right_from=3,
        ),
        Paragraph("Prognos", st["h2"]),
        _table([_basis_row(p), *_projection_rows(p)], [80 * mm, 95 * mm]),
    ]
    sens = report["sensitivity"]
    if sens:
        rows = [["Osäkert indata (låg / bas / hög)", "Värden", "Nuvärde, kr", "Återbetalning, mån"]]
        for r in sens["rows"]:
            rows.append(
                [
                    f"{r['label']} ±{sv(r['factor'] * 100)} %",
                    " / ".join(sv(v, 2) for v in r["values"]) + f" {r['unit']}",
                    " / ".join(sv(v) for v in r["npv"]),
                    " / ".join("aldrig" if m is None else str(m) for m in r["payback_month"]),
                ]
            )
        story += [Paragraph("Känslighet", st["h2"]), _table(rows, [48 * mm, 55 * mm, 45 * mm, 27 * mm])]
    d = model.data
    hourly = (
        f"{sv(d.hourly_rate, 2)} kr/h (fast)"
        if d.hourly_rate is not None
        else f"{sv(d.monthly_salary)} kr / {sv(d.hours_per_month)} h × {sv(d.markup, 2)}"
    )
    story += [
        Paragraph("Antaganden och formel", st["h2"]),
        Paragraph(
            f"Timkostnad {hourly}; investering {sv(d.investment)} kr; driftkostnad {sv(d.yearly_running_cost)} kr/år; "
            f"kalkylränta {sv(d.discount_rate * 100, 1)} %; kalkylperiod {d.horizon_years} år; "
            f"felsortering {sv(d.misroute_minutes, 1)} min. Manuella minuter är uppskattningar, inte en tidsstudie. "
            "Sparat per försändelse = borttagna manuella minuter (bara steg som tjänsten gjorde för just den "
            "försändelsen) − minuter för steg med tjänsten (öppna, förbereda, skanna) − uppmätt mänsklig tid − "
            "felsorteringar. Årsprognos först från minst "
            f"{p['min_data_days'] if p else 28} dagars data; dessförinnan ett intervall.",
            st["p"],
        ),
        Spacer(1, 3),
        Paragraph(stamp + f" · {n} försändelser · underlag: /api/v1/roi/report", st["small"]),
    ]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=12 * mm,
        title="Besparing före och efter",
        author="Posthantering",
        subject=stamp,
    )
    frame_w, frame_h = A4[0] - 32 * mm, A4[1] - 26 * mm - 12
    doc.build([KeepInFrame(frame_w, frame_h, story, mode="shrink")])
    return buf.getvalue()
