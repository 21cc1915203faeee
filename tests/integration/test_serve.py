"""`posthantering serve`, the embedded all-in-one, driven as an operator would: first start prints an
admin token; `ingest --wait --json` prints each letter's outcome; the hot folder takes scanner output."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import wait_until
from tests.support.processes import REPO, render_letters, stack
from tests.support.servers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def test_serve_ingest_wait_and_hot_folder(tmp_path: Path) -> None:
    rows = render_letters(tmp_path / "scans", ["a-011", "a-012", "b-010"], seed=5)
    with stack(tmp_path) as s:
        port = free_port()
        log = (s.logs / "serve.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "services.cli.main", "serve", "--port", str(port)],
            env=s.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until(lambda: _up(base), 60, what="serve to answer /healthz")
            token = wait_until(lambda: _token(s.logs / "serve.log"), 30, what="the admin token")
            r = httpx.get(f"{base}/api/v1/departments", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200
            assert {d["code"] for d in r.json()} >= {"KS", "SBN", "SN", "INGEN"}

            out = s.cli("ingest", "--wait", "--json", *[r["path"] for r in rows], timeout=600)
            results = json.loads(out.stdout)
            assert [Path(r["file"]).name for r in results] == [Path(r["path"]).name for r in rows]
            for res, row in zip(results, rows, strict=True):
                assert res["state"] in {"routed", "needs_review"}, res
                if res["state"] == "routed":
                    assert res["department"] == row["department"]

            # Scanner output in the hot folder: a good file is archived, a bad one quarantined with a reason.
            inbox = s.data_dir / "inbox"
            shutil.copy(rows[0]["path"], inbox / "copy-of-first.bin")  # same bytes: a duplicate
            (inbox / "not-really.pdf").write_text("this is a text file, not a PDF")
            quarantine = s.data_dir / "quarantine"
            wait_until(lambda: (quarantine / "not-really.pdf.error.txt").exists(), 60, what="quarantine")
            assert "pdf" in (quarantine / "not-really.pdf.error.txt").read_text().lower()
            wait_until(lambda: list((s.data_dir / "archive").rglob("copy-of-first*")), 60, what="archive")
            assert not (inbox / "copy-of-first.bin").exists()
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
        assert proc.returncode is not None
        # Stopping serve stops everything it started: no worker or beat is left behind.
        wait_until(lambda: not _processes_using(s.data_dir), 40, what="serve's children to exit")


def _processes_using(data_dir: Path) -> list[int]:
    marker = f"POSTHANTERING_DATA_DIR={data_dir}".encode()
    found = []
    for env in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in env.read_bytes().split(b"\0"):
                found.append(int(env.parent.name))
        except OSError:
            continue
    return found


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        time.sleep(0.3)
        return False


def _token(log: Path) -> str | None:
    m = re.search(r"\b(ph_[A-Za-z0-9_\-]{20,})", log.read_text(errors="replace"))
    return m.group(1) if m else None
