"""The embedded broker's table loses its delivered messages; waiting ones stay."""

from __future__ import annotations

from pathlib import Path

from kombu import Connection
from sqlalchemy import create_engine, text

from services.pipeline.maintenance import purge_delivered_messages


def test_delivered_messages_are_deleted_and_waiting_ones_kept(tmp_path: Path) -> None:
    url = f"sqla+sqlite:///{tmp_path / 'broker.db'}"
    with Connection(url) as conn:
        queue = conn.SimpleQueue("default")
        for n in range(3):
            queue.put({"n": n})
        for _ in range(2):
            queue.get(timeout=5).ack()
        queue.close()
    assert purge_delivered_messages(url, older_than=3600) == 0  # delivered just now: kept a while
    assert purge_delivered_messages(url, older_than=0) == 2
    engine = create_engine(url[len("sqla+") :])
    with engine.connect() as c:
        rows = c.execute(text("select visible from kombu_message")).all()
    engine.dispose()
    assert [bool(v) for (v,) in rows] == [True]
    assert purge_delivered_messages("redis://127.0.0.1:1/0", older_than=0) == 0
