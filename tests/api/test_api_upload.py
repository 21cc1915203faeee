"""POST /api/v1/mail: the route contract against a stand-in submit_stream, plus the real one when present."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from services.core.db import session_scope
from services.core.models import MailItem, User
from tests.ingest.conftest import png_claiming, reportlab_pdf


@dataclass
class FakeResult:
    item: MailItem
    duplicate: bool
    error: str | None


def _ingest_available() -> bool:
    try:
        return importlib.util.find_spec("services.ingest.service") is not None
    except ImportError:
        return False


@pytest.fixture
def fake_ingest(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def submit_stream(session: Any, stream: BinaryIO, *, filename: str, channel: str, actor: str) -> FakeResult:
        data = stream.read()
        calls.append({"filename": filename, "channel": channel, "actor": actor, "data": data})
        sha = f"{abs(hash(data)):064x}"[-64:]
        existing = session.query(MailItem).filter_by(sha256=sha).one_or_none()
        if existing is not None:
            return FakeResult(existing, True, None)
        bad = data == b""
        item = MailItem(sha256=sha, filename=filename, state="quarantined" if bad else "received", channel=channel)
        session.add(item)
        session.flush()
        return FakeResult(item, False, "empty file" if bad else None)

    if _ingest_available():
        module = importlib.import_module("services.ingest.service")
        monkeypatch.setattr(module, "submit_stream", submit_stream)
    else:
        module = types.ModuleType("services.ingest.service")
        module.submit_stream = submit_stream  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "services.ingest.service", module)
        monkeypatch.setattr(sys.modules["services.ingest"], "service", module, raising=False)
    return calls


def test_upload_new_duplicate_quarantined(
    client: Any,
    make_user: Callable[..., User],
    auth: Callable[[User], dict[str, str]],
    enqueued: list[tuple[int, str]],
    fake_ingest: list[dict[str, Any]],
) -> None:
    reg = make_user("reg", "registrar")
    files = {"file": ("brev.txt", b"Hej kommunen", "text/plain")}
    r = client.post("/api/v1/mail", files=files, headers=auth(reg))
    assert r.status_code == 202, r.text
    new = r.json()
    assert new["state"] == "received" and new["duplicate"] is False
    assert fake_ingest[0]["actor"] == f"user:{reg.id}:reg" and fake_ingest[0]["channel"] == "upload"
    assert fake_ingest[0]["filename"] == "brev.txt" and fake_ingest[0]["data"] == b"Hej kommunen"
    assert enqueued == [(new["id"], "received")]
    with session_scope() as s:  # committed before the doorbell rang
        assert s.get(MailItem, new["id"]) is not None

    r = client.post("/api/v1/mail", files=files, headers=auth(reg))
    assert r.status_code == 200 and r.json() == {"id": new["id"], "state": "received", "duplicate": True}

    r = client.post("/api/v1/mail", files={"file": ("tom.pdf", b"", "application/pdf")}, headers=auth(reg))
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "invalid_input" and body["detail"] == "empty file" and body["state"] == "quarantined"
    assert len(enqueued) == 1


def _bad_files(tmp_path: Path) -> dict[str, tuple[bytes, int, str]]:
    """name -> (content, expected HTTP status, words the reason must contain)."""
    good = reportlab_pdf(tmp_path / "good.pdf").read_bytes()
    return {
        "empty.pdf": (b"", 422, "tom fil"),
        "truncated.pdf": (good[: len(good) // 2], 422, "avkortad"),
        "encrypted.pdf": (reportlab_pdf(tmp_path / "enc.pdf", encrypt="secret").read_bytes(), 422, "krypterad"),
        "text-named.pdf": (b"Bara text, ingen PDF.", 415, "stöds inte"),
        "huge.png": (png_claiming(30000, 30000), 422, "pixlar"),
    }


def test_bad_uploads_get_a_reason_and_a_quarantined_item(
    client: Any,
    make_user: Callable[..., User],
    auth: Callable[[User], dict[str, str]],
    enqueued: list[tuple[int, str]],
    tmp_path: Path,
) -> None:
    reg = make_user("reg", "registrar")
    for name, (content, status, words) in _bad_files(tmp_path).items():
        r = client.post("/api/v1/mail", files={"file": (name, content)}, headers=auth(reg))
        assert r.status_code in (status, 422), (name, r.status_code, r.text)
        body = r.json()
        assert words in body["detail"].lower(), (name, body)
        assert body["state"] == "quarantined", (name, body)
        item = client.get(f"/api/v1/mail/{body['id']}", headers=auth(reg)).json()
        assert item["state"] == "quarantined" and words in item["state_reason"].lower()
    assert enqueued == []  # nothing quarantined is sent to a worker
