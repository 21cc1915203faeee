"""Seconds per page, end to end, for scanned and for born-digital mail on this machine.

Renders letters with ../shared/tools/render_scans.py (scanned: G4 TIFF, JPEG PDFs, PNG; digital:
PDFs with a text layer), starts the embedded stack as separate processes (a Celery worker with one
process per core on the SQLite broker), submits each set with `posthantering ingest` and measures the
wall time until every item is routed or needs review. Prints pages, seconds and seconds per page
(wall, i.e. throughput with all cores), and the per-page extraction seconds the items recorded.

    .venv/bin/python bench/pipeline_seconds_per_page.py [--scanned 16] [--digital 8]
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.processes import SHARED, render_letters, stack


def _ids(n: int, kinds: set[str]) -> list[str]:
    rows = []
    for letter_set in ("a", "b"):
        manifest = SHARED / "corpus" / "scans" / letter_set / "manifest.csv"
        rows += [r["id"] for r in csv.DictReader(manifest.open()) if r["kind"] in kinds]
    return rows[:n]


def _run(tmp: Path, label: str, files: list[str], workers: int) -> dict[str, float]:
    with stack(tmp / label) as s:
        db = create_engine(f"sqlite:///{s.data_dir / 'posthantering.db'}")
        s.start_worker(concurrency=workers)
        time.sleep(3)  # let the worker connect before the clock starts
        t0 = time.perf_counter()
        s.cli("ingest", "--wait", *files, timeout=3600)
        wall = time.perf_counter() - t0
        with db.connect() as c:
            pages = c.execute(text("select count(*), avg(seconds) from pages")).one()
            states = dict(c.execute(text("select state, count(*) from mail_items group by state")).all())
            per_page = [r[0] for r in c.execute(text("select seconds from pages"))]
        db.dispose()
    return {
        "items": len(files),
        "pages": pages[0],
        "wall_s": wall,
        "wall_s_per_page": wall / max(pages[0], 1),
        "extract_s_per_page_median": statistics.median(per_page) if per_page else 0.0,
        "states": states,  # type: ignore[dict-item]
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scanned", type=int, default=16)
    ap.add_argument("--digital", type=int, default=8)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ph-bench-") as d:
        tmp = Path(d)
        scanned_ids = _ids(args.scanned, {"scan-tiff", "scan-pdf", "scan-png"})
        # Born-digital: render the same kind of letters with --digital-share 1.
        scanned = render_letters(tmp / "scans", scanned_ids, seed=101)
        digital = render_letters(
            tmp / "digital",
            _ids(args.digital, {"scan-tiff", "scan-pdf", "scan-png", "digital"}),
            seed=202,
            extra_args=["--digital-share", "1"],
        )
        print(f"workers: {args.workers} (cores: {os.cpu_count()})")
        print(f"{'input':<10} {'items':>5} {'pages':>5} {'wall s':>8} {'s/page':>7} {'extract s/page (median)':>24}")
        for label, rows in (("scanned", scanned), ("digital", digital)):
            r = _run(tmp, label, [row["path"] for row in rows], args.workers)
            print(
                f"{label:<10} {r['items']:>5} {r['pages']:>5} {r['wall_s']:>8.1f} {r['wall_s_per_page']:>7.2f} "
                f"{r['extract_s_per_page_median']:>24.2f}   {r['states']}"
            )


if __name__ == "__main__":
    main()
