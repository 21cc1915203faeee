"""Pages per minute through the whole pipeline against the raw tesseract floor, in one run.

For each number of OCR worker processes (default 1, 2, 4) on each backend (the embedded default:
SQLite + Celery's SQLAlchemy transport + blob folder; and PostgreSQL + Redis + the PostgreSQL blob
backend), a fresh stack reads the same rendered scans: `posthantering ingest`, then every item to
its final state. Wall time = first `received` event to last final event. In the same run:

  floor     raw `tesseract IMG - -l swe` on each page image (pre-rendered, untimed), OMP_THREAD_LIMIT=1,
            N processes at a time: the least any pipeline can take to read these pages;
  ocrmypdf  `ocrmypdf -l swe -j 1` per file, N files at a time (when ocrmypdf is installed);
  netns     with root: one worker process in each of 2 network namespaces (servers in the first),
            PostgreSQL blob backend, over a veth pair (tests/support/netns.py).

Then, on the stack with as many processes as cores: born-digital letters and one-page scans sent one
at a time (no queue), and their latency from `received` to final; p50/p95 per stage from the events.

    .venv/bin/python bench/throughput.py [--letters 8] [--digital 6] [--workers 1,2,4] [--backends embedded,postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ocr_common import as_pdfs, ocrmypdf_exe, page_pngs, percentile, run_floor, run_ocrmypdf, table
from tests.support import servers
from tests.support.processes import SHARED, Stack, process_groups, render_letters, stack
from tests.support.processes import query as _rows

FINAL = ("routed", "needs_review", "quarantined", "failed")


def _ids(n: int, kinds: set[str], skip: int = 0) -> list[str]:
    rows = []
    for letter_set in ("a", "b"):
        manifest = SHARED / "corpus" / "scans" / letter_set / "manifest.csv"
        rows += [r["id"] for r in csv.DictReader(manifest.open()) if r["kind"] in kinds]
    return rows[skip : skip + n]


# --- the pipeline --------------------------------------------------------------------------------
def _ts(v: object) -> float:
    if isinstance(v, datetime):
        return v.timestamp()
    return datetime.fromisoformat(str(v)).timestamp()


def wait_done(url: str, n: int, timeout: float = 1800) -> None:
    """Until every item is final. Times come from the events, so polling is slow and on one connection:
    a new connection every 0.05 s (PostgreSQL forks a backend for each) took ~2 CPU s per batch from
    the stack being measured."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            # An item decided on its first pages (issue 11) is done when its last page is read too.
            with engine.connect() as c:
                states = c.execute(text("select state, text_pending from mail_items")).all()
            if len(states) >= n and all(s in FINAL and not pending for s, pending in states):
                return
            time.sleep(0.5)
    finally:
        engine.dispose()
    raise RuntimeError("items did not finish in time")


def batch_stats(url: str, ids: set[int] | None = None) -> dict[str, object]:
    """Wall (first received .. last final state or, for a letter decided on its first pages, its
    `text_completed`: every page read) and per-stage seconds, from the events."""
    events = _rows(
        url,
        "select item_id, coalesce(to_state, action), at from events"
        " where to_state is not null or action = 'text_completed' order by id",
    )
    per: dict[int, dict[str, float]] = {}
    for item_id, state, at in events:
        if ids is None or item_id in ids:
            per.setdefault(item_id, {}).setdefault(state, _ts(at))
    stages: dict[str, list[float]] = {"extract": [], "classify": [], "route": [], "total": []}
    finals = []
    for st in per.values():
        end = next((st[s] for s in FINAL if s in st), None)
        if end is None or "received" not in st:
            continue
        finals.append(max(end, st.get("text_completed", end)))
        stages["total"].append(end - st["received"])
        if "extracted" in st:
            stages["extract"].append(st["extracted"] - st["received"])
            if "classified" in st:
                stages["classify"].append(st["classified"] - st["extracted"])
                stages["route"].append(end - st["classified"])
    start = min(st["received"] for st in per.values() if "received" in st)
    return {"wall": max(finals) - start, "stages": stages}


@contextlib.contextmanager
def backend_env(name: str, pg_server: str | None, redis_server: str | None) -> Iterator[dict[str, str]]:
    if name == "embedded":
        yield {}
        return
    assert pg_server and redis_server
    with servers.fresh_database(pg_server) as db, servers.fresh_redis_db(redis_server) as broker:
        yield {"database_url": db, "broker_url": broker, "POSTHANTERING_BLOB_BACKEND": "postgres"}


def db_url_of(s: Stack) -> str:
    return s.env.get("DATABASE_URL") or f"sqlite:///{s.data_dir / 'posthantering.db'}"


def one_at_a_time(s: Stack, files: list[str]) -> list[tuple[float, float]]:
    """Each file alone: (latency received -> final, OCR seconds of its pages)."""
    url = db_url_of(s)
    out = []
    for f in files:
        before = {i for (i,) in _rows(url, "select id from mail_items")}
        s.cli("ingest", f)
        new = {i for (i,) in _rows(url, "select id from mail_items")} - before
        wait_done(url, len(before) + len(new), timeout=300)
        st = batch_stats(url, new)
        ocr = sum(r[0] for r in _rows(url, f"select seconds from pages where item_id in ({','.join(map(str, new))})"))
        out.append((st["wall"], ocr))  # type: ignore[arg-type]
    return out


def tree_cpu(pgid: int) -> float:
    """CPU seconds of a process group: each process's own and its reaped children's (a pool process's
    tesseract runs). Load-independent, unlike the wall time, on a machine shared with others."""
    total, hz = 0.0, os.sysconf("SC_CLK_TCK")
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += sum(int(v) for v in fields[11:15]) / hz
    return total


def run_batch(s: Stack, files: list[str]) -> dict:  # type: ignore[type-arg]
    """Submit every file, wait for all to finish; wall and stages from the events, the worker's CPU."""
    url = db_url_of(s)
    # `posthantering worker` is a supervisor; its Celery child (pool, tesseract) has a group of its own.
    cpu0 = sum(tree_cpu(g) for g in process_groups(s.procs["worker"].pid))
    s.cli("ingest", *files)
    wait_done(url, len(files))
    stats = batch_stats(url)
    stats["cpu"] = sum(tree_cpu(g) for g in process_groups(s.procs["worker"].pid)) - cpu0
    stats["pages"] = _rows(url, "select count(*) from pages")[0][0]
    stats["states"] = dict(_rows(url, "select state, count(*) from mail_items group by state"))
    return stats


def run_netns(tmp: Path, files: list[str]) -> dict | None:  # type: ignore[type-arg]
    from tests.support.netns import netns_pair, netns_unavailable, servers_in

    if why := netns_unavailable():
        print(f"netns: skipped ({why})")
        return None
    with netns_pair() as pair, servers_in(pair) as (db_url, broker_url, local_db):
        stacks = []
        for i, ns in enumerate((pair.server_ns, pair.host_ns)):
            data = tmp / f"netns-{i}"
            env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BROKER_URL", "REDIS_URL"}}
            env.update(
                POSTHANTERING_DATA_DIR=str(data),
                DATABASE_URL=db_url,
                BROKER_URL=broker_url,
                POSTHANTERING_BLOB_BACKEND="postgres",
                OMP_THREAD_LIMIT="1",
            )
            (tmp / "netns-logs").mkdir(exist_ok=True)
            stacks.append(Stack(env=env, data_dir=data, logs=tmp / "netns-logs", prefix=pair.prefix(ns)))
        try:
            stacks[0].cli("migrate")
            for i, s in enumerate(stacks):
                s.start_worker(f"w{i}", concurrency=1)
            time.sleep(4)
            stacks[0].cli("ingest", *files)
            wait_done(local_db, len(files))
            stats = batch_stats(local_db)
            stats["pages"] = _rows(local_db, "select count(*) from pages")[0][0]
            return stats
        finally:
            for s in stacks:
                s.stop_all()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--letters", type=int, default=8, help="scanned letters")
    ap.add_argument("--digital", type=int, default=6, help="born-digital letters for the latency table")
    ap.add_argument("--single", type=int, default=4, help="one-page scans for the latency table")
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--backends", default="embedded,postgres")
    ap.add_argument("--skip-ocrmypdf", action="store_true")
    ap.add_argument("--skip-netns", action="store_true")
    args = ap.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    cores = os.cpu_count() or 1
    print(f"cores: {cores}, load average at start: {os.getloadavg()}")

    with tempfile.TemporaryDirectory(prefix="ph-throughput-") as d, contextlib.ExitStack() as servers_up:
        tmp = Path(d)
        scanned_ids = _ids(args.letters, {"scan-tiff", "scan-pdf", "scan-png"})
        scans = render_letters(tmp / "scans", scanned_ids, seed=303, extra_args=["--digital-share", "0"])
        files = [r["path"] for r in scans]
        digital = render_letters(
            tmp / "digital",
            _ids(args.digital, {"scan-tiff", "scan-pdf", "scan-png"}, skip=20),
            seed=404,
            extra_args=["--digital-share", "1"],
        )
        single = [
            r["path"]
            for r in render_letters(
                tmp / "single",
                _ids(2 * args.single, {"scan-tiff", "scan-png"}, skip=30),
                seed=505,
                extra_args=["--digital-share", "0"],
            )
            if r["pages"] == "1"
        ][: args.single]
        pngs = page_pngs(files, tmp / "pngs")
        print(
            f"scanned: {len(files)} letters, {len(pngs)} pages; "
            f"born-digital: {len(digital)}; one-page scans: {len(single)}"
        )

        floor_runs = {n: run_floor(pngs, n) for n in counts}
        floor = {n: wall for n, (wall, _) in floor_runs.items()}
        floor_cpu = sum(cpu for _, cpu in floor_runs.values()) / len(floor_runs)
        ocrmypdf = None
        if not args.skip_ocrmypdf and ocrmypdf_exe() is not None:
            ocrmypdf = run_ocrmypdf(as_pdfs(files, tmp / "as-pdf"), tmp / "ocrmypdf", cores)[0]

        pg = redis = None
        if "postgres" in args.backends:
            pg = os.environ.get("DATABASE_URL") or servers_up.enter_context(servers.private_postgres())
            redis = os.environ.get("REDIS_URL") or servers_up.enter_context(servers.private_redis())

        results: dict[tuple[str, int], dict] = {}  # type: ignore[type-arg]
        latency: dict[str, dict[str, list]] = {}  # type: ignore[type-arg]
        latency_at = cores if cores in counts else counts[-1]
        for backend in args.backends.split(","):
            for n in counts:
                with backend_env(backend, pg, redis) as env, stack(tmp / f"{backend}-{n}", **env) as s:
                    s.start_worker(concurrency=n)
                    time.sleep(4)  # let the worker connect and load before the clock starts
                    results[(backend, n)] = run_batch(s, files)
                    print(
                        f"{backend}, {n} proc: {results[(backend, n)]['wall']:.1f} s {results[(backend, n)]['states']}"
                    )
                    if n == latency_at:
                        latency[backend] = {
                            "digital": one_at_a_time(s, [r["path"] for r in digital]),
                            "single": one_at_a_time(s, single),
                            "stages": results[(backend, n)]["stages"],
                        }
        netns = None if args.skip_netns or "postgres" not in args.backends else run_netns(tmp, files)

    pages = len(pngs)
    print(f"\nload average at end: {os.getloadavg()}\n")
    print("Pages per minute (same pages, same run):")
    rows: list[list[object]] = []
    for n in counts:
        rows.append([f"raw tesseract floor, {n} proc", f"{floor[n]:.1f}", f"{pages / floor[n] * 60:.1f}", "1.00"])
    if ocrmypdf is not None:
        rows.append(
            [
                f"ocrmypdf -j 1, {cores} files at a time",
                f"{ocrmypdf:.1f}",
                f"{pages / ocrmypdf * 60:.1f}",
                f"{ocrmypdf / floor.get(cores, floor[counts[-1]]):.2f}",
            ]
        )
    for (backend, n), st in results.items():
        wall = float(st["wall"])  # type: ignore[arg-type]
        rows.append(
            [f"pipeline {backend}, {n} proc", f"{wall:.1f}", f"{pages / wall * 60:.1f}", f"{wall / floor[n]:.2f}"]
        )
    if netns is not None:
        wall = float(netns["wall"])
        rows.append(
            [
                "pipeline postgres, 2 netns x 1 proc",
                f"{wall:.1f}",
                f"{pages / wall * 60:.1f}",
                f"{wall / floor.get(2, floor[counts[-1]]):.2f}",
            ]
        )
    print(table(["run", "wall s", "pages/min", "wall / floor (same procs)"], rows))
    if ocrmypdf is None and not args.skip_ocrmypdf:
        print("ocrmypdf: not installed here (pip install ocrmypdf; needs ghostscript)")
    print(f"\nCPU seconds per page (load-independent): raw tesseract floor {floor_cpu / pages:.2f}")
    crows = [
        [f"pipeline {b}, {n} proc", f"{float(st['cpu']) / pages:.2f}", f"{float(st['cpu']) / floor_cpu:.2f}"]
        for (b, n), st in results.items()
    ]
    print(table(["run (worker processes and their tesseract runs)", "CPU s/page", "/ floor CPU"], crows))
    if 1 in counts and 2 in counts:
        gain_floor = floor[1] / floor[2]
        print(f"\n2 vs 1 processes: floor gains {gain_floor:.2f}x", end="")
        for backend in args.backends.split(","):
            if (backend, 1) in results and (backend, 2) in results:
                g = float(results[(backend, 1)]["wall"]) / float(results[(backend, 2)]["wall"])  # type: ignore[arg-type]
                print(f"; {backend} gains {g:.2f}x (= {g / gain_floor:.2f} of the floor's gain)", end="")
        print()

    print("\nLatency, one item at a time (s): p50 / p95")
    lrows: list[list[object]] = []
    for backend, lat in latency.items():
        dig = [a for a, _ in lat["digital"]]
        sgl_over = [a - o for a, o in lat["single"]]
        sgl_ocr = [o for _, o in lat["single"]]
        lrows.append(
            [backend, "born-digital, received -> final", f"{percentile(dig, 0.5):.2f}", f"{percentile(dig, 0.95):.2f}"]
        )
        lrows.append(
            [
                backend,
                "one-page scan: OCR seconds",
                f"{percentile(sgl_ocr, 0.5):.2f}",
                f"{percentile(sgl_ocr, 0.95):.2f}",
            ]
        )
        lrows.append(
            [
                backend,
                "one-page scan: latency - OCR",
                f"{percentile(sgl_over, 0.5):.2f}",
                f"{percentile(sgl_over, 0.95):.2f}",
            ]
        )
    print(table(["backend", "what", "p50", "p95"], lrows))

    print(
        "\nPer stage in the batch runs with as many processes as cores (s, from events; includes queueing): p50 / p95"
    )
    srows: list[list[object]] = []
    for backend, lat in latency.items():
        for stage, vals in lat["stages"].items():
            srows.append([backend, stage, f"{percentile(vals, 0.5):.2f}", f"{percentile(vals, 0.95):.2f}"])
    print(table(["backend", "stage", "p50", "p95"], srows))


if __name__ == "__main__":
    main()
