from __future__ import annotations

import os
import shutil
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from services.core.db import session_factory
from services.core.models import MailItem
from services.core.settings import Settings, get_settings, reset_settings
from services.ingest import hotfolder
from services.ingest.hotfolder import HotFolder
from services.ingest.service import submit_stream


@pytest.fixture
def settings(migrated: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("POSTHANTERING_HOT_FOLDER_SETTLE_SECONDS", "0.2")
    reset_settings()
    s = get_settings()
    s.ensure_dirs()
    return s


def settle(folder: HotFolder) -> list[int]:
    assert folder.scan_once() == []  # first sight: never taken at once
    time.sleep(0.3)
    return folder.scan_once()


def test_settled_file_is_submitted_and_archived(settings: Settings, samples: dict[str, Path]):
    calls: list[tuple[int, str]] = []
    folder = HotFolder(settings, lambda item_id, state: calls.append((item_id, state)))
    assert settings.hot_folder is not None
    shutil.copy(samples["scan"], settings.hot_folder / "brev.png")
    (settings.hot_folder / ".hidden.png").write_bytes(b"x")
    (settings.hot_folder / "scanning.tmp").write_bytes(b"x")

    ids = settle(folder)

    assert len(ids) == 1 and calls == [(ids[0], "received")]
    day = settings.archive_dir / datetime.now().strftime("%Y-%m-%d")
    assert (day / "brev.png").read_bytes() == samples["scan"].read_bytes()
    assert not (settings.hot_folder / "brev.png").exists()
    assert (settings.hot_folder / ".hidden.png").exists() and (settings.hot_folder / "scanning.tmp").exists()
    with session_factory()() as s:
        item = s.get(MailItem, ids[0])
        assert item is not None and (item.channel, item.filename) == ("hotfolder", "brev.png")

    # The same file again: a duplicate, archived beside the first without overwriting it.
    shutil.copy(samples["scan"], settings.hot_folder / "brev.png")
    assert settle(folder) == ids
    assert len(calls) == 1  # duplicates are not enqueued again
    assert (day / "brev-1.png").exists()


def test_bad_file_goes_to_quarantine_with_reason(settings: Settings, samples: dict[str, Path]):
    calls: list[tuple[int, str]] = []
    folder = HotFolder(settings, lambda item_id, state: calls.append((item_id, state)))
    assert settings.hot_folder is not None
    shutil.copy(samples["text_named"], settings.hot_folder / "faktura.pdf")

    [item_id] = settle(folder)

    assert calls == [(item_id, "quarantined")]
    assert (settings.quarantine_dir / "faktura.pdf").exists()
    reason = (settings.quarantine_dir / "faktura.pdf.error.txt").read_text()
    assert "filtypen stöds inte" in reason and str(item_id) in reason


def test_growing_file_waits(settings: Settings, samples: dict[str, Path]):
    folder = HotFolder(settings, lambda *_: None)
    assert settings.hot_folder is not None
    target = settings.hot_folder / "growing.png"
    data = samples["scan"].read_bytes()
    target.write_bytes(data[:100])
    assert folder.scan_once() == []
    time.sleep(0.3)
    target.write_bytes(data)  # still being written: the size changed
    assert folder.scan_once() == []
    assert target.exists()
    time.sleep(0.3)
    assert len(folder.scan_once()) == 1


def test_database_down_leaves_the_file(settings: Settings, samples: dict[str, Path], monkeypatch: pytest.MonkeyPatch):
    calls: list[tuple[int, str]] = []
    folder = HotFolder(settings, lambda item_id, state: calls.append((item_id, state)))
    assert settings.hot_folder is not None
    shutil.copy(samples["scan"], settings.hot_folder / "brev.png")

    def down(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(hotfolder, "submit_stream", down)
    assert settle(folder) == []
    assert (settings.hot_folder / "brev.png").exists() and calls == []

    monkeypatch.setattr(hotfolder, "submit_stream", submit_stream)  # back up: the very next scan takes it
    [item_id] = folder.scan_once()
    assert calls == [(item_id, "received")]
    assert not (settings.hot_folder / "brev.png").exists()


def test_too_large_file_is_quarantined_without_an_item(
    settings: Settings, samples: dict[str, Path], monkeypatch: pytest.MonkeyPatch
):
    folder = HotFolder(settings, lambda *_: pytest.fail("nothing to enqueue"))
    assert settings.hot_folder is not None
    shutil.copy(samples["scan"], settings.hot_folder / "stor.png")
    monkeypatch.setenv("POSTHANTERING_MAX_UPLOAD_BYTES", "100")
    reset_settings()

    assert settle(folder) == []

    assert (settings.quarantine_dir / "stor.png").exists()
    reason = (settings.quarantine_dir / "stor.png.error.txt").read_text()
    assert "större än gränsen" in reason and "(inte registrerad)" in reason


def _no_items() -> int:
    with session_factory()() as s:
        return s.query(MailItem).count()


def test_links_and_special_files_are_moved_aside_unread(settings: Settings, samples: dict[str, Path], tmp_path: Path):
    """Issue 9.1: a link to /etc/passwd or to the secret key was ingested and downloadable."""
    assert settings.hot_folder is not None
    inbox = settings.hot_folder
    secret = settings.data_dir / "secret_key"
    settings.session_secret()  # the key exists in the data directory
    outside = tmp_path / "outside.png"
    shutil.copy(samples["scan"], outside)
    (inbox / "passwd.pdf").symlink_to("/etc/passwd")
    (inbox / "nyckel.png").symlink_to(secret)
    (inbox / "bild.png").symlink_to(outside)  # a valid scan, but outside the inbox
    (inbox / "mapp").symlink_to(tmp_path)
    os.link(outside, inbox / "hard.png")  # a hard link: the same inode lives outside the inbox
    os.mkfifo(inbox / "pipe.pdf")  # reading it would block the watcher forever
    folder = HotFolder(settings, lambda *_: pytest.fail("nothing may be enqueued"))

    assert folder.scan_once() == []  # refused at once, no settling needed
    time.sleep(0.3)
    assert folder.scan_once() == []

    assert _no_items() == 0
    assert sorted(p.name for p in inbox.iterdir()) == []
    for name, why in [
        ("passwd.pdf", "symbolisk länk"),
        ("nyckel.png", "symbolisk länk"),
        ("bild.png", "symbolisk länk"),
        ("mapp", "symbolisk länk"),
        ("hard.png", "hård länk"),
        ("pipe.pdf", "inte en vanlig fil"),
    ]:
        assert why in (settings.quarantine_dir / f"{name}.error.txt").read_text(), name
    assert (settings.quarantine_dir / "nyckel.png").is_symlink()  # the link itself moved, its target untouched
    assert secret.exists() and outside.exists()


def test_file_swapped_for_a_link_after_settling_is_not_read(settings: Settings, samples: dict[str, Path]):
    assert settings.hot_folder is not None
    target = settings.hot_folder / "brev.png"
    shutil.copy(samples["scan"], target)
    folder = HotFolder(settings, lambda *_: pytest.fail("nothing may be enqueued"))
    assert folder.scan_once() == []
    st = target.lstat()
    target.unlink()
    target.symlink_to(samples["scan"])
    with pytest.raises(hotfolder.UnsafeEntry):
        hotfolder.safe_open(target, st)


def test_full_disk_leaves_the_file_and_records_nothing(
    settings: Settings, samples: dict[str, Path], monkeypatch: pytest.MonkeyPatch
):
    import errno

    from services.core.blobs import BlobStore

    calls: list[tuple[int, str]] = []
    folder = HotFolder(settings, lambda item_id, state: calls.append((item_id, state)))
    assert settings.hot_folder is not None
    shutil.copy(samples["scan"], settings.hot_folder / "brev.png")
    real_put = BlobStore.put_stream

    def full(self: BlobStore, *_args: object, **_kwargs: object) -> tuple[str, int]:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(BlobStore, "put_stream", full)
    assert settle(folder) == []
    assert (settings.hot_folder / "brev.png").exists() and calls == []
    assert not list(settings.quarantine_dir.iterdir())  # never blamed on the letter
    with session_factory()() as s:
        assert s.query(MailItem).count() == 0

    monkeypatch.setattr(BlobStore, "put_stream", real_put)  # space again: the next scan takes it
    [item_id] = folder.scan_once()
    assert calls == [(item_id, "received")]
