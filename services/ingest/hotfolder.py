"""The hot folder: scanners write files into settings.hot_folder; each settled file becomes a MailItem.

A file is taken once its size and mtime have stayed the same for hot_folder_settle_seconds across
scans (a scanner may still be writing). Recorded files move to archive/YYYY-MM-DD/, rejected ones to
quarantine/ with a NAME.error.txt beside them. A file is moved only after its item is committed:
if the database is unavailable it stays where it is and is tried again on the next scan.

Only regular files that lie inside the inbox are read (``safe_open``): a symbolic link, a hard link
(st_nlink > 1, e.g. to the data directory's secret_key), a FIFO or device, or anything whose resolved
path leaves the inbox is moved aside at once, unread, with an .error.txt saying why. The file is
opened with O_NOFOLLOW and checked again on the open descriptor, so a swap between the check and
the open is caught too.

Intake channel (issue 12): a file in the inbox itself came by the hot folder's channel
(POSTHANTERING_HOTFOLDER_INTAKE_CHANNEL, post by default); subfolders named in
POSTHANTERING_INTAKE_CHANNELS ("epost=email,brevlada=mailbox") are read too, and a file taken from one
is recorded with that subfolder's channel, so its arrival date follows FL 22 § for how it came in. A
configured subfolder must itself be a plain directory of the inbox (a link in its place is moved aside,
unread); its files get the same checks, with the subfolder as the place they must lie in. Other
subfolders are a scanner's own and are left alone; nothing below a subfolder is read.
"""

from __future__ import annotations

import os
import shutil
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from services.core.db import session_scope
from services.core.errors import InsufficientStorage, InvalidInput
from services.core.logging import get_logger
from services.core.settings import Settings, get_settings
from services.core.states import MailState
from services.ingest.service import submit_stream, too_large_message
from services.registration.arrival import CHANNELS, POST, parse_channel_map

log = get_logger(__name__)

ACTOR = "system:hotfolder"
IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", "~")


@dataclass
class _Seen:
    signature: tuple[int, int]  # (size, mtime_ns)
    since: float  # monotonic time the signature was first seen


@dataclass(frozen=True)
class Source:
    """A folder the hot folder takes files from and the intake channel its files came by."""

    folder: Path
    channel: str
    subfolder: str | None = None  # None: the inbox itself
    # Where its files must really lie: for a subfolder, the real inbox path joined with its name (never
    # resolved through the subfolder, which could meanwhile have been swapped for a link).
    real: Path | None = None


OUTSIDE = "filen ligger inte i inkorgen"


class UnsafeEntry(Exception):
    """An inbox entry that is not a plain file of the inbox; its message (Swedish) says why."""


def is_candidate(path: Path) -> bool:
    """By name only: never stat through a link here (see ``unsafe_reason``)."""
    name = path.name
    return not name.startswith(".") and not name.lower().endswith(IGNORED_SUFFIXES)


def unsafe_reason(path: Path, st: os.stat_result, folder: Path, real: Path | None = None) -> str | None:
    """Why an inbox entry (lstat result) must not be read, or None for a plain regular file of the inbox.
    `real`: the folder's real path when known (a subfolder's), else `folder` resolved."""
    if stat.S_ISLNK(st.st_mode):
        return "symbolisk länk: hotmappen läser bara vanliga filer, aldrig länkar"
    if not stat.S_ISREG(st.st_mode):
        return "inte en vanlig fil (t.ex. en namngiven rörledning eller en enhet)"
    if st.st_nlink > 1:
        return "hård länk till en annan fil: hotmappen läser bara filer som bara finns i inkorgen"
    try:
        inside = path.resolve(strict=True).parent == (real or folder.resolve(strict=True))
    except OSError:
        inside = False
    if not inside:
        return OUTSIDE
    return None


def safe_open(path: Path, expected: os.stat_result) -> int:
    """An fd for `path` opened without following links, checked to be the same plain file as `expected`."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if e.errno in (getattr(os, "ELOOP", 40), 40):
            raise UnsafeEntry("symbolisk länk: hotmappen läser bara vanliga filer, aldrig länkar") from e
        raise
    st = os.fstat(fd)
    same = (st.st_dev, st.st_ino) == (expected.st_dev, expected.st_ino)
    if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1 or not same:
        os.close(fd)
        raise UnsafeEntry("filen byttes ut medan den lästes; den lästes inte")
    return fd


class HotFolder:
    def __init__(self, settings: Settings, on_submitted: Callable[[int, str], None]) -> None:
        assert settings.hot_folder is not None
        self.settings = settings
        self.folder = settings.hot_folder
        self.on_submitted = on_submitted
        self._seen: dict[Path, _Seen] = {}

    def run(self, stop: threading.Event) -> None:
        log.info("hotfolder_started", folder=str(self.folder))
        while not stop.is_set():
            try:
                self.scan_once()
            except Exception:
                log.exception("hotfolder_scan_failed")
            stop.wait(self.settings.hot_folder_poll_seconds)
        log.info("hotfolder_stopped")

    def sources(self) -> list[Source]:
        """The inbox (the hot folder's channel) and each configured subfolder that is a plain directory
        of the inbox (created when missing). A link or a file in a subfolder's place is moved aside."""
        s = self.settings
        out = [Source(self.folder, s.hotfolder_intake_channel if s.hotfolder_intake_channel in CHANNELS else POST)]
        try:
            inbox = self.folder.resolve(strict=True)
        except OSError:
            return out
        for name, channel in sorted(parse_channel_map(s.intake_channels).items()):
            if name in (".", "..") or "/" in name or "\\" in name or name.startswith("."):
                log.warning("hotfolder_bad_subfolder", subfolder=name)
                continue
            path = self.folder / name
            try:
                if not os.path.lexists(path):
                    path.mkdir()
                st = path.lstat()
            except OSError as e:
                log.warning("hotfolder_subfolder_unavailable", subfolder=name, error=type(e).__name__)
                continue
            if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
                why = (
                    "symbolisk länk i en inkorgsmapps ställe: hotmappen följer aldrig länkar"
                    if stat.S_ISLNK(st.st_mode)
                    else f"inte en mapp: inkorgsmappen {name}/ ska vara en vanlig mapp"
                )
                self._refuse(path, why)
                continue
            out.append(Source(path, channel, name, inbox / name))
        return out

    def scan_once(self) -> list[int]:
        """Take every settled file; returns the item ids recorded or matched (duplicates) in this scan."""
        self.folder.mkdir(parents=True, exist_ok=True)
        now = time.monotonic()
        seen: dict[Path, _Seen] = {}
        taken: list[int] = []
        for source in self.sources():
            try:
                entries = sorted(source.folder.iterdir())
            except OSError as e:
                log.warning("hotfolder_list_failed", subfolder=source.subfolder, error=type(e).__name__)
                continue
            for path in entries:
                item_id = self._consider(path, source, now, seen)
                if item_id is not None:
                    taken.append(item_id)
        self._seen = seen
        return taken

    def _consider(self, path: Path, source: Source, now: float, seen: dict[Path, _Seen]) -> int | None:
        """One entry of a source folder: wait for it to settle, then take it (or move it aside)."""
        try:
            if not is_candidate(path):
                return None
            st = path.lstat()
            if stat.S_ISDIR(st.st_mode):
                return None  # a scanner's subfolder (or a configured one, listed as a source): not read here
            why = unsafe_reason(path, st, source.folder, source.real)
        except OSError:
            return None  # vanished or unreadable between listing and stat
        if why == OUTSIDE and source.subfolder is not None:
            # The subfolder was swapped for a link during this scan: moving "its" file would move a file
            # outside the inbox. Leave it; the next scan moves the link itself aside (``sources``).
            log.warning("hotfolder_subfolder_changed", subfolder=source.subfolder)
            return None
        if why is not None:
            self._refuse(path, why)
            return None
        signature = (st.st_size, st.st_mtime_ns)
        before = self._seen.get(path)
        if before is None or before.signature != signature:
            seen[path] = _Seen(signature, now)  # new or still being written
            return None
        if now - before.since < self.settings.hot_folder_settle_seconds:
            seen[path] = before
            return None
        item_id = self._take(path, st, source)
        if item_id is None and path.exists():
            seen[path] = before  # not recorded (database down?): try again next scan
        return item_id

    def _refuse(self, path: Path, why: str) -> None:
        log.warning("hotfolder_unsafe_entry", file=path.name, reason=why)
        try:
            self._quarantine(path, why, None)
        except OSError as e:
            log.warning("hotfolder_move_failed", file=path.name, error=type(e).__name__)

    def _take(self, path: Path, expected: os.stat_result, source: Source) -> int | None:
        try:
            fd = safe_open(path, expected)
        except UnsafeEntry as e:
            self._refuse(path, str(e))
            return None
        except OSError as e:
            log.warning("hotfolder_open_failed", file=path.name, error=type(e).__name__)
            return None
        try:
            with os.fdopen(fd, "rb") as f, session_scope() as s:
                limit = get_settings().max_upload_bytes
                size = os.fstat(f.fileno()).st_size
                if size > limit:  # refuse before copying gigabytes
                    raise InvalidInput(too_large_message(size, limit))
                result = submit_stream(
                    s, f, filename=path.name, channel="hotfolder", actor=ACTOR, intake_channel=source.channel
                )
                item_id, state, reason = result.item.id, result.item.state, result.item.state_reason
        except InvalidInput as e:  # refused before an item exists (larger than the upload limit)
            log.warning("hotfolder_rejected", file=path.name, reason=e.message)
            self._quarantine(path, e.message, None)
            return None
        except (SQLAlchemyError, OSError, InsufficientStorage) as e:  # the environment: keep the file, retry
            log.warning("hotfolder_submit_failed", file=path.name, error=f"{type(e).__name__}: {e}")
            return None

        if not result.duplicate:
            try:
                self.on_submitted(item_id, state)
            except Exception as e:  # noqa: BLE001 - the item is committed; the sweeper re-enqueues it
                log.warning("hotfolder_enqueue_failed", item_id=item_id, error=f"{type(e).__name__}: {e}")
        log.info(
            "hotfolder_taken",
            file=path.name,
            subfolder=source.subfolder,
            intake_channel=source.channel,
            item_id=item_id,
            state=state,
            duplicate=result.duplicate,
        )
        try:
            if state == MailState.quarantined:
                self._quarantine(path, reason or "rejected", item_id)
            else:
                self._archive(path)
        except OSError as e:
            # Recorded but not moved: the next scan finds it again as a duplicate and moves it then.
            log.warning("hotfolder_move_failed", file=path.name, error=f"{type(e).__name__}: {e}")
        return item_id

    def _archive(self, path: Path) -> Path:
        day = self.settings.archive_dir / datetime.now().strftime("%Y-%m-%d")
        return _move(path, day)

    def _quarantine(self, path: Path, reason: str, item_id: int | None) -> Path:
        dest = _move(path, self.settings.quarantine_dir)
        where = "inkorgen" if path.parent == self.folder else f"inkorgen/{path.parent.name}/"
        lines = [
            f"Fil: {path.name}",
            f"Mapp: {where}",
            f"Avvisad: {datetime.now().astimezone().isoformat(timespec='seconds')}",
            f"Skäl: {reason}",
            f"Försändelse: {item_id if item_id is not None else '(inte registrerad)'}",
        ]
        note = dest.with_name(dest.name + ".error.txt")
        fd = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o640)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        return dest


def _move(path: Path, folder: Path) -> Path:
    """Move without overwriting: name.pdf, name-1.pdf, name-2.pdf, ..."""
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / path.name
    n = 0
    while os.path.lexists(dest) or os.path.lexists(dest.with_name(dest.name + ".error.txt")):
        n += 1
        dest = folder / f"{path.stem}-{n}{path.suffix}"
    shutil.move(str(path), str(dest))
    return dest
