"""Intake: store the file, deduplicate by content hash, check it, and record a MailItem.

The caller owns the transaction (one session scope per request or task): nothing here commits.
"""

from __future__ import annotations

import time
from pathlib import Path, PureWindowsPath
from typing import Any, BinaryIO

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.core.blobs import get_blob_store
from services.core.environment import is_environment_error, is_environment_reason, storage_reason
from services.core.errors import InsufficientStorage, InvalidInput, PayloadTooLarge
from services.core.events import record, transition
from services.core.logging import get_logger
from services.core.models import MailItem, utcnow
from services.core.settings import get_settings
from services.core.states import MailState
from services.ingest.repository import get_by_sha
from services.ingest.schemas import SubmitResult
from services.ingest.sniff import sniff

log = get_logger(__name__)

MAX_FILENAME = 500


def submit_file(session: Session, path: Path, *, filename: str | None = None, channel: str, actor: str) -> SubmitResult:
    limit = get_settings().max_upload_bytes
    size = path.stat().st_size
    if size > limit:  # refuse before copying gigabytes
        raise PayloadTooLarge(too_large_message(size, limit))
    with path.open("rb") as f:
        return submit_stream(session, f, filename=filename or path.name, channel=channel, actor=actor)


def submit_stream(
    session: Session,
    stream: BinaryIO,
    *,
    filename: str,
    channel: str,
    actor: str,
    intake_channel: str | None = None,
) -> SubmitResult:
    """`intake_channel` (post | mailbox | email | upload): how the document reached the authority, for
    its arrival date (FL 22 §); the hot folder sets it from the inbox subfolder the file lay in."""
    settings = get_settings()
    store = get_blob_store()
    start = time.perf_counter()
    try:
        sha, size = store.put_stream(stream, max_bytes=settings.max_upload_bytes)
    except OverflowError as e:
        raise PayloadTooLarge(too_large_message(int(e.args[0]), settings.max_upload_bytes)) from e
    except OSError as e:
        if is_environment_error(e):  # nothing recorded: the sender tries again later
            raise InsufficientStorage(storage_reason(e)) from e
        raise

    existing = get_by_sha(session, sha)
    if existing is not None:
        if restart_if_environment_failed(session, existing, actor):
            return SubmitResult(existing, duplicate=False, error=None)
        return _duplicate(existing)

    values: dict[str, Any] = {
        "sha256": sha,
        "filename": clean_filename(filename),
        "size_bytes": size,
        "channel": channel,
        "intake_channel": intake_channel,
    }
    error: str | None = None
    try:
        info = sniff(store.path(sha), settings)
        values.update(state=MailState.received.value, mime=info.mime, page_count=info.pages)
    except InvalidInput as e:
        if is_environment_error(e):  # the storage failed to read it, not the file: nothing recorded
            raise InsufficientStorage(storage_reason(e)) from e
        error = e.message
        values.update(state=MailState.quarantined.value, state_reason=error)
    seconds = time.perf_counter() - start

    item = _insert_unless_present(session, values)
    if item is None:  # an identical file was recorded concurrently
        existing = get_by_sha(session, sha)
        assert existing is not None
        return _duplicate(existing)
    action = "quarantined" if error else "received"
    record(
        session,
        item_id=item.id,
        actor=actor,
        action=action,
        to_state=item.state,
        machine_seconds=seconds,
        detail={
            "channel": channel,
            "size_bytes": size,
            **({"intake_channel": intake_channel} if intake_channel else {}),
            **({"reason": error} if error else {}),
        },
    )
    session.flush()
    log.info("mail_" + action, item_id=item.id, channel=channel, mime=item.mime, pages=item.page_count)
    return SubmitResult(item, duplicate=False, error=error)


def _insert_unless_present(session: Session, values: dict[str, Any]) -> MailItem | None:
    """INSERT ... ON CONFLICT (sha256) DO NOTHING; returns the new item, or None if the sha exists.

    Not a SAVEPOINT and IntegrityError: on the embedded SQLite (pysqlite) a SAVEPOINT opened
    before any write starts the transaction itself and its RELEASE commits it, which would break
    "the caller commits". ON CONFLICT also waits for a racing transaction on PostgreSQL.
    """
    now = utcnow()
    values = {"created_at": now, "updated_at": now, **values}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(MailItem).values(**values).on_conflict_do_nothing(index_elements=["sha256"])
    new_id = session.execute(stmt.returning(MailItem.id)).scalar_one_or_none()
    return None if new_id is None else session.get(MailItem, new_id)


def restart_if_environment_failed(session: Session, item: MailItem, actor: str) -> bool:
    """The same file again, for an item that failed or was quarantined because of the environment (a
    full disk), starts it again from `received` instead of repeating the old reason."""
    # Only a quarantine: a failed item keeps its own retry (back to the step that failed), and its
    # re-upload is a plain duplicate (200), never a 422.
    if item.state != MailState.quarantined or not is_environment_reason(item.state_reason) or item.page_count < 1:
        return False
    transition(
        session,
        item,
        expected=MailState.quarantined,
        to=MailState.received,
        actor=actor,
        action="retry",
        detail={"environment": True, "resubmitted": True},
        values={"state_reason": None},
    )
    log.info("mail_restarted", item_id=item.id)
    return True


def _duplicate(existing: MailItem) -> SubmitResult:
    # The same bad file again keeps its reason, so the caller can show it.
    error = existing.state_reason if existing.state == MailState.quarantined else None
    return SubmitResult(existing, duplicate=True, error=error)


def clean_filename(name: str | None) -> str:
    """The base name only (either slash), without control characters, at most 500 characters."""
    base = PureWindowsPath(name or "").name  # splits on both / and \
    base = "".join(c for c in base if c.isprintable()).strip()
    if len(base) > MAX_FILENAME:
        stem, dot, ext = base.rpartition(".")
        keep_ext = dot and 0 < len(ext) <= 10
        base = stem[: MAX_FILENAME - len(ext) - 1] + "." + ext if keep_ext else base[:MAX_FILENAME]
    return base or "unnamed"


def too_large_message(size: int, limit: int) -> str:
    return f"filen är större än gränsen {limit / (1024 * 1024):.0f} MB (minst {size:,} byte)"
