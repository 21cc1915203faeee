"""Fixtures shared by every test: an isolated data directory per test, and real PostgreSQL and Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import servers

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# Read before any test changes the environment: these name servers to use instead of private ones.
EXTERNAL_DATABASE_URL = os.environ.get("DATABASE_URL", "")
EXTERNAL_REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test starts on the embedded default in its own data directory."""
    from services.core.db import dispose_engine
    from services.core.settings import reset_settings

    for var in ("DATABASE_URL", "BROKER_URL", "REDIS_URL", "POSTHANTERING_MODEL_PATH"):
        monkeypatch.delenv(var, raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("POSTHANTERING_DATA_DIR", str(data_dir))
    dispose_engine()
    reset_settings()
    yield data_dir
    dispose_engine()
    reset_settings()


@pytest.fixture
def migrated(isolated_settings: Path) -> Path:
    """The embedded SQLite database, migrated and with the default departments."""
    from services.core.db import session_scope
    from services.core.migrate import upgrade
    from services.core.seed import ensure_departments

    upgrade()
    with session_scope() as s:
        ensure_departments(s)
    return isolated_settings


@pytest.fixture
def db_session(migrated: Path) -> Iterator[object]:
    """A session on the migrated test database, rolled back at the end of the test."""
    from services.core.db import session_factory

    session = session_factory()()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    if EXTERNAL_DATABASE_URL:
        url = EXTERNAL_DATABASE_URL
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        yield url
        return
    with servers.private_postgres() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    with servers.fresh_database(postgres_server) as url:
        yield url


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    if EXTERNAL_REDIS_URL:
        yield EXTERNAL_REDIS_URL
        return
    with servers.private_redis() as url:
        yield url


@pytest.fixture
def redis_url(redis_server: str) -> Iterator[str]:
    with servers.fresh_redis_db(redis_server) as url:
        yield url
