"""Children under supervision (`serve`'s worker and beat, `worker`'s Celery worker): one that died is
reaped and started again; a worker without a heartbeat, or (`serve`, where it is the only worker) one
that lets queued work wait with no task moving, is killed and started again. Every restart is logged
(`child_restarted` with the reason)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from services.core.logging import get_logger
from services.core.settings import Settings

log = get_logger(__name__)

STARTUP_GRACE_SECONDS = 30.0


@dataclass
class Child:
    name: str
    argv: list[str]
    watch_worker: bool = False  # the heartbeat check applies
    watch_progress: bool = False  # and the check that queued work moves (one host: `serve`)
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    restarts: int = 0
    backoff: float = 0.0
    reasons: list[str] = field(default_factory=list)


class Supervisor:
    def __init__(self, settings: Settings, start: Callable[[list[str]], subprocess.Popen[bytes]]) -> None:
        self.settings = settings
        self._start = start
        self.children: list[Child] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, name: str, argv: list[str], *, watch_worker: bool = False, watch_progress: bool = False) -> Child:
        child = Child(name, argv, watch_worker, watch_progress and watch_worker)
        self._launch(child)
        self.children.append(child)
        return child

    def _launch(self, child: Child) -> None:
        child.proc = self._start(child.argv)
        child.started = time.monotonic()
        log.info("child_started", child=child.name, pid=child.proc.pid)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="supervisor", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.settings.supervise_interval_seconds):
            for child in self.children:
                try:
                    reason = self.check(child)
                except Exception as exc:  # noqa: BLE001 - a failed check never stops supervision
                    log.warning("supervise_check_failed", child=child.name, error=type(exc).__name__)
                    continue
                if reason and not self._stop.is_set():
                    self.restart(child, reason)

    def check(self, child: Child) -> str | None:
        """Why `child` must be restarted, or None. Reaps an exited child (no zombie is left)."""
        assert child.proc is not None
        code = child.proc.poll()
        if code is not None:
            return f"exited with {code}" if code >= 0 else f"killed by signal {-code}"
        if not child.watch_worker:
            return None
        age = time.monotonic() - child.started
        if age < STARTUP_GRACE_SECONDS:
            return None
        from services.core.db import session_scope
        from services.pipeline import liveness

        within = self.settings.worker_heartbeat_seconds * 3
        with session_scope() as session:
            mine = [w for w in liveness.workers(session, within) if w.pid == child.proc.pid]
            stalled = None
            if child.watch_progress:
                stalled = liveness.stalled(session, self.settings.worker_stuck_after_seconds)
        if age > within + STARTUP_GRACE_SECONDS and not any(w.alive for w in mine):
            return "no heartbeat"
        if stalled is not None and age > self.settings.worker_stuck_after_seconds:
            return f"stuck: queued work waited {stalled:.0f} s with no task moving"
        return None

    def restart(self, child: Child, reason: str) -> None:
        """Kill (the whole process group) and start again; a child that keeps dying (a full disk, a
        database away) is started again after a growing pause, at most a minute."""
        assert child.proc is not None
        old = child.proc.pid
        kill_group(child.proc, grace=5.0)
        now = time.monotonic()
        quick = now - child.started < 30
        child.backoff = min(60.0, child.backoff * 2 if quick and child.backoff else (1.0 if quick else 0.0))
        child.restarts += 1
        child.reasons.append(reason)
        log.warning("child_restarted", child=child.name, old_pid=old, reason=reason, restarts=child.restarts)
        if child.backoff and self._stop.wait(child.backoff):
            return
        self._launch(child)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        procs = [c.proc for c in self.children if c.proc is not None]
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            kill_group(proc, grace=20.0, term=False)


def kill_group(proc: subprocess.Popen[bytes], grace: float, term: bool = True) -> None:
    """SIGTERM the child's process group (its pool too), SIGKILL what is left after `grace`; reap it."""
    if term:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace)
    # The group may outlive its leader (pool processes of a SIGKILLed worker): end them all.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
