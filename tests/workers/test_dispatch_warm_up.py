"""The CLI opens the broker connection before its first item commits (issue 11: the import of the
Celery app and the first connection came between `received` and the worker starting). A broker that
is away does not stop the intake: the send fails later as before and the sweeper re-sends."""

from __future__ import annotations

from pathlib import Path

import pytest

from workers import dispatch


def test_warm_up_opens_a_connection_on_the_embedded_broker(migrated: Path) -> None:
    assert dispatch.warm_up() is True


def test_warm_up_with_the_broker_away_is_logged_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    from workers.celery_app import app

    def refused(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("no broker")

    monkeypatch.setattr(app, "producer_or_acquire", refused)
    assert dispatch.warm_up() is False
