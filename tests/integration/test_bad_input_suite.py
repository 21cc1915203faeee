"""Issue 9.7: hostile files and a bounded schemathesis run against a real server and worker.

One stack (SQLite default, the API under uvicorn, one Celery worker) serves both tests:
- every generated hostile file (tests/support/hostile.py, >= 60) gets a 4xx with a readable Swedish
  reason or ends as a quarantined item; the server and the worker stay up; nothing is left stuck;
- schemathesis generates requests from /openapi.json: no 5xx, no response outside the schema.
The counts are printed (run with -s to see them) for the closing note.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.conftest import wait_for_items
from tests.support.hostile import MAX_PAGES, hostile_files
from tests.support.processes import Stack, stack

pytestmark = pytest.mark.integration

SWEDISH = re.compile(
    r"\b(fil(en|typen)?|PDF-filen|sida|sidor|bild(en|ens)?|skadad|stöds|tom|avkortad|krypterad|gränsen)\b"
)
ABSOLUTE_PATH = re.compile(r"(?<![\w.])/(?:[\w.-]+/)+")
PIPELINE_STATES = ("received", "extracted", "classified")


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, str]]:
    tmp = tmp_path_factory.mktemp("bad-input")
    with stack(tmp, POSTHANTERING_MAX_PAGES=str(MAX_PAGES), POSTHANTERING_STALE_AFTER_SECONDS="30") as s:
        token = s.cli("users", "add", "ada", "--role", "admin", "--token").stdout.strip().splitlines()[-1]
        s.start_worker(concurrency=1)
        s.start_api()
        yield s, token


def _alive(s: Stack, token: str) -> None:
    assert httpx.get(f"{s.base_url}/healthz", timeout=10).status_code == 200
    for name, proc in s.procs.items():
        assert proc.poll() is None, f"{name} died: " + (s.logs / f"{name}.log").read_text()[-3000:]


def test_hostile_files_are_refused_or_quarantined(running: tuple[Stack, str]) -> None:
    s, token = running
    headers = {"Authorization": f"Bearer {token}"}
    files = hostile_files()
    assert len(files) >= 60
    refused: dict[str, tuple[int, str]] = {}
    queued: dict[int, str] = {}
    for name, data in files:
        r = httpx.post(f"{s.base_url}/api/v1/mail", headers=headers, files={"file": (name, data)}, timeout=60)
        assert r.status_code < 500, (name, r.status_code, r.text)
        body = r.json()
        if r.status_code == 202:
            queued[body["id"]] = name
            continue
        assert 400 <= r.status_code < 500, (name, r.status_code, body)
        detail = body["detail"] if isinstance(body.get("detail"), str) else json.dumps(body["detail"])
        assert SWEDISH.search(detail), (name, detail)
        assert not ABSOLUTE_PATH.search(detail), (name, detail)
        refused[name] = (r.status_code, detail)
        if "id" in body:  # recorded and quarantined at intake: its stored name is a plain base name
            item = httpx.get(f"{s.base_url}/api/v1/mail/{body['id']}", headers=headers, timeout=10).json()
            assert item["state"] == "quarantined"
            assert "/" not in item["filename"] and "\\" not in item["filename"] and len(item["filename"]) <= 500
    results = wait_for_items(s.base_url, token, list(queued), timeout=300) if queued else {}
    for item_id, item in results.items():
        assert item["state"] == "quarantined", (queued[item_id], item["state"], item.get("state_reason"))
        assert item.get("state_reason"), queued[item_id]
    _alive(s, token)
    for state in PIPELINE_STATES:
        listed = httpx.get(f"{s.base_url}/api/v1/mail", params={"state": state}, headers=headers, timeout=10).json()
        assert listed["total"] == 0, (state, listed)
    print(
        f"\nbad inputs: {len(files)} tried, {len(refused)} refused with 4xx, {len(results)} quarantined by the worker"
    )


def test_schemathesis_finds_no_server_error_and_no_schema_violation(running: tuple[Stack, str], tmp_path: Path) -> None:
    s, token = running
    report = tmp_path / "st.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{s.base_url}/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--phases",
            "examples,fuzzing",
            "--max-examples",
            "4",
            "--seed",
            "9",
            "--workers",
            "2",
            "--request-timeout",
            "30",
            "--exclude-path-regex",
            "/tokens/.*/revoke",  # revoking the run's own token would only cut the run short
            "--report",
            "json",
            "--report-json-path",
            str(report),
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # schemathesis keeps a cache folder in its working directory
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    cases = _count_cases(report, out)
    print(f"\nschemathesis: {cases} test cases, exit code {proc.returncode}")
    assert cases > 0, out[-3000:]
    _alive(s, token)


def _count_cases(report: Path, output: str) -> int:
    m = re.search(r"Test cases:\s*(\d+) generated", output)
    if m:
        return int(m.group(1))
    if report.exists():
        data: Any = json.loads(report.read_text())
        return int(data.get("summary", {}).get("total", 0) or 0)
    return 0
