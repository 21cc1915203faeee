"""A full or failing disk is the environment's fault, never the letter's: retried, not quarantined;
an upload gets 507; a letter quarantined for it starts again when its file comes again."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from services.core.blobs import BlobStore
from services.core.db import session_scope
from services.core.environment import is_environment_error, is_environment_reason
from services.core.errors import InsufficientStorage, InvalidInput, StorageUnavailable
from services.core.models import MailItem
from services.core.settings import reset_settings
from services.ingest.extract import page_errors
from services.ingest.service import submit_file
from services.pipeline.pages import quarantine

OLD_REASON = "page 1: damaged or unreadable (OSError: [Errno 28] No space left on device)"


def test_environment_errors_are_told_from_bad_files() -> None:
    full = OSError(errno.ENOSPC, "No space left on device")
    assert is_environment_error(full)
    try:
        try:
            raise full
        except OSError as e:
            raise ValueError("wrapped") from e
    except ValueError as wrapped:
        assert is_environment_error(wrapped)
    assert not is_environment_error(OSError(errno.ENOENT, "gone"))
    assert not is_environment_error(ValueError("broken PNG"))
    assert is_environment_reason(OLD_REASON)
    assert is_environment_reason("ingest.extract: Lagringen är full eller otillgänglig (No space left on device).")
    assert not is_environment_reason("damaged PDF, cannot be opened")
    assert not is_environment_reason(None)


def test_a_full_disk_while_reading_a_page_is_transient_not_damage() -> None:
    with pytest.raises(StorageUnavailable), page_errors(0):
        raise OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(InvalidInput, match="skadad eller oläsbar"), page_errors(0):
        raise OSError(errno.EINVAL, "broken data stream")


def test_no_quarantine_while_the_storage_cannot_be_written(
    db_session: Session, samples: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    item = submit_file(db_session, samples["scan"], channel="upload", actor="a").item
    monkeypatch.setenv("POSTHANTERING_MIN_FREE_BYTES", str(10**18))  # no disk has that much free: "full"
    reset_settings()
    # tesseract could not write its output: it looks like a bad file, but the disk is full
    with pytest.raises(StorageUnavailable):
        quarantine(db_session, item, InvalidInput("OCR failed: cannot write"), 0.1)
    assert item.state == "received"
    monkeypatch.delenv("POSTHANTERING_MIN_FREE_BYTES")
    reset_settings()
    assert quarantine(db_session, item, InvalidInput("OCR failed: bad image"), 0.1) == "quarantined"


def test_upload_on_a_full_disk_is_refused_with_507_and_nothing_recorded(
    db_session: Session, samples: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(self: BlobStore, *_: object, **__: object) -> tuple[str, int]:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(BlobStore, "put_stream", full)
    with pytest.raises(InsufficientStorage) as caught:
        submit_file(db_session, samples["scan"], channel="upload", actor="a")
    assert caught.value.status_code == 507
    assert "Lagringen" in caught.value.message
    assert db_session.query(MailItem).count() == 0


def test_resubmitting_a_letter_quarantined_by_a_full_disk_starts_it_again(
    migrated: Path, samples: dict[str, Path]
) -> None:
    with session_scope() as s:
        item = submit_file(s, samples["scan"], channel="upload", actor="a").item
        item_id = item.id
        s.execute(MailItem.__table__.update().values(state="quarantined", state_reason=OLD_REASON))
    with session_scope() as s:
        again = submit_file(s, samples["scan"], channel="upload", actor="a")
        assert (again.item.id, again.item.state, again.duplicate, again.error) == (item_id, "received", False, None)
    # a letter quarantined for what is wrong with it keeps its reason
    with session_scope() as s:
        s.execute(MailItem.__table__.update().values(state="quarantined", state_reason="damaged PDF"))
    with session_scope() as s:
        again = submit_file(s, samples["scan"], channel="upload", actor="a")
        assert (again.item.state, again.duplicate, again.error) == ("quarantined", True, "damaged PDF")
