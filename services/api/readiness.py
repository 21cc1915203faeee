"""Readiness: can the service make progress right now? Database, broker, blob store free space, live
workers per queue (with their last heartbeat) and whether queued work is moving. Each check fails on
its own and says why; any failure makes /readyz answer 503."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from services.core.db import session_scope
from services.core.environment import free_bytes, storage_writable
from services.core.logging import get_logger
from services.core.settings import get_settings
from services.metering.operations import queue_depth
from services.pipeline import liveness

log = get_logger(__name__)

QUEUES = ("ocr", "default")


def readiness() -> tuple[bool, dict[str, Any]]:
    checks = {
        "database": _database(),
        "broker": _broker(),
        "storage": _storage(),
    }
    if checks["database"]["ok"]:
        checks.update(_workers_and_progress())
    else:
        checks["workers"] = {"ok": False, "detail": "okänt: databasen svarar inte"}
    ready = all(c["ok"] for c in checks.values())
    return ready, {"status": "ok" if ready else "unavailable", "checks": checks}


def _database() -> dict[str, Any]:
    try:
        with session_scope() as session:
            session.execute(text("SELECT 1"))
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001 - a probe reports, it does not raise
        log.warning("readyz_database_failed", error=type(exc).__name__)
        return {"ok": False, "detail": f"databasen svarar inte ({type(exc).__name__})"}


def _broker() -> dict[str, Any]:
    try:
        depth = queue_depth(get_settings().broker_url, timeout=1.0)
    except Exception as exc:  # noqa: BLE001
        log.warning("readyz_broker_failed", error=type(exc).__name__)
        return {"ok": False, "detail": f"meddelandekön svarar inte ({type(exc).__name__})"}
    if depth is None:
        return {"ok": True, "detail": "ködjup okänt för denna broker"}
    return {"ok": True, "queued": depth}


def _storage() -> dict[str, Any]:
    settings = get_settings()
    free = free_bytes(settings.blob_dir)
    ok = storage_writable(settings.blob_dir, settings.min_free_bytes)
    out: dict[str, Any] = {"ok": ok, "free_bytes": free, "min_free_bytes": settings.min_free_bytes}
    if not ok:
        out["detail"] = "för lite ledigt utrymme eller lagringen går inte att skriva"
    return out


def _workers_and_progress() -> dict[str, dict[str, Any]]:
    settings = get_settings()
    within = settings.worker_heartbeat_seconds * 3
    try:
        with session_scope() as session:
            seen = liveness.workers(session, within)
            stalled = liveness.stalled(session, settings.worker_stuck_after_seconds)
    except Exception as exc:  # noqa: BLE001 - e.g. the schema is older than this code
        return {"workers": {"ok": False, "detail": type(exc).__name__}}
    per_queue: dict[str, list[dict[str, Any]]] = {q: [] for q in QUEUES}
    for w in seen:
        for q in w.queues:
            row = {"name": w.name, "host": w.host, "pid": w.pid, "alive": w.alive}
            per_queue.setdefault(q, []).append({**row, "last_heartbeat": w.last_seen.isoformat()})
    missing = [q for q in QUEUES if not any(w["alive"] for w in per_queue[q])]
    workers: dict[str, Any] = {"ok": not missing, "queues": per_queue}
    if missing:
        workers["detail"] = "ingen levande worker för kön: " + ", ".join(missing)
    progress: dict[str, Any] = {"ok": stalled is None, "stalled_seconds": stalled}
    if stalled is not None:
        progress["detail"] = "arbete väntar men inget har rört sig"
    return {"workers": workers, "progress": progress}
