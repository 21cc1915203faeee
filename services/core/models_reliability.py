"""Where each item's task is (queued, running under a lease, done) and which workers are alive.

The broker is a doorbell that can lose messages (a SIGKILLed worker, a flushed Redis). These rows
let the sweeper tell a lost task from one that is only waiting in the queue, and let readiness and
`serve` see whether workers are alive and making progress.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, utcnow

ITEM_PART = -1  # the item's own step; a page task uses its page index


class TaskLease(Base):
    __tablename__ = "task_leases"
    __table_args__ = (Index("ix_task_leases_status_updated_at", "status", "updated_at"),)

    item_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True, default=ITEM_PART)
    task: Mapped[str] = mapped_column(String(60))
    queue: Mapped[str] = mapped_column(String(30), default="")
    # queued: sent to the broker | unsent: the send failed | running: a worker holds the lease | done
    status: Mapped[str] = mapped_column(String(10))
    owner: Mapped[str | None] = mapped_column(String(200), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkerHeartbeat(Base):
    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    queues: Mapped[str] = mapped_column(String(200), default="")
    host: Mapped[str] = mapped_column(String(200), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
