"""Fixtures: a fresh SQLite database in tmp_path, migrated and seeded; item and user factories
(tests/support/fixtures.py); an API client with the broker replaced by a list, bearer headers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from services.core.models import User
from tests.support.fixtures import database, make_item, make_user

__all__ = ["database", "make_item", "make_user"]


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """Captures enqueue_for_state calls instead of sending to a broker."""
    calls: list[tuple[int, str]] = []

    def fake(item_id: int, state: Any) -> bool:
        calls.append((item_id, str(state)))
        return True

    from workers import dispatch

    monkeypatch.setattr(dispatch, "enqueue_for_state", fake)
    return calls


@pytest.fixture
def exports(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Captures enqueue_export calls (issue 12: the export to the diarium after a confirm)."""
    from workers import dispatch

    sent: list[int] = []
    monkeypatch.setattr(dispatch, "enqueue_export", lambda item_id: sent.append(item_id) or True)
    return sent


@pytest.fixture
def client(database: None, enqueued: list[tuple[int, str]]) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from services.api.app import create_app

    with TestClient(create_app()) as c:
        yield c


def bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.token}"}  # type: ignore[attr-defined]


@pytest.fixture
def auth() -> Callable[[User], dict[str, str]]:
    return bearer
