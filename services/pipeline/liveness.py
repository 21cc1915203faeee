"""Are the workers alive and is work moving? Read by readiness (/readyz) and by `serve`'s supervisor.

Each worker's main process writes a heartbeat row every few seconds (workers/celery_app.py). Progress
is read from the task leases: a task started, renewed or finished recently.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.core.models import utcnow
from services.core.models_reliability import WorkerHeartbeat
from services.pipeline import leases


def heartbeat(session: Session, name: str, queues: str, pid: int | None = None) -> None:
    now = utcnow()
    row = session.get(WorkerHeartbeat, name)
    if row is None:
        host = socket.gethostname()
        pid = pid or os.getpid()
        session.add(WorkerHeartbeat(name=name, queues=queues, host=host, pid=pid, started_at=now, last_seen=now))
    else:
        row.queues, row.pid, row.last_seen = queues, pid or os.getpid(), now


def forget_worker(session: Session, name: str) -> None:
    session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.name == name))


@dataclass(frozen=True)
class WorkerSeen:
    name: str
    pid: int
    host: str
    queues: list[str]
    last_seen: datetime
    alive: bool


def workers(session: Session, within: float) -> list[WorkerSeen]:
    now = utcnow()
    out = []
    for row in session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.name)):
        seen = row.last_seen if row.last_seen.tzinfo else row.last_seen.replace(tzinfo=UTC)
        out.append(
            WorkerSeen(
                name=row.name,
                pid=row.pid,
                host=row.host,
                queues=[q for q in row.queues.split(",") if q],
                last_seen=seen,
                alive=seen > now - timedelta(seconds=within),
            )
        )
    return out


def stalled(session: Session, stuck_after: float) -> float | None:
    """Seconds the oldest queued task has waited while no task started, renewed or finished for
    `stuck_after` seconds; None when work is moving (or nothing waits)."""
    now = utcnow()
    oldest = leases.oldest_waiting(session)
    if oldest is None or oldest > now - timedelta(seconds=stuck_after):
        return None
    if leases.progress_since(session, now - timedelta(seconds=stuck_after)):
        return None
    return (now - oldest).total_seconds()
