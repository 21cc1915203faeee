"""Issue 9.5: no personnummer in any log line (the access log's query strings included), reasons without
absolute paths, files readable only by the service's user, /metrics behind a token when configured."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import stat
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from services.core.logging import configure_logging
from services.core.models import User
from services.core.settings import reset_settings
from tests.support.live_app import live_app

REPO = Path(__file__).resolve().parents[2]


def test_access_log_holds_no_query_string_and_no_personnummer(database: None, make_user: Callable[..., User]) -> None:
    from uvicorn.config import LOGGING_CONFIG

    configure_logging("INFO")
    rita = make_user("rita", "registrar")
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    with live_app(log_config=LOGGING_CONFIG, log_level="info", access_log=True) as (host, port):
        access = logging.getLogger("uvicorn.access")
        access.addHandler(handler)
        try:
            for path in ("/ui/sok?q=811218-9876", "/api/v1/mail?state=811218-9876", "/api/v1/mail/19811218-9876"):
                req = urllib.request.Request(
                    f"http://{host}:{port}{path}", headers={"Authorization": f"Bearer {rita.token}"}
                )  # type: ignore[attr-defined]
                with contextlib.suppress(urllib.error.HTTPError):
                    urllib.request.urlopen(req, timeout=10).close()
        finally:
            access.removeHandler(handler)
    lines = captured.getvalue()
    assert "/ui/sok" in lines and "/api/v1/mail" in lines  # the requests were logged ...
    assert "9876" not in lines and "q=" not in lines  # ... without the number or the query string


def test_quarantine_reasons_carry_no_absolute_path(db_session: Any) -> None:
    from services.ingest.service import submit_stream

    broken_png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    result = submit_stream(db_session, io.BytesIO(broken_png), filename="skada.png", channel="upload", actor="t")
    assert result.error is not None and result.item.state == "quarantined"
    assert "/" not in result.error, result.error


def test_database_and_blobs_are_not_readable_by_others(isolated_settings: Path, tmp_path: Path) -> None:
    letter = tmp_path / "brev.png"
    from tests.ingest.conftest import text_page

    text_page().save(letter)
    env = {**os.environ, "POSTHANTERING_DATA_DIR": str(isolated_settings)}
    subprocess.run(
        [sys.executable, "-m", "services.cli.main", "ingest", str(letter)],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0),  # the careless default of a service manager
    )
    files = [p for p in isolated_settings.rglob("*") if p.is_file()]
    assert any(p.name == "posthantering.db" for p in files) and any("blobs" in p.parts for p in files)
    for p in [isolated_settings, *files]:
        assert stat.S_IMODE(p.stat().st_mode) & 0o007 == 0, f"{p} is readable by others"


def test_metrics_can_be_restricted_by_a_token(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert client.get("/metrics").status_code == 200  # open by default (a private listen address)
    monkeypatch.setenv("POSTHANTERING_METRICS_TOKEN", "skrapa-123")
    reset_settings()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer fel"}).status_code == 401
    r = client.get("/metrics", headers={"Authorization": "Bearer skrapa-123"})
    assert r.status_code == 200 and "posthantering_" in r.text
