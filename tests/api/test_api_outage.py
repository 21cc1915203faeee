"""Outages answered, not crashed: 503 JSON with Retry-After when the database is away; readiness
tells the truth (database, broker, storage, live workers per queue, work moving)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from services.core import db as core_db
from services.core.db import session_scope
from services.core.models import User, utcnow
from services.core.models_reliability import ITEM_PART, TaskLease
from services.core.settings import reset_settings
from services.pipeline import leases, liveness
from tests.support.servers import free_port

Auth = Callable[[User], dict[str, str]]


def test_upload_while_the_database_is_down_gets_503_json_with_retry_after(
    client: Any, make_user: Callable[..., User], auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    reg = make_user("reg", "registrar")
    # Nothing listens on this port: the database server is down.
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/postgres")
    reset_settings()
    core_db.dispose_engine()
    r = client.post("/api/v1/mail", headers=auth(reg), files={"file": ("brev.pdf", b"%PDF-1.4 ...")})
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "30"
    assert r.json()["error"] == "service_unavailable"
    assert "Databasen" in r.json()["detail"]
    assert client.get("/healthz").status_code == 200  # alive, though not ready
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"]["ok"] is False


def test_readiness_needs_a_live_worker_on_every_queue(client: Any) -> None:
    r = client.get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert body["checks"]["database"]["ok"] and body["checks"]["storage"]["ok"] and body["checks"]["broker"]["ok"]
    assert body["checks"]["storage"]["free_bytes"] > 0
    assert body["checks"]["workers"]["ok"] is False
    assert "ocr" in body["checks"]["workers"]["detail"]

    with session_scope() as s:
        liveness.heartbeat(s, "w1@host", "default,ocr", pid=4242)
    r = client.get("/readyz")
    assert r.status_code == 200, r.json()
    [w] = r.json()["checks"]["workers"]["queues"]["ocr"]
    assert (w["name"], w["pid"], w["alive"]) == ("w1@host", 4242, True)
    assert w["last_heartbeat"]

    with session_scope() as s:  # the worker stopped beating
        s.execute(liveness.WorkerHeartbeat.__table__.update().values(last_seen=utcnow() - timedelta(minutes=5)))
    assert client.get("/readyz").status_code == 503


def test_readiness_is_503_when_queued_work_does_not_move(client: Any, make_item: Callable[..., int]) -> None:
    with session_scope() as s:
        liveness.heartbeat(s, "w1@host", "default,ocr", pid=4242)  # alive, but frozen
    iid = make_item(state="received")
    with session_scope() as s:
        leases.mark_queued(s, iid, ITEM_PART, "ingest.extract", "ocr")
        old = utcnow() - timedelta(minutes=10)
        s.execute(TaskLease.__table__.update().values(sent_at=old, updated_at=old))
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["progress"]["stalled_seconds"] > 500


def test_a_letter_quarantined_by_a_full_disk_can_be_retried(
    client: Any, make_user: Callable[..., User], auth: Auth, make_item: Callable[..., int], enqueued: list[Any]
) -> None:
    reg = make_user("reg", "registrar")
    env = make_item(state="quarantined", state_reason="page 1: damaged or unreadable (OSError: [Errno 28] No space)")
    bad = make_item(state="quarantined", state_reason="damaged PDF, cannot be opened")
    r = client.post(f"/api/v1/mail/{env}/retry", headers=auth(reg))
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "received"
    assert enqueued == [(env, "received")]
    assert client.post(f"/api/v1/mail/{bad}/retry", headers=auth(reg)).status_code == 409


def test_a_queued_row_of_a_letter_that_left_the_pipeline_is_not_waiting_work(
    client: Any, make_item: Callable[..., int]
) -> None:
    with session_scope() as s:
        liveness.heartbeat(s, "w1@host", "default,ocr", pid=4242)
    iid = make_item(state="quarantined")  # one bad page quarantined it; its other page's message was lost
    with session_scope() as s:
        leases.mark_queued(s, iid, 1, "ingest.extract_page", "ocr")
        old = utcnow() - timedelta(minutes=10)
        s.execute(TaskLease.__table__.update().values(sent_at=old, updated_at=old))
    assert client.get("/readyz").status_code == 200
