"""Operations figures for /metrics, read at scrape time: queue depth, step durations, pages extracted.

Everything is derived from the database and the broker, so every API process reports the same
numbers and nothing depends on which worker process did the work (no multiprocess registry needed).
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from sqlalchemy import case, create_engine, func, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from services.core.models import Event, Page, utcnow

QUEUES = ("ocr", "default")
# Upper bounds (seconds) of the step-duration histogram: a text-layer page is milliseconds, OCR seconds.
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
# kombu's Redis transport keeps priority messages in sibling lists "<queue>\x06\x16<priority>".
_REDIS_PRIORITY_SEP = "\x06\x16"
_REDIS_PRIORITIES = (3, 6, 9)


def step_histograms(session: Session) -> dict[str, dict[str, Any]]:
    """Per step (event action with machine time): cumulative bucket counts, count and sum, over all events.

    Counts only grow (events are never deleted), so they behave as Prometheus histogram counters.
    """
    cols = [func.sum(case((Event.machine_seconds <= b, 1), else_=0)) for b in BUCKETS]
    rows = session.execute(
        select(Event.action, func.count(), func.sum(Event.machine_seconds), *cols)
        .where(Event.machine_seconds > 0)
        .group_by(Event.action)
    ).all()
    out: dict[str, dict[str, Any]] = {}
    for action, count, total, *bucket_counts in rows:
        out[action] = {
            "count": int(count),
            "sum": float(total or 0),
            "buckets": [(b, int(c or 0)) for b, c in zip(BUCKETS, bucket_counts, strict=True)],
        }
    return out


def pages_by_method(session: Session) -> dict[str, int]:
    """Pages extracted so far, per method (ocr, text-layer, empty): a counter."""
    return {m: int(n) for m, n in session.execute(select(Page.method, func.count()).group_by(Page.method))}


def ocr_pages_per_second(session: Session, window_seconds: int = 300) -> float:
    """OCR'd pages of the items extracted in the last window, divided by the window length."""
    since = utcnow() - timedelta(seconds=window_seconds)
    pages = session.scalar(
        select(func.count(Page.id))
        .join(Event, Event.item_id == Page.item_id)
        .where(Event.action == "extracted", Event.at >= since, Page.method == "ocr")
    )
    return float(pages or 0) / window_seconds


@cache
def _kombu_engine(url: str) -> Engine:
    connect_args = {"timeout": 1} if url.startswith("sqlite") else {"connect_timeout": 2}
    return create_engine(url, connect_args=connect_args, pool_pre_ping=True, pool_size=1, max_overflow=0)


def queue_depth(broker_url: str, timeout: float = 1.0) -> dict[str, int] | None:
    """Messages waiting per queue, or None when the broker cannot be asked (unknown kind, down, no table)."""
    if broker_url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(broker_url, socket_timeout=timeout, socket_connect_timeout=timeout)
        try:
            pipe = client.pipeline()
            for q in QUEUES:
                pipe.llen(q)
                for pri in _REDIS_PRIORITIES:
                    pipe.llen(f"{q}{_REDIS_PRIORITY_SEP}{pri}")
            sizes = pipe.execute()
        finally:
            client.close()
        per = 1 + len(_REDIS_PRIORITIES)
        return {q: int(sum(sizes[i * per : (i + 1) * per])) for i, q in enumerate(QUEUES)}
    if broker_url.startswith("sqla+"):
        engine = _kombu_engine(broker_url[len("sqla+") :])
        with engine.connect() as conn:
            if not inspect(conn).has_table("kombu_message"):
                return dict.fromkeys(QUEUES, 0)  # nothing was ever sent: kombu creates its tables lazily
            if engine.dialect.name == "postgresql":
                conn.execute(text(f"SET statement_timeout = {int(timeout * 1000)}"))
            rows = conn.execute(
                text(
                    "SELECT q.name, COUNT(m.id) FROM kombu_queue q LEFT JOIN kombu_message m "
                    "ON m.queue_id = q.id AND m.visible = :visible GROUP BY q.name"
                ),
                {"visible": True},
            ).all()
        counts = {name: int(n) for name, n in rows}
        return {q: counts.get(q, 0) for q in QUEUES}
    return None
