from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from services.core.settings import Settings


def test_embedded_default_uses_sqlite_files_in_the_data_dir(isolated_settings: Path) -> None:
    s = Settings()
    assert s.data_dir == isolated_settings.resolve()
    assert s.database_url == f"sqlite:///{isolated_settings.resolve() / 'posthantering.db'}"
    assert s.broker_url == f"sqla+sqlite:///{isolated_settings.resolve() / 'broker.db'}"
    assert s.hot_folder == isolated_settings.resolve() / "inbox"
    assert s.quarantine_dir == isolated_settings.resolve() / "quarantine"


def test_plain_postgresql_url_gets_the_psycopg_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db/x")
    assert Settings().database_url == "postgresql+psycopg://u@db/x"


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("DATABASE_URL", "mysql://x/y"),
        ("BROKER_URL", "kafka://x"),
        ("POSTHANTERING_AUTO_ROUTE_THRESHOLD", "1.5"),
        ("POSTHANTERING_LOG_LEVEL", "LOUD"),
        ("POSTHANTERING_PORT", "0"),
    ],
)
def test_bad_configuration_fails_fast(monkeypatch: pytest.MonkeyPatch, var: str, value: str) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ValidationError):
        Settings()


def test_soft_limit_must_be_below_hard_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTHANTERING_TASK_SOFT_TIME_LIMIT", "900")
    monkeypatch.setenv("POSTHANTERING_TASK_TIME_LIMIT", "900")
    with pytest.raises(ValidationError, match="SOFT_TIME_LIMIT"):
        Settings()
