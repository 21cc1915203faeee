"""The faults, as an operator meets them. Each takes a fresh temporary folder and a backend name
("embedded" or "postgres-redis") and returns a FaultResult (tests/support/faults.py). Recovery is
counted from the end of the fault (the kill, the server back, the disk freed) to the last letter's
final state."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.faults import (
    FaultResult,
    backend,
    children_of,
    cmdline,
    digital,
    outcome,
    scans,
    states,
    token_for,
    upload,
    wait_until,
)
from tests.support.processes import REPO, Stack
from tests.support.servers import free_port

TIMEOUT = 240.0


def _log_has(s: Stack, name: str, needle: str) -> bool:
    path = s.logs / f"{name}.log"
    return path.exists() and needle in path.read_text(errors="replace")


def worker_sigkill(tmp: Path, name: str) -> FaultResult:
    """SIGKILL the worker (and its pool) while it reads a page; start it again."""
    rows = scans(tmp / "scans", ["a-005", "a-012"]) + digital(tmp / "digital", ["b-007"])
    r = FaultResult("worker SIGKILL", name)
    with backend(tmp, name) as (s, _redis, _pg):
        s.cli("ingest", *[row["path"] for row in rows])
        s.start_worker(concurrency=1)
        s.start_beat()
        wait_until(lambda: _log_has(s, "worker", '"step_started"'), 120, 0.1, "a step to start")
        time.sleep(0.5)
        s.kill("worker")
        fault_at = time.monotonic()
        s.start_worker(concurrency=2)
        return outcome(r, s, len(rows), fault_at, TIMEOUT)


@contextmanager
def _serve(s: Stack, concurrency: int = 2) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    log = (s.logs / "serve.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.cli.main", "serve", "--port", str(port), "--concurrency", str(concurrency)],
        env=s.env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: httpx.get(f"{base}/healthz", timeout=2).status_code == 200, 60, 0.3, "serve")
        yield proc, base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _serve_worker(serve_pid: int) -> int | None:
    found = [p for p in children_of(serve_pid) if "celery" in cmdline(p) and " worker " in cmdline(p)]
    return found[0] if found else None


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


def pool_child_after_restart(tmp: Path, name: str = "embedded") -> FaultResult:
    """`serve`: SIGKILL its worker (serve reaps and restarts it), then SIGKILL one pool process of the
    new worker while letters wait. Every letter still finishes (serve restarts a frozen worker)."""
    first = digital(tmp / "first", ["a-001", "b-002"])
    second = digital(tmp / "second", ["b-003", "a-004"])
    r = FaultResult("pool child SIGKILL after restart", name)
    with backend(tmp, name) as (s, _redis, _pg), _serve(s) as (proc, _base):
        s.cli("ingest", *[row["path"] for row in first])
        old = wait_until(lambda: _serve_worker(proc.pid), 30, 0.2, "serve's worker")
        wait_until(lambda: len(children_of(old)) >= 2, 60, 0.2, "the worker's pool")
        os.kill(old, signal.SIGKILL)
        new = wait_until(lambda: (w := _serve_worker(proc.pid)) and w != old and w, 30, 0.2, "a restarted worker")
        if _zombie(old) or Path(f"/proc/{old}").exists():
            r.notes.append("the killed worker was left a zombie")
        if not _log_has(s, "serve", "child_restarted"):
            r.notes.append("no child_restarted log line")
        pool = wait_until(lambda: len(c := children_of(new)) >= 2 and c, 60, 0.2, "the new worker's pool")
        s.cli("ingest", *[row["path"] for row in second])
        wait_until(lambda: _log_has(s, "serve", '"step_started"'), 60, 0.1, "work to start")
        os.kill(pool[0], signal.SIGKILL)
        fault_at = time.monotonic()
        result = outcome(r, s, len(first) + len(second), fault_at, TIMEOUT)
    return result


def redis_flush_and_restart(tmp: Path, name: str = "postgres-redis") -> FaultResult:
    """Letters wait in Redis, which is flushed; then Redis is killed and started again mid-batch."""
    rows = digital(tmp / "digital", ["a-001", "a-003", "b-006", "b-002"])
    late = digital(tmp / "late", ["a-004"])
    r = FaultResult("Redis FLUSHALL + restart", name)
    with backend(tmp, name) as (s, redis_srv, _pg):
        assert redis_srv is not None
        token = token_for(s)
        s.start_api()
        for row in rows:
            assert upload(s, token, row["path"]).status_code == 202
        redis_srv.flushall()  # every waiting task is gone
        s.start_worker()
        s.start_beat()
        wait_until(lambda: any(v != "received" for v in states(s).values()), 120, 0.2, "progress after the flush")
        redis_srv.stop()
        resp = upload(s, token, late[0]["path"])  # the item is saved; its task is sent when Redis is back
        if resp.status_code != 202:
            r.notes.append(f"upload while Redis was down: {resp.status_code}")
        time.sleep(3)
        redis_srv.start()
        fault_at = time.monotonic()
        return outcome(r, s, len(rows) + 1, fault_at, TIMEOUT)


def postgres_restart(tmp: Path, name: str = "postgres-redis") -> FaultResult:
    """PostgreSQL stops mid-batch (an upload meanwhile gets 503 + Retry-After) and comes back."""
    rows = scans(tmp / "scans", ["a-007"]) + digital(tmp / "digital", ["b-008", "a-010"])
    late = digital(tmp / "late", ["a-009"])
    r = FaultResult("PostgreSQL restart", name)
    with backend(tmp, name) as (s, _redis, pg):
        assert pg is not None
        token = token_for(s)
        s.start_api()
        for row in rows:
            assert upload(s, token, row["path"]).status_code == 202
        s.start_worker()
        s.start_beat()
        wait_until(lambda: _log_has(s, "worker", '"step_started"'), 120, 0.1, "work to start")
        pg.stop()
        resp = upload(s, token, late[0]["path"])
        if resp.status_code != 503 or "Retry-After" not in resp.headers or "error" not in resp.json():
            r.notes.append(f"upload while PostgreSQL was down: {resp.status_code} {resp.text[:200]}")
        time.sleep(4)
        pg.start()
        fault_at = time.monotonic()
        return outcome(r, s, len(rows), fault_at, TIMEOUT)


def _fill(path: Path) -> None:
    """Write zeros until the file system says ENOSPC."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1024 * 1024, 4096, 512):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)


@contextmanager
def small_filesystem(where: Path, megabytes: int) -> Iterator[Path]:
    """A real file system of a few MB (tmpfs; needs root), removed afterwards."""
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        for _ in range(10):
            if subprocess.run(["umount", str(where)], capture_output=True).returncode == 0:
                break
            time.sleep(1)
        else:
            subprocess.run(["umount", "-l", str(where)], check=False)


def can_mount() -> bool:
    """Root on Linux with the right to mount (a container without CAP_SYS_ADMIN has not): try it."""
    if os.geteuid() != 0 or not sys.platform.startswith("linux"):
        return False
    import tempfile

    where = Path(tempfile.mkdtemp(prefix="ph-mount-probe-"))
    try:
        probe = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)], capture_output=True)
        if probe.returncode != 0:
            return False
        subprocess.run(["umount", str(where)], capture_output=True)
        return True
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            where.rmdir()


def disk_full(tmp: Path, name: str) -> FaultResult:
    """The data directory's file system fills up while letters are being read: nothing is quarantined
    for it, an upload meanwhile gets 507 with a JSON reason, and everything finishes once space is back.
    The embedded default runs as `serve` (its broker and database live on that disk too, so its worker
    and beat die of it and serve restarts them); scale-out runs its processes on their own."""
    rows = scans(tmp / "scans", ["a-008"]) + digital(tmp / "digital", ["b-007"])
    late = digital(tmp / "late", ["a-011"])
    r = FaultResult("disk full (data dir)", name)
    with contextlib.ExitStack() as stack_:
        stack_.enter_context(small_filesystem(tmp / "stack-data", 64))
        s, _redis, _pg = stack_.enter_context(backend(tmp, name))
        token = token_for(s)
        if name == "embedded":
            _proc, s.base_url = stack_.enter_context(_serve(s))
            work_log = "serve"
        else:
            s.start_api()
            work_log = "worker"
        for row in rows:
            assert upload(s, token, row["path"]).status_code == 202
        filler = s.data_dir / "filler.bin"
        _fill(filler)
        resp = upload(s, token, late[0]["path"])
        if resp.status_code != 507 or "detail" not in resp.json():
            r.notes.append(f"upload on a full disk: {resp.status_code} {resp.text[:200]}")
        if name != "embedded":
            s.start_worker()
            s.start_beat()
        # The worker meets the full disk (a step retried, or the broker on that disk refusing work).
        with contextlib.suppress(AssertionError):
            wait_until(lambda: _log_has(s, work_log, "No space left") or _log_has(s, work_log, "disk is full"), 90)
        time.sleep(5)
        bad = {i: v for i, v in states(s).items() if v in {"quarantined", "failed"}}
        if bad:
            r.notes.append(f"blamed on the letter while the disk was full: {bad}")
        filler.unlink()
        fault_at = time.monotonic()
        result = outcome(r, s, len(rows), fault_at, TIMEOUT)
        s.stop_all()
    return result


SCENARIOS: dict[str, tuple[Callable[[Path, str], FaultResult], tuple[str, ...]]] = {
    "worker_sigkill": (worker_sigkill, ("embedded", "postgres-redis")),
    "pool_child_after_restart": (pool_child_after_restart, ("embedded",)),
    "redis_flush_and_restart": (redis_flush_and_restart, ("postgres-redis",)),
    "postgres_restart": (postgres_restart, ("postgres-redis",)),
    "disk_full": (disk_full, ("embedded", "postgres-redis")),
}
