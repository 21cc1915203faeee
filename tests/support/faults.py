"""Fault injection on a running stack, shared by the fault tests (tests/integration/test_faults.py)
and bench/faults.py: a few letters go in, a fault is injected, and the outcome is counted.

Each scenario returns a FaultResult: letters accepted, how many reached a right final state (routed or
needs_review), how many were lost (anything else at the deadline), how many were duplicated (a state
event twice, a page row twice, or a page whose reading completed twice according to the workers' JSON
logs), and the seconds from the fault to the last letter's final state.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from tests.support import servers
from tests.support.processes import Stack, render_letters, stack

RIGHT = {"routed", "needs_review"}
# Short periods so a run takes seconds: lease 6 s, a lost task is re-sent after 4 s, sweeps every 2 s.
FAST = {
    "POSTHANTERING_TASK_LEASE_SECONDS": "6",
    "POSTHANTERING_LOST_AFTER_SECONDS": "4",
    "POSTHANTERING_SWEEP_INTERVAL_SECONDS": "2",
    "POSTHANTERING_WORKER_HEARTBEAT_SECONDS": "2",
    "POSTHANTERING_WORKER_STUCK_AFTER_SECONDS": "20",
    "POSTHANTERING_SUPERVISE_INTERVAL": "1",
    "POSTHANTERING_LOG_JSON": "true",
    "POSTHANTERING_MIN_FREE_BYTES": str(2 * 1024 * 1024),
}


@dataclass
class FaultResult:
    fault: str
    backend: str
    accepted: int = 0
    final: int = 0
    lost: int = 0
    duplicated: int = 0
    recovery_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def row(self) -> list[str]:
        return [
            self.fault,
            self.backend,
            str(self.accepted),
            str(self.final),
            str(self.lost),
            str(self.duplicated),
            f"{self.recovery_seconds:.1f}",
        ]


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.5, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception:  # noqa: BLE001 - a server being restarted may refuse a query meanwhile
            value = None
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def db_url_of(s: Stack) -> str:
    return s.env.get("DATABASE_URL") or f"sqlite:///{s.data_dir / 'posthantering.db'}"


def query(url: str, sql: str) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return list(c.execute(text(sql)).all())
    finally:
        engine.dispose()


def states(s: Stack) -> dict[int, str]:
    return {i: st for i, st in query(db_url_of(s), "select id, state from mail_items")}


def all_final(s: Stack, n: int) -> bool:
    st = states(s)
    return len(st) >= n and all(v in RIGHT for v in st.values())


def duplicated(s: Stack) -> int:
    """Items with a state event twice or a page row twice, plus pages whose reading completed twice."""
    url = db_url_of(s)
    events = query(url, "select item_id, to_state from events where to_state in ('extracted','classified','routed')")
    pages = query(url, 'select item_id, "index", count(*) from pages group by item_id, "index" having count(*) > 1')
    twice = {i for (i, _st), n in Counter(events).items() if n > 1} | {r[0] for r in pages}
    reads: Counter[tuple[int, int]] = Counter()
    for log in s.logs.glob("*.log"):
        for line in log.read_text(errors="replace").splitlines():
            if '"step_done"' not in line or '"work_done": true' not in line:
                continue
            try:
                rec = json.loads(line[line.index("{") :])
            except ValueError:
                continue
            if rec.get("step") in {"ingest.extract", "ingest.extract_page"}:
                reads[(int(rec["item_id"]), int(rec.get("part", -1)))] += 1
    twice |= {item for (item, _part), n in reads.items() if n > 1}
    return len(twice)


def outcome(r: FaultResult, s: Stack, n: int, fault_at: float, timeout: float) -> FaultResult:
    with suppress(AssertionError):
        wait_until(lambda: all_final(s, n), timeout, what="every letter final")
    r.recovery_seconds = time.monotonic() - fault_at
    st = states(s)
    r.accepted = len(st)
    r.final = sum(1 for v in st.values() if v in RIGHT)
    r.lost = r.accepted - r.final
    r.duplicated = duplicated(s)
    if not any('"step_done"' in log.read_text(errors="replace") for log in s.logs.glob("*.log")):
        r.notes.append("no step_done line in the worker's log")
    if r.lost:
        r.notes.append(f"states: {sorted(Counter(st.values()).items())}")
    return r


def children_of(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def token_for(s: Stack) -> str:
    return s.cli("users", "add", "reg", "--role", "registrar", "--token").stdout.strip().splitlines()[-1]


def upload(s: Stack, token: str, path: str) -> httpx.Response:
    with open(path, "rb") as f:
        return httpx.post(
            f"{s.base_url}/api/v1/mail",
            headers={"Authorization": f"Bearer {token}"},
            files={"file": (Path(path).name, f)},
            timeout=30,
        )


def digital(out: Path, ids: list[str]) -> list[dict[str, str]]:
    return render_letters(out, ids, seed=3, extra_args=["--digital-share", "1.0"])


def scans(out: Path, ids: list[str], seed: int = 23) -> list[dict[str, str]]:
    return render_letters(out, ids, seed=seed, extra_args=["--digital-share", "0"])


# --- restartable private servers (the shared ones are never touched) ---


class Redis:
    def __init__(self) -> None:
        self.port = servers.free_port()
        self.dir = tempfile.mkdtemp(prefix="ph-fault-redis-")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        exe = shutil.which("redis-server")
        assert exe, "redis-server not installed"
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        servers._wait_port(self.port)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None

    def flushall(self) -> None:
        import redis

        redis.Redis.from_url(self.url).flushall()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Postgres:
    def __init__(self) -> None:
        bindir = servers._pg_bin()
        assert bindir is not None, "PostgreSQL binaries not installed"
        self.bindir = bindir
        self.port = servers.free_port()
        self.tmp = Path(tempfile.mkdtemp(prefix="ph-fault-pg-"))
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            import pwd

            user = pwd.getpwnam("postgres")
            os.chown(self.tmp, user.pw_uid, user.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        subprocess.run(
            [
                *self.prefix,
                str(bindir / "initdb"),
                "-D",
                str(self.tmp / "data"),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                *self.prefix,
                str(self.bindir / "postgres"),
                "-D",
                str(self.tmp / "data"),
                "-p",
                str(self.port),
                "-k",
                str(self.tmp),
                "-h",
                "127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "full_page_writes=off",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        servers._wait_port(self.port)
        time.sleep(0.3)

    def stop(self) -> None:
        """Immediate shutdown (SIGQUIT), as a crash or a restart by the operator looks to clients."""
        if self.proc is not None:
            # pg_ctl (as the server's user: a signal to `runuser` would not reach postgres).
            subprocess.run(
                [*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.tmp / "data"), "stop", "-m", "immediate"],
                capture_output=True,
                timeout=30,
            )
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


@contextmanager
def backend(tmp: Path, name: str, **extra: str) -> Iterator[tuple[Stack, Redis | None, Postgres | None]]:
    """A stack on `name` ("embedded" or "postgres-redis", the latter on restartable private servers)."""
    redis_srv = pg = None
    urls: dict[str, str] = {}
    try:
        if name == "postgres-redis":
            redis_srv, pg = Redis(), Postgres()
            redis_srv.start()
            pg.start()
            urls = {"database_url": pg.url, "broker_url": redis_srv.url}
        with stack(tmp, **urls, **{**FAST, **extra}) as s:
            yield s, redis_srv, pg
    finally:
        if redis_srv is not None:
            redis_srv.close()
        if pg is not None:
            pg.close()
