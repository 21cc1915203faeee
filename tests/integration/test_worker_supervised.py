"""`posthantering worker` supervises its Celery child: a child that dies (as Celery does on a
kombu race when Redis restarts: "Unrecoverable error ... 'hostname'") is started again, and the
letters waiting for it are read; SIGTERM stops the supervisor and its child, leaving nothing behind."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.integration.conftest import wait_until
from tests.support.faults import digital
from tests.support.processes import process_groups, query, stack

pytestmark = pytest.mark.integration


def _celery_group(supervisor_pid: int) -> int | None:
    groups = [g for g in process_groups(supervisor_pid) if g != os.getpgid(supervisor_pid)]
    return groups[0] if groups else None


def test_a_dead_celery_child_is_started_again(tmp_path: Path) -> None:
    rows = digital(tmp_path / "letters", ["a-001", "a-003"])
    extra = {"POSTHANTERING_SUPERVISE_INTERVAL": "0.5"}
    with stack(tmp_path, **extra) as s:
        db_url = f"sqlite:///{s.data_dir / 'posthantering.db'}"
        s.start_worker(concurrency=1)
        supervisor = s.procs["worker"]
        first = wait_until(lambda: _celery_group(supervisor.pid), 60, 0.2, "the Celery child")
        os.killpg(first, signal.SIGKILL)  # the child dies; its supervisor does not
        second = wait_until(
            lambda: (g := _celery_group(supervisor.pid)) and g != first and g, 60, 0.2, "a new Celery child"
        )
        assert supervisor.poll() is None
        s.cli("ingest", *[r["path"] for r in rows])
        done = {"routed", "needs_review"}
        wait_until(
            lambda: {st for (st,) in query(db_url, "select state from mail_items")} <= done,
            180,
            0.5,
            "the letters read by the new child",
        )
        assert "child_restarted" in (s.logs / "worker.log").read_text()

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=40) == 0
        time.sleep(0.5)
        with pytest.raises(ProcessLookupError):
            os.killpg(second, 0)  # the child stopped with its supervisor
