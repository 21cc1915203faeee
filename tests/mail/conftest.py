"""Fixtures: a fresh SQLite database in tmp_path, migrated and seeded; item and user factories
(tests/support/fixtures.py)."""

from __future__ import annotations

from tests.support.fixtures import database, make_item, make_user

__all__ = ["database", "make_item", "make_user"]
