"""Fixtures for the workstation's browser tests: one API server per module, one chromium per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import Stack, stack
from tests.support.workstation import add_user, chromium

USERS = (
    ("rita", "registrar", None),
    ("ada", "admin", None),
    ("hanna", "department", ["HR"]),
    ("olle", "department", ["SBN"]),
    ("vera", "viewer", None),
)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A migrated database with the usual users, and the API (no worker: items are seeded)."""
    with stack(Path(tmp_path_factory.mktemp("ws"))) as s:
        for name, role, departments in USERS:
            add_user(s, name, role, departments)
        s.start_api()
        yield s


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b
