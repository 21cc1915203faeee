"""Content-addressed blob store: files live under data_dir/blobs/ab/cd/<sha256>. The hash is the dedup key."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha: str) -> Path:
        return self.root / sha[:2] / sha[2:4] / sha

    def exists(self, sha: str) -> bool:
        return self.path(sha).exists()

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
            dest = self.path(sha)
            if dest.exists():
                os.unlink(tmp)
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, dest)
            return sha, size
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def put_bytes(self, data: bytes) -> str:
        import io

        return self.put_stream(io.BytesIO(data))[0]

    def put_file(self, path: Path, max_bytes: int | None = None) -> tuple[str, int]:
        with path.open("rb") as f:
            return self.put_stream(f, max_bytes=max_bytes)

    def derived_path(self, sha: str, suffix: str) -> Path:
        """Where a file derived from a blob lives (page renders, searchable PDF)."""
        return self.root.parent / "derived" / sha[:2] / f"{sha}.{suffix}"


def get_blob_store() -> BlobStore:
    from services.core.settings import get_settings

    return BlobStore(get_settings().blob_dir)
