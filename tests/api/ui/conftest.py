"""UI fixtures: users with passwords, and a logged-in TestClient per user (each its own cookie jar)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from services.core.db import session_scope
from services.users.service import create_user

PASSWORD = "hemligt-lösen-1"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1)


@pytest.fixture
def ui_user(database: None) -> Callable[..., int]:
    def factory(name: str, role: str, departments: list[str] | None = None) -> int:
        with session_scope() as session:
            return create_user(session, name, role, departments or [], password=PASSWORD).id

    return factory


@pytest.fixture
def browser(database: None, enqueued: list[tuple[int, str]]) -> Iterator[Callable[..., Any]]:
    """browser(name) -> a TestClient logged in as `name` (no redirects followed, so tests see them)."""
    from fastapi.testclient import TestClient

    from services.api.app import create_app

    app = create_app()
    clients: list[TestClient] = []

    def open_as(name: str | None = None, password: str = PASSWORD) -> TestClient:
        c = TestClient(app, follow_redirects=False)
        c.__enter__()
        clients.append(c)
        if name is not None:
            token = csrf_of(c.get("/ui/login").text)
            r = c.post("/ui/login", data={"username": name, "password": password, "csrf_token": token})
            assert r.status_code == 303, r.text
        return c

    yield open_as
    for c in clients:
        c.__exit__(None, None, None)


def form_token(client: Any, url: str) -> str:
    """The CSRF token of the page at `url` (what a browser would send back with the page's forms)."""
    return csrf_of(client.get(url).text)
