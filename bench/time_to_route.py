"""Time to route a multi-page letter (issue 11) against one page's OCR time, in one run.

A 10-page scanned letter is made of a letter whose first page is decisive (its own text is auto-routed)
followed by 9 pages of other letters standing for attachments (shared/tools/render_scans.py, a new seed
per letter so no two files are the same). Each is sent alone (`posthantering ingest`) to a fresh stack
with as many OCR worker processes as cores, on each backend, with early routing on (the default) and
off (POSTHANTERING_EARLY_ROUTE=false: decided after the last page, as before issue 11). Separation is
off: these files are one letter each.

From the events: time to route = `received` -> `routed`/`needs_review`; text complete = `received` ->
`text_completed` (early) or the final state (off). One page's OCR time, in the same run: the OCR
seconds the pipeline recorded for the letter's first page, and raw `tesseract PAGE - -l swe` on that
page alone (OMP_THREAD_LIMIT=1). Target: time to route <= 1.5x one page's OCR time.

    .venv/bin/python bench/time_to_route.py [--letters 3] [--pages 10] [--backends embedded,postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ocr_common import percentile, table
from bench.throughput import _rows, _ts, backend_env, db_url_of
from tests.support import servers
from tests.support.processes import render_letters, stack
from tests.support.scans import multi_page_letter, page_images

FIRST = ["a-006", "a-007", "a-009", "a-010", "a-020"]  # auto-routed on their own text
ATTACHMENTS = ["a-013", "a-014", "a-015", "a-016", "a-017", "a-018", "a-019", "a-021", "a-022", "a-023"]
DONE = ("routed", "needs_review", "quarantined", "failed")


def make_letters(tmp: Path, n: int, pages: int) -> list[Path]:
    out = []
    for k in range(n):
        rows = render_letters(
            tmp / f"src-{k}", [FIRST[k % len(FIRST)], *ATTACHMENTS], seed=700 + k, extra_args=["--digital-share", "0"]
        )
        by_id = {r["id"]: Path(r["path"]) for r in rows}
        scans = [by_id[FIRST[k % len(FIRST)]], *(by_id[a] for a in ATTACHMENTS)]
        out.append(multi_page_letter(tmp / f"letter-{k}.tif", scans, pages=pages))
    return out


def raw_first_page(letter: Path, tmp: Path) -> float:
    png = tmp / f"{letter.stem}-p0.png"
    next(iter(page_images(letter))).save(png)
    t0 = time.perf_counter()
    subprocess.run(
        ["tesseract", str(png), "-", "-l", "swe"],
        check=True,
        capture_output=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    return time.perf_counter() - t0


def one_letter(url: str, s: object, letter: Path, timeout: float = 600) -> dict[str, float]:
    before = {i for (i,) in _rows(url, "select id from mail_items")}
    s.cli("ingest", str(letter))  # type: ignore[attr-defined]
    [item_id] = {i for (i,) in _rows(url, "select id from mail_items")} - before
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        [(state, pending)] = _rows(url, f"select state, text_pending from mail_items where id = {item_id}")
        if state in DONE and not pending:
            break
        time.sleep(0.5)  # times come from the events: a faster poll only takes CPU from the workers
    else:
        raise RuntimeError(f"item {item_id} did not finish")
    at: dict[str, float] = {}
    for action, to_state, when in _rows(url, f"select action, to_state, at from events where item_id = {item_id}"):
        at.setdefault(to_state or action, _ts(when))
    decided = next(at[d] for d in DONE if d in at)
    complete = at.get("text_completed", decided)
    [(page0,)] = _rows(url, f'select seconds from pages where item_id = {item_id} and "index" = 0')
    [(state,)] = _rows(url, f"select state from mail_items where id = {item_id}")
    return {
        "route": decided - at["received"],
        "complete": complete - at["received"],
        "page0": float(page0),
        "routed": float(state == "routed"),
        "early": float("text_completed" in at),  # decided before its last page was read
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--letters", type=int, default=3)
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--backends", default="embedded,postgres")
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    print(f"cores: {cores}, load average at start: {os.getloadavg()}")
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="ph-ttr-") as d, contextlib.ExitStack() as up:
        tmp = Path(d)
        letters = make_letters(tmp, args.letters, args.pages)
        raw = [raw_first_page(p, tmp) for p in letters]
        pg = redis = None
        if "postgres" in args.backends:
            pg = os.environ.get("DATABASE_URL") or up.enter_context(servers.private_postgres())
            redis = os.environ.get("REDIS_URL") or up.enter_context(servers.private_redis())
        for backend in args.backends.split(","):
            for early in ("on", "off"):
                extra = {
                    "POSTHANTERING_SEPARATION_ENABLED": "false",
                    "POSTHANTERING_EARLY_ROUTE": "true" if early == "on" else "false",
                }
                with (
                    backend_env(backend, pg, redis) as env,
                    stack(tmp / f"{backend}-{early}", **env, **extra) as s,
                ):
                    s.start_worker(concurrency=cores)
                    time.sleep(4)  # let the worker connect and load before the clock starts
                    url = db_url_of(s)
                    results[(backend, early)] = [one_letter(url, s, p) for p in letters]
                    print(f"{backend}, early routing {early}: {results[(backend, early)]}")
        # raw tesseract on the first pages again at the end: the load may have changed meanwhile
        raw += [raw_first_page(p, tmp) for p in letters]
    print(f"\nload average at end: {os.getloadavg()}\n")
    raw_p50 = percentile(raw, 0.5)
    print(
        f"{args.letters} letters of {args.pages} pages, each alone, {cores} OCR processes; "
        f"raw tesseract on a first page alone: p50 {raw_p50:.2f} s\n"
    )
    rows = []
    for (backend, early), rs in results.items():
        route = percentile([r["route"] for r in rs], 0.5)
        page0 = percentile([r["page0"] for r in rs], 0.5)
        # The target is for letters whose first page is decisive: those decided early (with it on).
        decisive = [r["route"] / r["page0"] for r in rs if r["early"]] or [r["route"] / r["page0"] for r in rs]
        rows.append(
            [
                backend,
                early,
                f"{route:.2f}",
                f"{percentile([r['complete'] for r in rs], 0.5):.2f}",
                f"{page0:.2f}",
                f"{route / page0:.2f}",
                f"{percentile(decisive, 0.5):.2f} (max {max(decisive):.2f})",
                f"{route / raw_p50:.2f}",
                f"{sum(r['early'] for r in rs):.0f}/{len(rs)}",
                f"{sum(r['routed'] for r in rs):.0f}/{len(rs)}",
            ]
        )
    print(
        table(
            [
                "backend",
                "early routing",
                "time to route p50 s",
                "text complete p50 s",
                "page 1 OCR s (pipeline)",
                "route / page 1 OCR",
                "same, per letter decided early",
                "route / raw tesseract page",
                "decided early",
                "auto-routed",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
