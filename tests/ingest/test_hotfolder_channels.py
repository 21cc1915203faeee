"""Issue 12: the intake channel per inbox subfolder (inbox/epost/ = e-mail, inbox/brevlada/ = mailbox,
the inbox itself = post), recorded on the item so the arrival date follows FL 22 §; the subfolders keep
every guarantee of the inbox (no links, nothing from outside, refused files moved aside with a note)."""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from services.core.db import session_factory
from services.core.models import MailItem
from services.core.settings import Settings, get_settings, reset_settings
from services.ingest.hotfolder import HotFolder
from services.registration import service as registration
from tests.ingest.conftest import text_page


@pytest.fixture
def settings(migrated: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("POSTHANTERING_HOT_FOLDER_SETTLE_SECONDS", "0.2")
    monkeypatch.setenv("POSTHANTERING_INTAKE_CHANNELS", "epost=email, brevlada=mailbox")
    reset_settings()
    s = get_settings()
    s.ensure_dirs()
    return s


def scan_png(path: Path, words: str) -> Path:
    text_page(["Till Solvik kommun", words]).save(path, "PNG")  # distinct content: no duplicates
    return path


def settle(folder: HotFolder) -> list[int]:
    assert folder.scan_once() == []  # first sight: never taken at once
    time.sleep(0.3)
    return folder.scan_once()


def test_each_subfolder_records_its_channel_and_arrival_date(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    inbox = settings.hot_folder
    assert inbox is not None
    folder = HotFolder(settings, lambda *_: None)
    folder.scan_once()  # creates the configured subfolders
    assert (inbox / "epost").is_dir() and (inbox / "brevlada").is_dir()
    scan_png(inbox / "post.png", "Brev med posten")
    scan_png(inbox / "epost" / "mejl.png", "Utskrivet e-postmeddelande")
    scan_png(inbox / "brevlada" / "lapp.png", "Lapp i brevlådan")
    (inbox / "skanner2").mkdir()  # a scanner's own subfolder: not configured, left alone
    scan_png(inbox / "skanner2" / "annat.png", "Ligger kvar")

    ids = settle(folder)

    assert len(ids) == 3
    assert (inbox / "skanner2" / "annat.png").exists()
    assert not any((inbox / "epost").iterdir()) and not any((inbox / "brevlada").iterdir())
    day = settings.archive_dir / datetime.now().strftime("%Y-%m-%d")
    assert {p.name for p in day.iterdir()} == {"post.png", "mejl.png", "lapp.png"}

    # Scanned on Monday 2026-06-22 (midsommar was Fri 19 June - Sat 20 June):
    scanned = datetime(2026, 6, 22, 8, 30, tzinfo=UTC)
    with session_factory()() as s:
        by_name = {it.filename: it for it in s.query(MailItem).filter(MailItem.id.in_(ids))}
        assert {n: (it.channel, it.intake_channel) for n, it in by_name.items()} == {
            "post.png": ("hotfolder", "post"),
            "mejl.png": ("hotfolder", "email"),
            "lapp.png": ("hotfolder", "mailbox"),
        }
        for it in by_name.values():
            it.created_at = scanned
        s.flush()
        # The setting may change later: the channel the file came by stays.
        monkeypatch.setenv("POSTHANTERING_INTAKE_CHANNELS", "")
        reset_settings()
        recs = {n: registration.propose(s, it, frozenset()) for n, it in by_name.items()}
        s.rollback()
    assert {n: (r.intake_channel, r.arrival_date) for n, r in recs.items()} == {
        "post.png": ("post", date(2026, 6, 18)),  # previous working day: Thu (Fri is midsommarafton)
        "lapp.png": ("mailbox", date(2026, 6, 18)),
        "mejl.png": ("email", date(2026, 6, 22)),  # e-mail: the day it was received
    }


def test_subfolder_files_keep_the_inbox_guarantees(settings: Settings, tmp_path: Path):
    inbox = settings.hot_folder
    assert inbox is not None
    folder = HotFolder(settings, lambda *_: pytest.fail("nothing may be enqueued"))
    folder.scan_once()
    outside = scan_png(tmp_path / "outside.png", "Utanför inkorgen")
    secret = settings.data_dir / "secret_key"
    settings.session_secret()
    (inbox / "epost" / "nyckel.png").symlink_to(secret)
    (inbox / "epost" / "bild.png").symlink_to(outside)
    os.link(outside, inbox / "brevlada" / "hard.png")
    (inbox / "epost" / "djupare").mkdir()  # nothing below a subfolder is read
    scan_png(inbox / "epost" / "djupare" / "brev.png", "Djupt ner")

    assert folder.scan_once() == []
    time.sleep(0.3)
    assert folder.scan_once() == []

    with session_factory()() as s:
        assert s.query(MailItem).count() == 0
    assert [p.name for p in (inbox / "epost").iterdir()] == ["djupare"]
    assert (inbox / "epost" / "djupare" / "brev.png").exists()
    for name, why in [("nyckel.png", "symbolisk länk"), ("bild.png", "symbolisk länk"), ("hard.png", "hård länk")]:
        note = (settings.quarantine_dir / f"{name}.error.txt").read_text(encoding="utf-8")
        assert why in note and "Skäl:" in note and "(inte registrerad)" in note, name
    assert "Mapp: inkorgen/epost/" in (settings.quarantine_dir / "nyckel.png.error.txt").read_text(encoding="utf-8")
    assert (settings.quarantine_dir / "nyckel.png").is_symlink()  # the link moved, its target untouched
    assert secret.exists() and outside.exists()


def test_a_link_in_place_of_a_subfolder_is_moved_aside_unread(settings: Settings, tmp_path: Path):
    inbox = settings.hot_folder
    assert inbox is not None
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = scan_png(elsewhere / "brev.png", "Får inte läsas")
    (inbox / "epost").symlink_to(elsewhere)
    folder = HotFolder(settings, lambda *_: pytest.fail("nothing may be enqueued"))

    assert folder.scan_once() == []
    time.sleep(0.3)
    assert folder.scan_once() == []

    assert victim.exists()  # the link's target is never read or moved
    assert (settings.quarantine_dir / "epost").is_symlink()
    assert "symbolisk länk" in (settings.quarantine_dir / "epost.error.txt").read_text(encoding="utf-8")
    with session_factory()() as s:
        assert s.query(MailItem).count() == 0


def test_a_file_in_the_inbox_itself_follows_the_hot_folder_setting(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("POSTHANTERING_HOTFOLDER_INTAKE_CHANNEL", "mailbox")
    reset_settings()
    s = get_settings()
    assert s.hot_folder is not None
    scan_png(s.hot_folder / "lapp.png", "Brevlådan tömd")
    [item_id] = settle(HotFolder(s, lambda *_: None))
    with session_factory()() as db:
        item = db.get(MailItem, item_id)
        assert item is not None and item.intake_channel == "mailbox"


def test_a_scanner_copy_into_a_subfolder_is_taken_once_settled(settings: Settings, samples: dict[str, Path]):
    """A scanner copying into a configured subfolder: taken once settled, like in the inbox itself."""
    inbox = settings.hot_folder
    assert inbox is not None
    folder = HotFolder(settings, lambda *_: None)
    folder.scan_once()
    shutil.copy(samples["scan"], inbox / "epost" / "skannat.png")
    [item_id] = settle(folder)
    with session_factory()() as s:
        item = s.get(MailItem, item_id)
        assert item is not None and item.intake_channel == "email"


def test_a_subfolder_swapped_for_a_link_during_a_scan_is_not_followed(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    inbox = settings.hot_folder
    assert inbox is not None
    folder = HotFolder(settings, lambda *_: pytest.fail("nothing may be enqueued"))
    stale = folder.sources()  # inbox/epost/ is a plain directory when the scan starts ...
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = scan_png(elsewhere / "brev.png", "Får inte läsas")
    (inbox / "epost").rmdir()  # ... and a link to another folder while it runs
    (inbox / "epost").symlink_to(elsewhere)
    monkeypatch.setattr(folder, "sources", lambda: stale)

    assert folder.scan_once() == []
    time.sleep(0.3)
    assert folder.scan_once() == []
    assert victim.exists() and not (settings.quarantine_dir / "brev.png").exists()  # neither read nor moved

    monkeypatch.setattr(
        folder, "sources", HotFolder.sources.__get__(folder)
    )  # the next scan sees the link in the subfolder's place and moves the link aside
    assert folder.scan_once() == []
    assert (settings.quarantine_dir / "epost").is_symlink() and victim.exists()
    with session_factory()() as s:
        assert s.query(MailItem).count() == 0
