"""Fixtures: a fresh SQLite database in tmp_path, migrated and seeded; item and user factories."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from services.core import db as core_db
from services.core.db import session_scope
from services.core.migrate import upgrade
from services.core.models import MailItem, Page, User
from services.core.seed import ensure_departments
from services.core.settings import reset_settings
from services.users.service import create_user, issue_token

_sha = itertools.count(1)


@pytest.fixture
def database(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("POSTHANTERING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    reset_settings()
    core_db.dispose_engine()
    upgrade()
    with session_scope() as session:
        ensure_departments(session)
    yield
    core_db.dispose_engine()
    reset_settings()


@pytest.fixture
def make_item(database: None) -> Callable[..., int]:
    def factory(*, text: str = "Hej kommunen", pages: int = 1, **fields: Any) -> int:
        values: dict[str, Any] = {
            "sha256": f"{next(_sha):064x}",
            "filename": "brev.pdf",
            "mime": "application/pdf",
            "size_bytes": 1234,
            "state": "needs_review",
            "page_count": pages,
            **fields,
        }
        with session_scope() as session:
            item = MailItem(**values)
            item.pages = [
                Page(index=i, text=text if i == 0 else f"sida {i + 1}", method="ocr", confidence=91.5, seconds=1.25)
                for i in range(pages)
            ]
            session.add(item)
            session.flush()
            return item.id

    return factory


@pytest.fixture
def make_user(database: None) -> Callable[..., User]:
    """Create a user; returns it detached with `.token` set to a fresh bearer token."""

    def factory(name: str, role: str, departments: list[str] | None = None) -> User:
        with session_scope() as session:
            user = create_user(session, name, role, departments or [])
            token = issue_token(session, user)
            _ = user.department_codes
        user.token = token  # type: ignore[attr-defined]
        return user

    return factory


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
