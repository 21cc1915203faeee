"""Make the ROI dashboard screenshot from the rendered corpus pushed through the real pipeline.

    .venv/bin/python bench/roi_dashboard_demo.py [--letters 24] [--weeks 6] [--out docs/screenshots/roi-dashboard.png]

1. renders N corpus letters (shared/corpus/letters/a) as scanner output with shared/tools/render_scans.py;
2. runs `posthantering ingest --inline --json` on them in a temporary data directory (real OCR,
   classification and routing);
3. plays the people: a registrar routes every needs_review item (to the labelled department, with
   40-150 s of touch time), one auto-routed item is returned "fel mottagare" and routed again, and a
   department user acknowledges the rest (10-40 s each);
4. spreads the items evenly over the last `--weeks` weeks (their events keep their order and gaps), so
   the weekly chart has more than one bar: the pipeline ran in a minute, a mailroom spreads over weeks;
5. stores a demo ROI model (version 1: the default before/after steps, investment and running cost
   sized for the demo volume) and renders /ui/roi's HTML with the same service and template function
   as the route, in the app's layout (menu as a viewer sees it, the stylesheets inlined for file://),
   then screenshots it with headless chromium (`apt-get install -y chromium`);
6. writes the PDF one-pager next to the screenshot (roi-onepager.pdf) and a PNG of its page.

Prints the report's headline figures, the flows and the per-item saved shares (before - after -
measured human time, from service.item_rows). The temporary directory is removed unless --keep is given.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
LETTERS = SHARED / "corpus" / "letters" / "a"

DEMO_MODEL_CHANGES = {"investment": 20000.0, "yearly_running_cost": 1500.0}


def render(out: Path, count: int) -> dict[str, str]:
    ids = sorted(p.stem for p in LETTERS.glob("*.txt"))[:count]
    only = ("--only", ",".join(ids))
    subprocess.run(
        [sys.executable, str(SHARED / "tools" / "render_scans.py"), str(LETTERS), str(out), "--seed", "7", *only],
        check=True,
        capture_output=True,
    )
    labels = {r["id"]: r["department"] for r in csv.DictReader((LETTERS / "labels.csv").open(encoding="utf-8"))}
    return {r["file"]: labels[r["id"]] for r in csv.DictReader((out / "manifest.csv").open(encoding="utf-8"))}


def ingest(scans: Path, env: dict[str, str]) -> list[dict]:
    cli = Path(sys.executable).parent / "posthantering"
    files = sorted(str(p) for p in scans.iterdir() if p.name != "manifest.csv")
    done = subprocess.run(
        [str(cli), "ingest", "--inline", "--json", *files], check=True, capture_output=True, text=True, env=env
    )
    return json.loads(done.stdout)


def play_people(rows: list[dict], labels: dict[str, str], weeks: int) -> None:
    from sqlalchemy import select

    from services.core.db import session_scope
    from services.core.models import Department, Event, MailItem, utcnow
    from services.mail.service import acknowledge_item, return_item, route_item
    from services.users.service import create_user

    rng = random.Random(3)
    with session_scope() as s:
        codes = [c for c, ok in s.execute(select(Department.code, Department.routable)) if ok]
        registrar = create_user(s, "demo-registrar", "registrar", [])
        clerk = create_user(s, "demo-department", "department", codes)
        _ = registrar.department_codes, clerk.department_codes
    by_id = {r["id"]: r for r in rows}
    returned_one = False
    for item_id, row in sorted(by_id.items()):
        wanted = labels.get(Path(row["file"]).name)
        with session_scope() as s:
            item = s.get(MailItem, item_id)
            if item is None or item.state in ("quarantined", "failed"):
                continue
            if item.state == "needs_review":
                target = wanted if wanted in codes else (item.suggested_department or "KS")
                target = target if target in codes else "KS"
                route_item(s, registrar, item_id, target, human_seconds=rng.uniform(40, 150))
            elif item.state == "routed" and not returned_one:
                return_item(s, clerk, item_id, "Fel mottagare", human_seconds=rng.uniform(20, 60))
                returned_one = True
                s.flush()
                other = next(c for c in codes if c != item.department_code)
                route_item(s, registrar, item_id, other, human_seconds=rng.uniform(40, 120))
        with session_scope() as s:
            item = s.get(MailItem, item_id)
            if item is not None and item.state == "routed" and rng.random() < 0.85:
                acknowledge_item(s, clerk, item_id, human_seconds=rng.uniform(10, 40))

    # Spread the items over the last `weeks` weeks, keeping each item's own event order and gaps.
    with session_scope() as s:
        ids = sorted(by_id)
        span = timedelta(weeks=weeks)
        start = utcnow().replace(hour=8, minute=0, second=0, microsecond=0) - span
        for n, item_id in enumerate(ids):
            events = s.scalars(select(Event).where(Event.item_id == item_id).order_by(Event.at)).all()
            if not events:
                continue
            day = start + span * n / max(len(ids), 1)
            for i, ev in enumerate(events):  # same order, 20 minutes apart
                ev.at = day + timedelta(minutes=20 * i)


def screenshot(html: Path, png: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium not found: apt-get install -y chromium")
    png.parent.mkdir(parents=True, exist_ok=True)
    size = (f"--screenshot={png}", "--window-size=1280,5600")
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *size, html.as_uri()],
        check=True,
        capture_output=True,
    )
    from PIL import Image, ImageChops

    image = Image.open(png).convert("RGB")
    background = Image.new("RGB", image.size, image.getpixel((image.width - 1, image.height - 1)))
    box = ImageChops.difference(image, background).getbbox()  # cut the empty window below the page
    if box:
        image = image.crop((0, 0, image.width, min(image.height, box[3] + 24)))
    image.quantize(colors=128).save(png, optimize=True)  # a palette PNG keeps the flat colours and stays small


def dashboard_html(report: dict, model: object) -> str:
    """The page as a logged-in viewer sees it, with app.css and roi.css inlined (file:// has no /ui/static)."""
    from types import SimpleNamespace

    from services.api.ui.render import NAV
    from services.api.ui_roi.render import render_dashboard

    viewer = SimpleNamespace(name="Controller", role="viewer", department_codes=[])
    nav = [(href, label) for href, label, roles in NAV if "viewer" in roles]
    page = {"user": viewer, "nav": nav, "csrf": "", "path": "/ui/roi"}
    html = render_dashboard(report, model, page=page)  # type: ignore[arg-type]
    static = REPO / "services" / "api" / "static"
    for name in ("app.css", "roi.css"):
        css = (static / name).read_text(encoding="utf-8")
        html = html.replace(f'<link rel="stylesheet" href="/ui/static/{name}">', f"<style>{css}</style>")
    return html


def pdf_png(pdf: Path, png: Path) -> None:
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(str(pdf))[0]
    page.render(scale=1.6).to_pil().convert("RGB").quantize(colors=64).save(png, optimize=True)


def print_summary(report: dict, items: list[dict]) -> None:
    p = report["projection"] or {}
    print(
        f"items {report['items_handled']}, auto {report['auto_routed_share']:.0%}, "
        f"before {report['before_minutes_total']} min, after {report['after_minutes_total']} min, "
        f"saved {report['saved_minutes_total']} min = {report['hours_saved']} h = {report['kronor_saved']} kr "
        f"({report['saved_share']:.1%}); provisional {p.get('provisional')}; "
        f"npv range {p.get('range', {}).get('npv')}"
    )
    print("rank  flow                                     items  before/st  after/st  saved %   kronor")
    for f in report["flows"]:
        print(
            f"{f['rank']:>4}  {f['label'][:40]:<40} {f['items_handled']:>5} {f['before_minutes_per_item']:>10.2f}"
            f" {f['after_minutes_per_item']:>9.2f} {f['saved_share']:>8.1%} {f['kronor_saved']:>8.2f}"
        )
    shares = sorted(i["saved_share"] for i in items)
    if shares:
        ok = all(
            abs(
                i["saved_minutes"]
                - (i["removed_minutes"] - i["after_step_minutes"] - i["human_minutes"] - i["misroute_minutes"])
            )
            < 0.001
            for i in items
        )
        print(
            f"saved share per item: min {shares[0]:.1%}, median {shares[len(shares) // 2]:.1%}, max {shares[-1]:.1%};"
            f" all below 100 %: {shares[-1] < 1}; saved = removed - after - measured - misroutes for every item: {ok}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--letters", type=int, default=24)
    ap.add_argument("--weeks", type=int, default=6)
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots" / "roi-dashboard.png")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    ap.add_argument("--reuse", type=Path, help="a directory kept by --keep: only report, render and screenshot")
    ap.add_argument("--from", dest="date_from", type=date.fromisoformat, help="report period start (default: all)")
    ap.add_argument("--to", dest="date_to", type=date.fromisoformat, help="report period end")
    args = ap.parse_args()

    tmp = args.reuse or Path(tempfile.mkdtemp(prefix="roi-demo-"))
    env = {**os.environ, "POSTHANTERING_DATA_DIR": str(tmp / "data")}
    for var in ("DATABASE_URL", "BROKER_URL"):
        env.pop(var, None)
        os.environ.pop(var, None)
    os.environ["POSTHANTERING_DATA_DIR"] = env["POSTHANTERING_DATA_DIR"]
    try:
        from services.core.db import session_scope
        from services.metering import service
        from services.metering.onepager import report_pdf

        if not args.reuse:
            labels = render(tmp / "scans", args.letters)
            rows = ingest(tmp / "scans", env)
            states: dict[str, int] = {}
            for r in rows:
                states[r["state"]] = states.get(r["state"], 0) + 1
            print(f"ingested {len(rows)} letters: {states}")
            play_people(rows, labels, args.weeks)
            with session_scope() as s:
                model = service.get_model(s)
                service.put_model(s, model.data.model_copy(update=DEMO_MODEL_CHANGES), actor="demo")
        with session_scope() as s:
            report = service.roi_report(s, args.date_from, args.date_to)
            model = service.get_model(s)
            items = service.item_rows(s, args.date_from, args.date_to)
        html = tmp / "roi.html"
        html.write_text(dashboard_html(report, model), encoding="utf-8")
        screenshot(html, args.out)
        pdf = args.out.with_name(args.out.stem.replace("roi-dashboard", "roi-onepager") + ".pdf")
        pdf.write_bytes(report_pdf(report, model))
        pdf_png(pdf, pdf.with_suffix(".png"))
        print_summary(report, items)
        print(f"screenshot: {args.out} ({args.out.stat().st_size // 1024} KB); one-pager: {pdf}")
    finally:
        if args.keep or args.reuse:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
