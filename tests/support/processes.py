"""Real processes for the integration tests: Celery workers, beat and the API, each started as
an operator would, with the environment naming the database and broker."""

from __future__ import annotations

import contextlib
import csv
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.servers import free_port

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"


@dataclass
class Stack:
    env: dict[str, str]
    data_dir: Path
    logs: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    base_url: str = ""
    prefix: list[str] = field(default_factory=list)  # e.g. ["ip", "netns", "exec", ns]: another "host"

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            [*self.prefix, *argv], env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs[name] = proc
        return proc

    def start_worker(self, name: str = "worker", queues: str = "ocr,default", concurrency: int = 2) -> None:
        """`posthantering worker`, as an operator runs it: Celery under its supervisor."""
        argv = ["worker", "--queues", queues, "--concurrency", str(concurrency), "--name", f"{name}@%h"]
        self._start(name, [sys.executable, "-m", "services.cli.main", *argv])

    def start_beat(self) -> None:
        self._start("beat", [sys.executable, "-m", "services.cli.main", "beat"])

    def start_api(self) -> None:
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self._start(
            "api",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "services.api.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("API did not come up: " + (self.logs / "api.log").read_text()[-2000:])

    def kill(self, name: str) -> None:
        """SIGKILL the process and all its children (a supervised worker's Celery child and its pool,
        each in its own process group)."""
        proc = self.procs.pop(name)
        for pgid in process_groups(proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        groups = {name: process_groups(proc.pid) for name, proc in self.procs.items()}
        for proc in self.procs.values():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        for pgids in groups.values():  # nothing a supervisor started outlives the test
            for pgid in pgids:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)
        self.procs.clear()

    def cli(
        self, *args: str, check: bool = True, timeout: float = 600, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.prefix, sys.executable, "-m", "services.cli.main", *args],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            input=input,
            text=True,
            check=check,
            timeout=timeout,
        )


def process_groups(pid: int) -> list[int]:
    """The process groups of `pid` and of all its descendants, deepest first (Linux /proc)."""
    seen: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError, ValueError):
            stat = Path(f"/proc/{p}/stat").read_text()
            pgid = int(stat.rsplit(")", 1)[1].split()[2])
            if pgid not in seen:
                seen.append(pgid)
        for task in Path(f"/proc/{p}/task").glob("*") if Path(f"/proc/{p}/task").exists() else []:
            with contextlib.suppress(OSError, ValueError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return list(reversed(seen))


def query(url: str, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    """Rows of one SQL query against a stack's database (read from outside, as an operator would)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return [tuple(r) for r in c.execute(text(sql)).all()]
    finally:
        engine.dispose()


@contextmanager
def stack(tmp_path: Path, *, database_url: str = "", broker_url: str = "", **extra: str) -> Iterator[Stack]:
    data_dir = tmp_path / "stack-data"
    logs = tmp_path / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BROKER_URL", "REDIS_URL"}}
    env.update({"POSTHANTERING_DATA_DIR": str(data_dir), "OMP_THREAD_LIMIT": "1", "PYTHONUNBUFFERED": "1"})
    if database_url:
        env["DATABASE_URL"] = database_url
    if broker_url:
        env["BROKER_URL"] = broker_url
    env.update(extra)
    s = Stack(env=env, data_dir=data_dir, logs=logs)
    s.cli("migrate")
    try:
        yield s
    finally:
        s.stop_all()


def render_letters(
    out: Path, ids: list[str], seed: int = 11, extra_args: list[str] | None = None
) -> list[dict[str, str]]:
    """Render corpus letters as scanner output with shared/tools/render_scans.py; returns manifest rows
    joined with each letter's labelled department."""
    by_set: dict[str, list[str]] = {}
    for i in ids:
        by_set.setdefault(i.split("-")[0], []).append(i)
    rows: list[dict[str, str]] = []
    for letter_set, set_ids in by_set.items():
        letters = SHARED / "corpus" / "letters" / letter_set
        dest = out / letter_set
        subprocess.run(
            [
                sys.executable,
                str(SHARED / "tools" / "render_scans.py"),
                str(letters),
                str(dest),
                "--seed",
                str(seed),
                "--only",
                ",".join(set_ids),
                *(extra_args or []),
            ],
            check=True,
            capture_output=True,
        )
        labels = {r["id"]: r for r in csv.DictReader((letters / "labels.csv").open(encoding="utf-8"))}
        for r in csv.DictReader((dest / "manifest.csv").open(encoding="utf-8")):
            rows.append({**r, "path": str(dest / r["file"]), "department": labels[r["id"]]["department"]})
    return rows
