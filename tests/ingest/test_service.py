from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.core.blobs import get_blob_store, sha256_file
from services.core.db import session_factory
from services.core.errors import PayloadTooLarge
from services.core.models import Event, MailItem
from services.core.settings import reset_settings
from services.ingest import service
from services.ingest.repository import get_by_sha
from services.ingest.service import clean_filename, submit_file, submit_stream


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_submit_records_a_received_item(db_session: Session, samples: dict[str, Path]):
    result = submit_file(db_session, samples["two_page"], channel="upload", actor="user:1:anna")
    item = result.item
    assert not result.duplicate and result.error is None
    assert item.id is not None
    assert (item.state, item.mime, item.page_count, item.channel) == ("received", "image/tiff", 2, "upload")
    assert item.filename == "two_page.tif"
    assert item.sha256 == sha256_file(samples["two_page"])
    assert item.size_bytes == samples["two_page"].stat().st_size
    assert get_blob_store().path(item.sha256).read_bytes() == samples["two_page"].read_bytes()
    [event] = db_session.scalars(select(Event).where(Event.item_id == item.id)).all()
    assert (event.action, event.to_state, event.actor) == ("received", "received", "user:1:anna")
    assert event.machine_seconds >= 0


def test_same_content_is_a_duplicate(db_session: Session, samples: dict[str, Path]):
    first = submit_file(db_session, samples["digital"], channel="upload", actor="a")
    data = samples["digital"].read_bytes()
    again = submit_stream(db_session, io.BytesIO(data), filename="other-name.pdf", channel="hotfolder", actor="b")
    assert again.duplicate and again.item.id == first.item.id
    assert count(db_session, MailItem) == 1
    assert count(db_session, Event) == 1


@pytest.mark.parametrize(
    ("name", "reason"),
    [("empty", "tom fil (0 byte)"), ("text_named", "filtypen stöds inte"), ("encrypted", "krypterad PDF")],
)
def test_bad_input_is_quarantined_with_its_reason(
    db_session: Session, samples: dict[str, Path], name: str, reason: str
):
    result = submit_file(db_session, samples[name], channel="upload", actor="a")
    assert not result.duplicate
    assert result.error is not None and reason in result.error
    assert result.item.state == "quarantined" and result.item.state_reason == result.error
    [event] = db_session.scalars(select(Event).where(Event.item_id == result.item.id)).all()
    assert (event.action, event.to_state) == ("quarantined", "quarantined")


def test_too_large_is_refused_without_an_item(
    db_session: Session, samples: dict[str, Path], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("POSTHANTERING_MAX_UPLOAD_BYTES", "100")
    reset_settings()
    with pytest.raises(PayloadTooLarge):
        submit_file(db_session, samples["digital"], channel="upload", actor="a")
    with pytest.raises(PayloadTooLarge):
        submit_stream(db_session, io.BytesIO(b"x" * 101), filename="x.pdf", channel="upload", actor="a")
    assert count(db_session, MailItem) == 0
    assert not any(p.is_file() for p in get_blob_store().root.rglob("*"))  # no partial blob left


def test_nothing_is_committed_by_submit(db_session: Session, samples: dict[str, Path]):
    submit_file(db_session, samples["scan"], channel="upload", actor="a")
    db_session.rollback()
    with session_factory()() as other:
        assert count(other, MailItem) == 0


def test_concurrent_identical_submission_returns_the_winner(
    db_session: Session, samples: dict[str, Path], monkeypatch: pytest.MonkeyPatch
):
    # Another request recorded the same file between our duplicate check and our insert.
    with session_factory()() as other:
        winner = submit_file(other, samples["scan"], channel="upload", actor="other").item.id
        other.commit()
    calls: list[str] = []

    def stale_first_look(session: Session, sha: str) -> MailItem | None:
        calls.append(sha)
        return None if len(calls) == 1 else get_by_sha(session, sha)

    monkeypatch.setattr(service, "get_by_sha", stale_first_look)
    result = submit_file(db_session, samples["scan"], channel="upload", actor="me")
    assert result.duplicate and result.item.id == winner
    assert count(db_session, MailItem) == 1
    assert count(db_session, Event) == 1  # only the winner's


def test_filename_is_the_base_name_truncated():
    assert clean_filename("C:\\Users\\anna\\brev.pdf") == "brev.pdf"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("a\x00b\nc.pdf") == "abc.pdf"
    assert clean_filename("") == "unnamed"
    long = clean_filename("x" * 1000 + ".pdf")
    assert len(long) == 500 and long.endswith(".pdf")


def test_odd_filename_is_stored(db_session: Session, samples: dict[str, Path]):
    name = "räkning; DROP TABLE mail_items;--\u202e" + "å" * 600 + ".png"
    result = submit_stream(
        db_session, io.BytesIO(samples["scan"].read_bytes()), filename=name, channel="upload", actor="a"
    )
    assert len(result.item.filename) <= 500
    assert result.item.filename.startswith("räkning; DROP TABLE")
