"""Fault injection table: for each fault and backend, letters accepted, in their right final state,
lost, duplicated, and seconds from the end of the fault to the last letter's final state.

    .venv/bin/python bench/faults.py [--only worker_sigkill,disk_full] [--backend embedded]

Runs the same scenarios as tests/integration/test_faults.py (tests/support/fault_scenarios.py), on
private PostgreSQL and Redis servers it starts itself; the disk-full fault needs root (tmpfs mount).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.fault_scenarios import SCENARIOS, can_mount
from tests.support.faults import FaultResult

HEADER = ["fault", "backend", "accepted", "final", "lost", "duplicated", "recovery s"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--backend", default="", help="embedded or postgres-redis (default: both)")
    args = parser.parse_args()
    wanted = [n for n in args.only.split(",") if n] or list(SCENARIOS)
    results: list[FaultResult] = []
    for name in wanted:
        run, backends = SCENARIOS[name]
        for backend in backends:
            if args.backend and backend != args.backend:
                continue
            if name == "disk_full" and not can_mount():
                print(f"skipped {name}: needs root to mount a small file system", file=sys.stderr)
                continue
            with tempfile.TemporaryDirectory(prefix=f"ph-fault-{name}-") as tmp:
                result = run(Path(tmp), backend)
            print(" | ".join(result.row()), *result.notes, file=sys.stderr, flush=True)
            results.append(result)
    rows = [HEADER] + [r.row() for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    for i, row in enumerate(rows):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in results:
        for note in r.notes:
            print(f"note ({r.fault}, {r.backend}): {note}")
    bad = [r for r in results if r.lost or r.duplicated or r.notes]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
