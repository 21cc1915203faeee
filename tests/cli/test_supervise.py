"""serve's supervisor with real child processes: a killed child is reaped (no zombie) and started
again; a worker without a heartbeat, or with queued work that does not move, is restarted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from services.cli.supervise import Supervisor
from services.core.db import session_scope
from services.core.models import MailItem, utcnow
from services.core.models_reliability import ITEM_PART, TaskLease
from services.core.settings import get_settings
from services.pipeline import leases, liveness

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def _start(argv: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, start_new_session=True)


def test_a_killed_child_is_reaped_and_started_again(migrated: Path) -> None:
    sup = Supervisor(get_settings(), _start)
    child = sup.add("beat", SLEEPER)
    try:
        assert child.proc is not None
        old = child.proc.pid
        assert sup.check(child) is None
        os.kill(old, signal.SIGKILL)
        time.sleep(0.3)
        reason = sup.check(child)
        assert reason == "killed by signal 9"
        assert not Path(f"/proc/{old}").exists()  # reaped: no zombie left
        sup.restart(child, reason)
        assert child.proc.pid != old and child.proc.poll() is None
        assert child.restarts == 1
    finally:
        sup.stop()
    assert child.proc.poll() is not None


def test_a_worker_without_heartbeat_or_progress_is_restarted(migrated: Path) -> None:
    sup = Supervisor(get_settings(), _start)
    child = sup.add("worker", SLEEPER, watch_worker=True, watch_progress=True)
    alone = sup.add("worker2", SLEEPER, watch_worker=True)  # `posthantering worker`: other hosts may hold the work
    try:
        assert child.proc is not None
        assert sup.check(child) is None  # just started: grace
        child.started -= 3600  # an hour later
        assert sup.check(child) == "no heartbeat"
        with session_scope() as s:
            liveness.heartbeat(s, "worker@test", "default,ocr", pid=child.proc.pid)
        assert sup.check(child) is None  # beating, nothing waits
        with session_scope() as s:
            item = MailItem(sha256="f" * 64, filename="x.pdf", state="received")
            s.add(item)
            s.flush()
            leases.mark_queued(s, item.id, ITEM_PART, "ingest.extract", "ocr")
            old = utcnow() - timedelta(minutes=10)
            s.execute(TaskLease.__table__.update().values(sent_at=old, updated_at=old))
        reason = sup.check(child)
        assert reason is not None and reason.startswith("stuck")  # the frozen pool of issue 10
        assert alone.proc is not None
        alone.started -= 3600
        with session_scope() as s:
            liveness.heartbeat(s, "worker2@test", "default,ocr", pid=alone.proc.pid)
        assert sup.check(alone) is None  # beating: queued work elsewhere is not its fault
    finally:
        sup.stop()
