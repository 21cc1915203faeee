"""Kill the worker with SIGKILL in the middle of a batch, start it again: every item finishes
exactly once and none is lost. With Celery's SQLAlchemy transport the task a killed worker held is
never redelivered, so this is the sweeper's test as much as the worker's."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.integration.conftest import wait_until
from tests.support.processes import render_letters, stack

pytestmark = pytest.mark.integration

# a-012 is a 2-page TIFF under seed 23: its pages go through the page-parallel path.
LETTERS = ["a-005", "a-006", "a-007", "a-008", "a-009", "a-010", "a-012", "b-007", "b-008"]


def _states(url: str) -> dict[int, str]:
    engine = create_engine(url)
    with engine.connect() as c:
        rows = c.execute(text("select id, state from mail_items")).all()
    engine.dispose()
    return {i: s for i, s in rows}


@pytest.mark.parametrize("backend", ["embedded", "postgres-redis"])
def test_sigkill_mid_batch_loses_nothing(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    rows = render_letters(tmp_path / "scans", LETTERS, seed=23)
    extra = {"POSTHANTERING_STALE_AFTER_SECONDS": "6", "POSTHANTERING_SWEEP_INTERVAL_SECONDS": "2"}
    urls = {}
    if backend == "postgres-redis":
        urls = {
            "database_url": request.getfixturevalue("postgres_url"),
            "broker_url": request.getfixturevalue("redis_url"),
        }
    with stack(tmp_path, **urls, **extra) as s:
        db_url = urls.get("database_url") or f"sqlite:///{s.data_dir / 'posthantering.db'}"
        s.cli("ingest", *[r["path"] for r in rows])
        assert len(_states(db_url)) == len(rows)

        s.start_worker(concurrency=1)
        # Let the worker get part of the way, then kill it and its pool without warning.
        wait_until(lambda: any(st != "received" for st in _states(db_url).values()), 180, what="first progress")
        s.kill("worker")
        states = _states(db_url)
        assert any(st in {"received", "extracted", "classified"} for st in states.values()), states

        s.start_worker(concurrency=2)
        s.start_beat()
        done = {"routed", "needs_review"}
        final = wait_until(
            lambda: (st := _states(db_url)) and all(v in done for v in st.values()) and st,
            420,
            what="all items done",
        )
        assert len(final) == len(rows)

    engine = create_engine(db_url)
    with engine.connect() as c:
        events = c.execute(text("select item_id, to_state from events where to_state is not null")).all()
        pages = c.execute(text("select item_id, count(*) from pages group by item_id")).all()
        counts = c.execute(text("select id, page_count from mail_items")).all()
    engine.dispose()
    per_item = Counter((i, st) for i, st in events)
    for item_id in final:
        assert per_item[(item_id, "extracted")] == 1, per_item
        assert per_item[(item_id, "classified")] == 1, per_item
        assert per_item[(item_id, "routed")] + per_item[(item_id, "needs_review")] == 1, per_item
    assert dict(pages) == {i: n for i, n in counts}
