"""The hot folder: scanners write files into settings.hot_folder; each settled file becomes a MailItem.

A file is taken once its size and mtime have stayed the same for hot_folder_settle_seconds across
scans (a scanner may still be writing). Recorded files move to archive/YYYY-MM-DD/, rejected ones to
quarantine/ with a NAME.error.txt beside them. A file is moved only after its item is committed:
if the database is unavailable it stays where it is and is tried again on the next scan.
"""

from __future__ import annotations

import shutil
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
from services.core.settings import Settings
from services.core.states import MailState
from services.ingest.service import submit_file

log = get_logger(__name__)

ACTOR = "system:hotfolder"
IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", "~")


@dataclass
class _Seen:
    signature: tuple[int, int]  # (size, mtime_ns)
    since: float  # monotonic time the signature was first seen


def is_candidate(path: Path) -> bool:
    name = path.name
    return not name.startswith(".") and not name.lower().endswith(IGNORED_SUFFIXES) and path.is_file()


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

    def scan_once(self) -> list[int]:
        """Take every settled file; returns the item ids recorded or matched (duplicates) in this scan."""
        self.folder.mkdir(parents=True, exist_ok=True)
        now = time.monotonic()
        seen: dict[Path, _Seen] = {}
        taken: list[int] = []
        for path in sorted(self.folder.iterdir()):
            try:
                if not is_candidate(path):
                    continue
                st = path.stat()
            except OSError:
                continue  # vanished or unreadable between listing and stat
            signature = (st.st_size, st.st_mtime_ns)
            before = self._seen.get(path)
            if before is None or before.signature != signature:
                seen[path] = _Seen(signature, now)  # new or still being written
                continue
            if now - before.since < self.settings.hot_folder_settle_seconds:
                seen[path] = before
                continue
            item_id = self._take(path)
            if item_id is None and path.exists():
                seen[path] = before  # not recorded (database down?): try again next scan
            elif item_id is not None:
                taken.append(item_id)
        self._seen = seen
        return taken

    def _take(self, path: Path) -> int | None:
        try:
            with session_scope() as s:
                result = submit_file(s, path, channel="hotfolder", actor=ACTOR)
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
        log.info("hotfolder_taken", file=path.name, item_id=item_id, state=state, duplicate=result.duplicate)
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
        lines = [
            f"File: {path.name}",
            f"Rejected: {datetime.now().astimezone().isoformat(timespec='seconds')}",
            f"Reason: {reason}",
            f"Item: {item_id if item_id is not None else '(not recorded)'}",
        ]
        dest.with_name(dest.name + ".error.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return dest


def _move(path: Path, folder: Path) -> Path:
    """Move without overwriting: name.pdf, name-1.pdf, name-2.pdf, ..."""
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / path.name
    n = 0
    while dest.exists() or dest.with_name(dest.name + ".error.txt").exists():
        n += 1
        dest = folder / f"{path.stem}-{n}{path.suffix}"
    shutil.move(str(path), str(dest))
    return dest
