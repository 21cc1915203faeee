"""A worker on another "host": its own network namespace, its own empty data directory, reaching
PostgreSQL and Redis only over a veth pair whose addresses exist only in the namespaces this test made,
with the PostgreSQL blob backend (no shared file system). It is SIGKILLed in the middle of a batch; a
worker and the sweeper on the server side finish the rest. Every item finishes exactly once."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from tests.integration.conftest import wait_until
from tests.support.netns import netns_pair, netns_unavailable, servers_in
from tests.support.processes import Stack, render_letters
from tests.support.processes import query as _query

pytestmark = pytest.mark.integration

# Scans of several kinds; a-012 has 2 pages under seed 23 (read page-parallel, joined across hosts).
LETTERS = ["a-005", "a-006", "a-007", "a-008", "a-012", "b-007"]
DONE = {"routed", "needs_review"}


def _env(data_dir: Path, database_url: str, broker_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BROKER_URL", "REDIS_URL"}}
    env.update(
        {
            "POSTHANTERING_DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            "BROKER_URL": broker_url,
            "POSTHANTERING_BLOB_BACKEND": "postgres",
            "POSTHANTERING_STALE_AFTER_SECONDS": "6",
            "POSTHANTERING_SWEEP_INTERVAL_SECONDS": "2",
            "OMP_THREAD_LIMIT": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def test_worker_on_another_host_killed_mid_batch(tmp_path: Path) -> None:
    if why := netns_unavailable():
        pytest.skip(why)
    rows = render_letters(tmp_path / "scans", LETTERS, seed=23)
    logs = tmp_path / "logs"
    logs.mkdir()
    with netns_pair() as pair, servers_in(pair) as (db_url, broker_url, local_db):
        server = Stack(
            env=_env(tmp_path / "server-data", db_url, broker_url),
            data_dir=tmp_path / "server-data",
            logs=logs,
            prefix=pair.prefix(pair.server_ns),
        )
        host_b = Stack(
            env=_env(tmp_path / "host-b-data", db_url, broker_url),
            data_dir=tmp_path / "host-b-data",
            logs=logs,
            prefix=pair.prefix(pair.host_ns),
        )
        try:
            server.cli("migrate")
            # The other host sees the servers over the veth, and nothing of the server's files.
            host_b.start_worker("remote", concurrency=1)
            server.cli("ingest", *[r["path"] for r in rows])
            assert len(_query(local_db, "select id from mail_items")) == len(rows)
            assert _query(local_db, "select count(*) from blob_objects")[0][0] >= len(rows)

            def progressed() -> bool:
                states = [s for (s,) in _query(local_db, "select state from mail_items")]
                return any(s != "received" for s in states)

            wait_until(progressed, 240, what="the remote worker's first item")
            host_b.kill("remote")  # SIGKILL, mid-batch
            states = dict(_query(local_db, "select id, state from mail_items"))
            assert any(s not in DONE for s in states.values()), states

            server.start_worker("local", concurrency=2)
            server.start_beat()

            def all_done() -> dict[int, str] | None:
                st = dict(_query(local_db, "select id, state from mail_items"))
                return st if all(v in DONE for v in st.values()) else None

            final = wait_until(all_done, 420, what="all items done")
        finally:
            server.stop_all()
            host_b.stop_all()

        assert len(final) == len(rows)
        events = _query(local_db, "select item_id, to_state from events where to_state is not null")
        per_item = Counter(events)
        for item_id in final:
            assert per_item[(item_id, "extracted")] == 1, per_item
            assert per_item[(item_id, "classified")] == 1, per_item
            assert per_item[(item_id, "routed")] + per_item[(item_id, "needs_review")] == 1, per_item
        pages = dict(_query(local_db, "select item_id, count(*) from pages group by item_id"))
        assert pages == dict(_query(local_db, "select id, page_count from mail_items"))
        # The first progress was the remote worker's (the server's worker started only after the kill),
        # and it read its originals from PostgreSQL into its own, empty cache.
        downloaded = [p for p in (tmp_path / "host-b-data" / "blobs").rglob("*") if p.is_file()]
        assert downloaded, "the remote worker never read a blob"
        # The searchable PDF of the two-page scan, joined from pages read wherever, is in the database.
        sha = _query(local_db, "select sha256 from mail_items where page_count = 2")[0][0]
        assert _query(local_db, f"select count(*) from blob_objects where key = '{sha}.searchable.pdf'")[0][0] == 1
        # Nothing of the namespaces is left behind.
    assert pair.server_ns not in os.popen("ip netns list").read()
    assert pair.host_ns not in os.popen("ip netns list").read()
