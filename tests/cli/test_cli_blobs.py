"""`posthantering blobs copy`: an installation moves its blobs from the folder into PostgreSQL, then
switches the backend; the items' files are served from the database afterwards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli.main import app
from services.core.blobs import get_blob_store
from services.core.db import dispose_engine
from services.core.settings import reset_settings


def _switch(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    dispose_engine()
    reset_settings()


def test_copy_folder_to_postgres_then_switch(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    _switch(monkeypatch, DATABASE_URL=postgres_url)
    sha = get_blob_store().put_bytes(b"%PDF-1.4 a letter")  # the folder backend
    result = runner.invoke(app, ["blobs", "copy", "--from", "folder", "--to", "postgres", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"from": "folder", "to": "postgres", "copied": 1, "already_there": 0}

    # Another host (an empty data directory) on the postgres backend reads it from the database.
    _switch(monkeypatch, POSTHANTERING_BLOB_BACKEND="postgres", POSTHANTERING_DATA_DIR=str(tmp_path / "other"))
    assert get_blob_store().path(sha).read_bytes() == b"%PDF-1.4 a letter"
    again = runner.invoke(app, ["blobs", "copy", "--from", "folder", "--to", "postgres", "--json"])
    assert json.loads(again.stdout)["copied"] == 0


def test_copy_to_postgres_on_sqlite_is_refused_with_a_reason(migrated: Path) -> None:
    result = CliRunner().invoke(app, ["blobs", "copy", "--from", "folder", "--to", "postgres"])
    assert result.exit_code == 2
    assert "PostgreSQL" in result.output
