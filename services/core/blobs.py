"""Content-addressed blob store. The sha256 of an original is its key and the dedup key; a file
derived from it (the searchable PDF, a page's PDF while a document is being read) has the key
"<sha256>.<suffix>".

Two backends, chosen by POSTHANTERING_BLOB_BACKEND:
- `folder` (default): files under data_dir/blobs/ab/cd/<sha256> and data_dir/derived/ab/<sha256>.<suffix>.
  Several machines need the data directory on a shared volume.
- `postgres`: every blob in the database (blob_objects + blob_chunks, 1 MiB chunks), so a worker on
  any host needs only DATABASE_URL and BROKER_URL. The same folders are then a local cache: `path()`
  downloads an original on first use, and a derived file is `publish`ed after it is written and
  `fetch`ed where it is needed.

Callers use local paths either way (`path`, `derived_path`), and call `publish`/`fetch`/`drop` for
derived files that another process may need; on the folder backend those are cheap no-ops.
`copy_blobs` moves everything from one backend to the other (`posthantering blobs copy`).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from sqlalchemy import Engine

CHUNK = 1024 * 1024
# Per process: when this host's blob cache was last pruned (PostgresBlobStore._maybe_prune).
_PRUNED_AT = [time.monotonic()]
_PRUNE_LOCK = threading.Lock()
_SHA = re.compile(r"^[0-9a-f]{64}$")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


class BlobStore:
    """The folder backend; also the local layout (and cache) of every other backend."""

    backend = "folder"

    def __init__(self, root: Path) -> None:
        self.root = root

    # --- originals -------------------------------------------------------------------------
    def path(self, sha: str) -> Path:
        """The original as a local file (it may not exist: callers check)."""
        return self._local(sha)

    def _local(self, sha: str) -> Path:
        return self.root / sha[:2] / sha[2:4] / sha

    def exists(self, sha: str) -> bool:
        return self._local(sha).exists()

    def put_stream(self, stream: BinaryIO, max_bytes: int | None = None) -> tuple[str, int]:
        """Copy a stream into the store, hashing as it goes; returns (sha256, size). Atomic."""
        self.root.mkdir(parents=True, exist_ok=True)
        h = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in iter(lambda: stream.read(CHUNK), b""):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise OverflowError(size)
                    h.update(chunk)
                    out.write(chunk)
            sha = h.hexdigest()
            dest = self._local(sha)
            if dest.exists():
                os.unlink(tmp)
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, dest)
            self._stored(sha, dest)
            return sha, size
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def _stored(self, key: str, local: Path) -> None:
        """Hook: a new local file under `key` (the folder backend has nothing more to do)."""

    def put_bytes(self, data: bytes) -> str:
        return self.put_stream(io.BytesIO(data))[0]

    def put_file(self, path: Path, max_bytes: int | None = None) -> tuple[str, int]:
        with path.open("rb") as f:
            return self.put_stream(f, max_bytes=max_bytes)

    # --- derived files ---------------------------------------------------------------------
    def derived_path(self, sha: str, suffix: str) -> Path:
        """Where a file derived from a blob lives locally (searchable PDF, page PDFs, page renders)."""
        return self.root.parent / "derived" / sha[:2] / f"{sha}.{suffix}"

    def publish(self, sha: str, suffix: str) -> None:
        """Make the local derived file visible to every host (folder: it already is)."""

    def fetch(self, sha: str, suffix: str) -> Path | None:
        """The derived file as a local path, or None when there is none."""
        path = self.derived_path(sha, suffix)
        return path if path.exists() else None

    def fetch_dir(self, sha: str, suffix: str) -> Path:
        """Bring every derived file under `<sha>.<suffix>/` to the local folder; returns that folder."""
        return self.derived_path(sha, suffix)

    def drop(self, sha: str, suffix: str) -> None:
        """Delete a derived file, or every file under `<sha>.<suffix>/`, everywhere."""
        path = self.derived_path(sha, suffix)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)

    def prune_cache(self, older_than_seconds: float) -> int:
        """Delete local copies unused for `older_than_seconds` that another backend still holds
        (folder: the folder is the store itself, nothing is a copy); returns how many went."""
        return 0

    # --- whole-store access, for copying between backends -----------------------------------
    def list_keys(self) -> Iterator[str]:
        """Every original and every finished derived file (page renders and work folders excluded)."""
        if self.root.exists():
            for p in self.root.glob("??/??/*"):
                if _SHA.match(p.name):
                    yield p.name
        derived = self.root.parent / "derived"
        if derived.exists():
            for p in derived.glob("??/*.searchable.pdf"):
                yield p.name

    def open_key(self, key: str) -> BinaryIO:
        return self._key_path(key).open("rb")

    def put_key(self, key: str, stream: BinaryIO) -> None:
        if _SHA.match(key):
            sha, _ = self.put_stream(stream)
            if sha != key:
                raise ValueError(f"blob {key[:12]}… has the content of {sha[:12]}…: not copied")
            return
        dest = self._key_path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".incoming-")
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(stream, out, CHUNK)
        os.replace(tmp, dest)
        self._stored(key, dest)

    def has_key(self, key: str) -> bool:
        return self._key_path(key).is_file()

    def _key_path(self, key: str) -> Path:
        if _SHA.match(key):
            return self._local(key)
        sha, _, suffix = key.partition(".")
        return self.derived_path(sha, suffix)


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


def get_blob_store() -> BlobStore:
    from services.core.settings import get_settings

    settings = get_settings()
    if settings.blob_backend == "postgres":
        from services.core.db import get_engine

        return PostgresBlobStore(settings.blob_dir, get_engine(), settings.blob_cache_hours * 3600)
    return BlobStore(settings.blob_dir)


def blob_store_for(backend: str) -> BlobStore:
    """A store of the named backend on this host's settings (for copying between backends)."""
    from services.core.settings import get_settings

    settings = get_settings()
    if backend == "postgres":
        from services.core.db import get_engine

        if settings.is_sqlite:
            raise ValueError("the postgres blob backend needs a PostgreSQL DATABASE_URL")
        return PostgresBlobStore(settings.blob_dir, get_engine())
    if backend == "folder":
        return BlobStore(settings.blob_dir)
    raise ValueError(f"unknown blob backend {backend!r} (folder or postgres)")


def copy_blobs(source: BlobStore, dest: BlobStore) -> tuple[int, int]:
    """Copy every blob `dest` lacks from `source` (originals are checked against their hash);
    returns (copied, already there). Safe to run again, and while the service runs."""
    copied = skipped = 0
    for key in source.list_keys():
        if dest.has_key(key):
            skipped += 1
            continue
        with source.open_key(key) as stream:
            dest.put_key(key, stream)
        copied += 1
    return copied, skipped
