"""Housekeeping beat runs: the embedded broker's table of delivered messages."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import create_engine, inspect, text

from services.core.logging import get_logger

log = get_logger(__name__)


def purge_delivered_messages(broker_url: str, older_than: float) -> int:
    """Celery's SQLAlchemy transport marks a delivered message invisible and never deletes it, so its
    table grows forever. Delete the ones delivered more than `older_than` seconds ago (never redelivered
    by the transport anyway: a lost task is the sweeper's). Returns how many; 0 for other brokers."""
    if not broker_url.startswith("sqla+"):
        return 0
    url = broker_url[len("sqla+") :]
    engine = create_engine(url, connect_args={"timeout": 30} if url.startswith("sqlite") else {})
    try:
        with engine.begin() as conn:
            if not inspect(conn).has_table("kombu_message"):
                return 0
            # kombu stamps the row with local time (datetime.now) when it hands the message out.
            cutoff = datetime.now() - timedelta(seconds=older_than)
            result = conn.execute(
                text("DELETE FROM kombu_message WHERE visible = :visible AND timestamp < :cutoff"),
                {"visible": False, "cutoff": cutoff},
            )
            deleted = int(result.rowcount or 0)
    finally:
        engine.dispose()
    if deleted:
        log.info("broker_cleanup", deleted=deleted)
    return deleted
