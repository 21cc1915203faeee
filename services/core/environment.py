"""Telling environment errors (full disk, failing storage, database away) from bad letters.

A letter is quarantined only for what is wrong with the letter itself. An error the machine's
environment caused is transient: retried, shown as such, and never a verdict on the letter.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from pathlib import Path

# errno values that say "the storage", never "the file's content".
ENVIRONMENT_ERRNOS = frozenset(
    {
        errno.ENOSPC,  # no space left on device
        errno.EDQUOT,  # quota exceeded
        errno.EIO,  # I/O error
        errno.EROFS,  # read-only file system
        errno.ENOMEM,
        errno.EMFILE,
        errno.ENFILE,
        errno.EAGAIN,
        errno.ESTALE,  # NFS handle gone
        errno.ENOLCK,
    }
)
_ERRNOS = "|".join(str(n) for n in sorted(ENVIRONMENT_ERRNOS))
_REASON_PATTERN = re.compile(
    rf"\[Errno ({_ERRNOS})\]|No space left on device|Disk quota exceeded|Input/output error|Read-only file system"
    r"|database or disk is full|disk I/O error|Lagringen|Tillfälligt fel"
)

STORAGE_REASON_SV = (
    "Lagringen är full eller otillgänglig ({detail}). Brevet är inte fel: försök igen när det finns plats."
)


def is_environment_error(exc: BaseException) -> bool:
    """True for an OSError (anywhere in the cause chain) whose errno points at the storage."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in ENVIRONMENT_ERRNOS:
            return True
        if "database or disk is full" in str(current) or "disk I/O error" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def is_environment_reason(reason: str | None) -> bool:
    """A stored reason (state_reason) that names an environment error, not the letter: such an item
    may be retried, and a re-upload of its file starts it again instead of repeating the reason."""
    return bool(reason) and _REASON_PATTERN.search(reason or "") is not None


def storage_reason(exc: BaseException) -> str:
    detail = os.strerror(exc.errno) if isinstance(exc, OSError) and exc.errno else type(exc).__name__
    return STORAGE_REASON_SV.format(detail=detail)


def free_bytes(path: Path) -> int | None:
    """Free bytes on the file system holding `path` (its nearest existing parent); None if unknown."""
    p = path
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        return shutil.disk_usage(p).free
    except OSError:
        return None


def storage_writable(path: Path, min_free: int) -> bool:
    """The folder has at least `min_free` bytes free and a small file can be written and removed."""
    free = free_bytes(path)
    if free is not None and free < min_free:
        return False
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".probe-{os.getpid()}"
        with probe.open("wb") as f:
            f.write(b"\0" * 4096)
            f.flush()
            os.fsync(f.fileno())
        probe.unlink()
    except OSError:
        return False
    return True
