"""Rendered letters through the HTTP API and a real Celery worker, on both backends:
(a) the embedded default (SQLite database, Celery's SQLAlchemy transport on SQLite) and
(b) PostgreSQL with Redis. Each letter must end routed to its labelled department or in needs_review."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import wait_for_items
from tests.support.processes import render_letters, stack

pytestmark = pytest.mark.integration

# Mixed kinds under seed 11: G4 TIFF, JPEG PDFs, PNG, born-digital.
LETTERS = ["a-001", "a-003", "a-004", "b-002", "b-003", "b-006"]


def _run_batch(tmp_path: Path, **backend: str) -> None:
    rows = render_letters(tmp_path / "scans", LETTERS)
    with stack(tmp_path, **backend) as s:
        token = s.cli("users", "add", "reg", "--role", "registrar", "--token").stdout.strip().splitlines()[-1]
        s.start_worker()
        s.start_api()
        headers = {"Authorization": f"Bearer {token}"}
        ids: dict[int, dict[str, str]] = {}
        for row in rows:
            with open(row["path"], "rb") as f:
                r = httpx.post(
                    f"{s.base_url}/api/v1/mail",
                    headers=headers,
                    timeout=30,
                    files={"file": (Path(row["path"]).name, f)},
                )
            assert r.status_code == 202, r.text
            assert r.json()["duplicate"] is False
            ids[r.json()["id"]] = row

        # The same file again is the same item.
        first_id, first_row = next(iter(ids.items()))
        with open(first_row["path"], "rb") as f:
            again = httpx.post(f"{s.base_url}/api/v1/mail", headers=headers, files={"file": ("again.pdf", f)})
        assert again.status_code == 200
        assert again.json() == {**again.json(), "id": first_id, "duplicate": True}

        results = wait_for_items(s.base_url, token, list(ids), timeout=420)
        for item_id, body in results.items():
            expected = ids[item_id]["department"]
            assert body["state"] in {"routed", "needs_review"}, (ids[item_id], body.get("state_reason"))
            if body["state"] == "routed":
                assert body["department"] == expected, (ids[item_id]["id"], body["department"], expected)
            assert body["page_count"] == int(ids[item_id]["pages"])  # b-006: 2 pages, read page-parallel
            assert all(p["method"] in {"ocr", "text-layer"} for p in body["pages"])
            assert len(body["text"]) > 100
        digital = [i for i, row in ids.items() if row["kind"] == "digital"]
        assert all(p["method"] == "text-layer" for i in digital for p in results[i]["pages"])
        scanned = [i for i, row in ids.items() if row["kind"] != "digital"]
        assert all(p["method"] == "ocr" for i in scanned for p in results[i]["pages"])

        # A registrar resolves whatever needs review; the event trail records who did it.
        for item_id, body in results.items():
            if body["state"] == "needs_review":
                r = httpx.post(
                    f"{s.base_url}/api/v1/mail/{item_id}/route",
                    headers=headers,
                    json={
                        "department": ids[item_id]["department"] if ids[item_id]["department"] != "INGEN" else "KS",
                        "human_seconds": 12,
                    },
                )
                assert r.status_code == 200, r.text
                assert r.json()["state"] == "routed"


def test_embedded_sqlite_backend(tmp_path: Path) -> None:
    _run_batch(tmp_path)


def test_postgres_and_redis_backend(tmp_path: Path, postgres_url: str, redis_url: str) -> None:
    _run_batch(tmp_path, database_url=postgres_url, broker_url=redis_url)
