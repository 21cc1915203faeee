"""Content-addressed blob store. The sha256 of an original is its key and the dedup key; a file
derived from it (the searchable PDF, a page's PDF while a document is being read) has the key
"<sha256>.<suffix>".

Two backends, chosen by POSTHANTERING_BLOB_BACKEND:
- `folder` (default): files under data_dir/blobs/ab/cd/<sha256> and data_dir/derived/ab/<sha256>.<suffix>.
  Several machines need the data directory on a shared volume.
- `postgres` (services/core/blobs_postgres.py): every blob in the database (1 MiB chunks), so a worker on
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
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    pass

CHUNK = 1024 * 1024
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


def get_blob_store() -> BlobStore:
    from services.core.settings import get_settings

    settings = get_settings()
    if settings.blob_backend == "postgres":
        from services.core.blobs_postgres import PostgresBlobStore
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
        from services.core.blobs_postgres import PostgresBlobStore

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
