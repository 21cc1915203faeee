"""The fault suite: faults as an operator meets them, on both backends (the embedded default and
PostgreSQL + Redis on private servers this test starts and restarts). Every accepted letter reaches
its right final state exactly once, no page is read twice, and the recovery time is reported.
The same scenarios print a table with bench/faults.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.fault_scenarios import SCENARIOS, can_mount

pytestmark = [pytest.mark.integration]

CASES = [(name, backend) for name, (_run, backends) in SCENARIOS.items() for backend in backends]


@pytest.mark.parametrize(("scenario", "backend"), CASES, ids=[f"{n}-{b}" for n, b in CASES])
def test_fault(tmp_path: Path, scenario: str, backend: str) -> None:
    if scenario == "disk_full" and not can_mount():
        pytest.skip("needs root to mount a small file system for the data directory")
    run, _ = SCENARIOS[scenario]
    result = run(tmp_path, backend)
    print(" | ".join(result.row()))  # recovery time in the test output (-s / -rA)
    assert result.accepted > 0
    assert result.lost == 0, result.notes
    assert result.duplicated == 0, result.notes
    assert result.final == result.accepted
    assert result.notes == []
