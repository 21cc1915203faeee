"""Fixtures shared by the service tests (tests/api, mail, metering, users import them in their conftest):
a fresh SQLite database in tmp_path, migrated and seeded; item and user factories."""

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
