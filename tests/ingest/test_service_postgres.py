"""Dedup under a real race on PostgreSQL: the second of two identical uploads waits and gets the first's item."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.core.db import dispose_engine, session_factory
from services.core.migrate import upgrade
from services.core.models import MailItem
from services.core.settings import reset_settings
from services.ingest.schemas import SubmitResult
from services.ingest.service import submit_file

pytestmark = pytest.mark.integration


def test_concurrent_identical_uploads(postgres_url: str, monkeypatch: pytest.MonkeyPatch, samples: dict[str, Path]):
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    reset_settings()
    dispose_engine()
    upgrade()
    first = session_factory()()
    a = submit_file(first, samples["scan"], channel="upload", actor="a")  # inserted, not yet committed

    results: list[SubmitResult] = []

    def second_upload() -> None:
        with session_factory()() as s:
            results.append(submit_file(s, samples["scan"], channel="upload", actor="b"))
            s.commit()

    t = threading.Thread(target=second_upload)
    t.start()
    time.sleep(0.5)
    assert t.is_alive()  # waiting on the first transaction's row
    first.commit()
    t.join(10)
    first.close()

    [b] = results
    assert not a.duplicate and b.duplicate and b.item.id == a.item.id
    with session_factory()() as s:
        assert s.scalar(select(func.count()).select_from(MailItem)) == 1
    dispose_engine()
