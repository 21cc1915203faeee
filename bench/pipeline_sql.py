"""What the pipeline costs per one-page letter besides tesseract: SQL statements, commits and Python CPU
of the worker's path (the task's lease, each step's try count, the steps, the send after the commit),
counted in-process on the embedded default (SQLite), with the tasks' sends recorded instead of sent.

    .venv/bin/python bench/pipeline_sql.py [--letters 10] [--profile]

Statements are load-independent; CPU seconds are this process's own (tesseract, a child, apart).
Run with PYTHONPATH pointing at another checkout's root to measure that checkout (same letters).
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import io
import os
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ocr_common import scan_ids, table
from tests.support.processes import render_letters


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--letters", type=int, default=10, help="scanned letters rendered (the one-page ones are used)")
    ap.add_argument("--profile", action="store_true", help="the top functions by CPU time")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ph-pipeline-sql-"))
    os.environ.update(POSTHANTERING_DATA_DIR=str(tmp / "data"), OMP_THREAD_LIMIT="1", BROKER_URL="memory://")
    os.environ.pop("DATABASE_URL", None)
    rows = render_letters(tmp / "scans", scan_ids(args.letters), seed=303, extra_args=["--digital-share", "0"])
    files = [Path(r["path"]) for r in rows if r["pages"] == "1"]

    from sqlalchemy import event

    from services.cli.common import load_settings, prepare_database
    from services.core.db import get_engine, session_scope
    from services.ingest.service import submit_file
    from services.pipeline.chain import advance, warm_up
    from workers import dispatch
    from workers.celery_app import app

    prepare_database(load_settings())
    sent: list[str] = []
    app.send_task = lambda name, *a, **kw: sent.append(name)  # type: ignore[method-assign]
    phase = ["submit"]
    stmts: collections.Counter[str] = collections.Counter()
    commits: collections.Counter[str] = collections.Counter()
    by_table: collections.Counter[tuple[str, str, str]] = collections.Counter()

    def on_execute(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        words = statement.split()
        upper = [w.upper() for w in words]
        name = next((words[upper.index(k) + 1].strip('"') for k in ("FROM", "INTO", "UPDATE") if k in upper), "")
        stmts[phase[0]] += 1
        by_table[(phase[0], upper[0], name)] += 1

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", lambda conn: commits.update([phase[0]]))
    warm_up()
    ids = []
    for f in files:
        with session_scope() as session:
            ids.append(submit_file(session, f, filename=f.name, channel="cli", actor="user:cli").item.id)
    phase[0] = "send extract (ingest)"
    for item_id in ids:
        dispatch.enqueue_for_state(item_id, "received")
    prof = cProfile.Profile(time.process_time) if args.profile else None
    own0, kids0 = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    for item_id in ids:
        phase[0] = "task: extract, classify, route"
        if prof:
            prof.enable()
        state = advance("ingest.extract", item_id)
        phase[0] = "send after the commit"
        if state is not None:
            dispatch.enqueue_for_state(item_id, state)  # type: ignore[arg-type]
        if prof:
            prof.disable()
    n = len(ids)
    own, kids = (_cpu(resource.RUSAGE_SELF) - own0) / n, (_cpu(resource.RUSAGE_CHILDREN) - kids0) / n
    print(f"{n} one-page letters; per letter: Python CPU {own:.3f} s, tesseract and other children {kids:.3f} s")
    phases = [p for p in stmts if p != "submit"]
    print(
        table(
            ["per letter", "statements", "commits"],
            [[p, f"{stmts[p] / n:.1f}", f"{commits[p] / n:.1f}"] for p in phases],
        )
    )
    detail = sorted(((k, v) for k, v in by_table.items() if k[0] != "submit"), key=lambda kv: (kv[0][0], -kv[1]))
    print(table(["phase", "statement", "table", "per letter"], [[*k, f"{v / n:.1f}"] for k, v in detail]))
    print("tasks sent:", dict(collections.Counter(sent)))
    if prof:
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(r"services/", 40)
        print(out.getvalue())


if __name__ == "__main__":
    main()
