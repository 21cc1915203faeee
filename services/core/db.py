"""Engine and session scope. The engine is created lazily, in the process that uses it, never at import."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from services.core.settings import get_settings

_engine: Engine | None = None
_engine_pid: int | None = None
_factory: sessionmaker[Session] | None = None


def make_engine(url: str, **extra: Any) -> Engine:
    kwargs: dict[str, Any] = {"pool_pre_ping": True, **extra}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL + busy timeout: API, worker, beat and watcher all write to the same file.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    return engine


def get_engine() -> Engine:
    """The process's engine; a forked child (Celery prefork) gets its own."""
    global _engine, _engine_pid, _factory
    if _engine is None or _engine_pid != os.getpid():
        settings = get_settings()
        if settings.is_sqlite:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        _engine = make_engine(settings.database_url)
        _engine_pid = os.getpid()
        _factory = sessionmaker(bind=_engine, expire_on_commit=False)
    return _engine


def dispose_engine() -> None:
    global _engine, _engine_pid, _factory
    if _engine is not None and _engine_pid == os.getpid():
        _engine.dispose()
    _engine = None
    _engine_pid = None
    _factory = None


def session_factory() -> sessionmaker[Session]:
    get_engine()
    assert _factory is not None
    return _factory


@contextmanager
def session_scope() -> Iterator[Session]:
    """One transaction: commit when the block ends, roll back on any exception."""
    session = session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
