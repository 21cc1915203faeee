"""The `postgres` blob backend (see services/core/blobs.py): every blob chunked in PostgreSQL, the
data directory's folders this host's cache, pruned of copies unused for POSTHANTERING_BLOB_CACHE_HOURS."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from services.core.blobs import _SHA, CHUNK, BlobStore

if TYPE_CHECKING:
    from sqlalchemy import Engine

# Per process: when this host's blob cache was last pruned (PostgresBlobStore._maybe_prune).
_PRUNED_AT = [time.monotonic()]
_PRUNE_LOCK = threading.Lock()


class PostgresBlobStore(BlobStore):
    """Blobs in PostgreSQL; the folders under the data directory are this host's cache."""

    backend = "postgres"

    # A host fills its cache by uploading and downloading; either prunes it now and then (in the
    # background, at most once per PRUNE_EVERY seconds per process), so every host's cache is kept,
    # not only the one that happens to run the housekeeping task.
    PRUNE_EVERY = 600.0

    def __init__(self, root: Path, engine: Engine, cache_seconds: float | None = None) -> None:
        super().__init__(root)
        self.engine = engine
        self.cache_seconds = cache_seconds

    def _maybe_prune(self) -> None:
        if self.cache_seconds is None or time.monotonic() - _PRUNED_AT[0] < self.PRUNE_EVERY:
            return
        if not _PRUNE_LOCK.acquire(blocking=False):
            return
        _PRUNED_AT[0] = time.monotonic()

        def run() -> None:
            try:
                self.prune_cache(self.cache_seconds or 0)
            except Exception:  # noqa: BLE001 - housekeeping; the next one tries again
                pass
            finally:
                _PRUNE_LOCK.release()

        threading.Thread(target=run, name="blob-cache-prune", daemon=True).start()

    def path(self, sha: str) -> Path:
        local = self._local(sha)
        if not _touch(local):
            self._download(sha, local, verify=True)
        return local

    def exists(self, sha: str) -> bool:
        return self._local(sha).exists() or self._header(sha) is not None

    def _stored(self, key: str, local: Path) -> None:
        if self._header(key) is None:
            self._upload(key, local)
        self._maybe_prune()

    def publish(self, sha: str, suffix: str) -> None:
        local = self.derived_path(sha, suffix)
        if local.is_file():
            self._upload(f"{sha}.{suffix}", local, replace=True)

    def fetch(self, sha: str, suffix: str) -> Path | None:
        local = self.derived_path(sha, suffix)
        if not _touch(local):
            self._download(f"{sha}.{suffix}", local, verify=False)
        return local if local.exists() else None

    def fetch_dir(self, sha: str, suffix: str) -> Path:
        from sqlalchemy import select

        from services.core.models_blobs import BlobObject

        prefix = f"{sha}.{suffix}/"
        with self.engine.connect() as conn:
            keys = conn.scalars(select(BlobObject.key).where(BlobObject.key.startswith(prefix, autoescape=True))).all()
        for key in keys:
            local = self._key_path(key)
            if not local.exists():
                self._download(key, local, verify=False)
        return self.derived_path(sha, suffix)

    def drop(self, sha: str, suffix: str) -> None:
        from sqlalchemy import delete, or_

        from services.core.models_blobs import BlobChunk, BlobObject

        super().drop(sha, suffix)
        key = f"{sha}.{suffix}"
        with self.engine.begin() as conn:
            for table in (BlobObject, BlobChunk):
                conn.execute(
                    delete(table).where(or_(table.key == key, table.key.startswith(key + "/", autoescape=True)))
                )

    def list_keys(self) -> Iterator[str]:
        from sqlalchemy import select

        from services.core.models_blobs import BlobObject

        with self.engine.connect() as conn:
            keys = conn.scalars(select(BlobObject.key).order_by(BlobObject.key)).all()
        for key in keys:
            if _SHA.match(key) or key.endswith(".searchable.pdf"):
                yield key

    def open_key(self, key: str) -> BinaryIO:
        local = self._key_path(key)
        if not _touch(local):
            self._download(key, local, verify=_SHA.match(key) is not None)
        return local.open("rb")

    def prune_cache(self, older_than_seconds: float) -> int:
        """This host's cache: copies not used (downloaded, read through `path`/`fetch`) for
        `older_than_seconds`, and only those the database holds, so a file written here and not yet
        published stays; an abandoned partial download goes too. The next use downloads it again."""
        cutoff = time.time() - older_than_seconds
        derived = self.root.parent / "derived"
        removed = 0
        for base in (self.root, derived):
            if not base.exists():
                continue
            for local in base.rglob("*"):
                try:
                    st = local.lstat()
                except FileNotFoundError:
                    continue
                if not local.is_file() or local.is_symlink() or st.st_mtime >= cutoff:
                    continue
                if local.name.startswith((".download-", ".incoming-")):
                    key: str | None = None
                elif base is self.root:
                    key = local.name if _SHA.match(local.name) else ""
                else:
                    key = "/".join(local.relative_to(derived).parts[1:])
                if key == "" or (key is not None and not self.has_key(key)):
                    continue
                local.unlink(missing_ok=True)
                removed += 1
        return removed

    def has_key(self, key: str) -> bool:
        return self._header(key) is not None

    # --- the database side ---------------------------------------------------------------
    def _header(self, key: str) -> int | None:
        from sqlalchemy import select

        from services.core.models_blobs import BlobObject

        with self.engine.connect() as conn:
            return conn.scalar(select(BlobObject.chunks).where(BlobObject.key == key))

    def _upload(self, key: str, local: Path, *, replace: bool = False) -> None:
        """Chunks then header, in one transaction; a concurrent upload of the same key waits and skips."""
        from sqlalchemy import delete
        from sqlalchemy.dialects.postgresql import insert

        from services.core.models_blobs import BlobChunk, BlobObject

        with self.engine.begin() as conn:
            if replace:
                conn.execute(delete(BlobObject).where(BlobObject.key == key))
                conn.execute(delete(BlobChunk).where(BlobChunk.key == key))
            seq, size = 0, 0
            with local.open("rb") as f:
                for chunk in iter(lambda: f.read(CHUNK), b""):
                    conn.execute(insert(BlobChunk).values(key=key, seq=seq, data=chunk).on_conflict_do_nothing())
                    seq += 1
                    size += len(chunk)
            conn.execute(insert(BlobObject).values(key=key, size=size, chunks=seq).on_conflict_do_nothing())

    def _download(self, key: str, local: Path, *, verify: bool) -> None:
        """Chunk by chunk into a temporary file, then renamed into place (nothing when there is no such blob)."""
        from sqlalchemy import select

        from services.core.models_blobs import BlobChunk

        chunks = self._header(key)
        if chunks is None:
            return
        local.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=local.parent, prefix=".download-")
        try:
            h = hashlib.sha256()
            with os.fdopen(fd, "wb") as out, self.engine.connect() as conn:
                for seq in range(chunks):
                    data = conn.scalar(select(BlobChunk.data).where(BlobChunk.key == key, BlobChunk.seq == seq))
                    if data is None:
                        raise OSError(f"blob {key[:12]}… is missing chunk {seq}")
                    h.update(data)
                    out.write(data)
            if verify and h.hexdigest() != key:
                raise OSError(f"blob {key[:12]}… does not match its hash")
            os.replace(tmp, local)
            self._maybe_prune()
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _touch(local: Path) -> bool:
    """Mark a cached copy as just used (the cache prune keeps it); False when there is none."""
    try:
        os.utime(local)
    except FileNotFoundError:
        return False
    except OSError:  # a read-only copy is still a copy
        return local.exists()
    return True
