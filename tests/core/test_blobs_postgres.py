"""The PostgreSQL blob backend: originals and derived files through the database alone (a second
host with an empty data directory reads what the first stored), and copying between backends."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.core.blobs import BlobStore, copy_blobs
from services.core.blobs_postgres import PostgresBlobStore
from services.core.db import make_engine
from services.core.migrate import upgrade
from services.core.models_blobs import BlobChunk, BlobObject


@pytest.fixture
def engine(postgres_url: str):  # type: ignore[no-untyped-def]
    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


def test_a_second_host_reads_what_the_first_stored(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    here = PostgresBlobStore(tmp_path / "host-a" / "blobs", engine)
    there = PostgresBlobStore(tmp_path / "host-b" / "blobs", engine)  # its own, empty data directory
    data = b"%PDF-1.4 " + bytes(range(256)) * 9000  # 2.3 MB: three chunks
    sha, size = here.put_stream(io.BytesIO(data))
    assert size == len(data)
    with engine.connect() as c:
        assert c.scalar(select(BlobObject.chunks).where(BlobObject.key == sha)) == 3
        assert c.scalar(select(func.count()).select_from(BlobChunk).where(BlobChunk.key == sha)) == 3

    assert not (tmp_path / "host-b").exists()
    assert there.path(sha).read_bytes() == data  # downloaded on first use, into host b's cache
    assert there.exists(sha) and there.exists(sha)
    assert not there.exists("0" * 64)
    assert not there.path("0" * 64).exists()  # no such blob: nothing is made up
    assert here.put_stream(io.BytesIO(data)) == (sha, size)  # the same file again: stored once
    with engine.connect() as c:
        assert c.scalar(select(func.count()).select_from(BlobObject)) == 1


def test_a_damaged_chunk_is_never_handed_out(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sha, _ = PostgresBlobStore(tmp_path / "a", engine).put_stream(io.BytesIO(b"original letter"))
    with engine.begin() as c:
        c.execute(BlobChunk.__table__.update().where(BlobChunk.key == sha).values(data=b"tampered letter"))
    there = PostgresBlobStore(tmp_path / "b", engine)
    with pytest.raises(OSError, match="does not match"):
        there.path(sha)
    assert not list((tmp_path / "b").rglob(sha))


def test_derived_files_are_published_fetched_and_dropped(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sha = "ab" * 32
    worker = PostgresBlobStore(tmp_path / "worker" / "blobs", engine)
    api = PostgresBlobStore(tmp_path / "api" / "blobs", engine)
    for i in (0, 1):
        page = worker.derived_path(sha, f"pages/page-{i:05d}.pdf")
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_bytes(f"page {i}".encode())
        worker.publish(sha, f"pages/page-{i:05d}.pdf")
    # The process joining the pages (another host) gets them all.
    joined = api.fetch_dir(sha, "pages")
    assert sorted(p.read_text() for p in joined.glob("page-*.pdf")) == ["page 0", "page 1"]
    api.drop(sha, "pages")
    assert not joined.exists()
    assert PostgresBlobStore(tmp_path / "third" / "blobs", engine).fetch_dir(sha, "pages").exists() is False

    assert api.fetch(sha, "searchable.pdf") is None
    out = worker.derived_path(sha, "searchable.pdf")
    out.write_bytes(b"%PDF searchable")
    worker.publish(sha, "searchable.pdf")
    fetched = api.fetch(sha, "searchable.pdf")
    assert fetched is not None and fetched.read_bytes() == b"%PDF searchable"


def test_copy_between_backends_both_ways_and_again(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = BlobStore(tmp_path / "old" / "blobs")
    shas = [folder.put_bytes(f"brev {i}".encode()) for i in range(3)]
    pdf = folder.derived_path(shas[0], "searchable.pdf")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(b"%PDF text layer")
    (folder.derived_path(shas[0], "p0-w1100-r0.png")).write_bytes(b"a cached render: not copied")

    pg = PostgresBlobStore(tmp_path / "new" / "blobs", engine)
    assert copy_blobs(folder, pg) == (4, 0)
    assert copy_blobs(folder, pg) == (0, 4)  # safe to run again
    assert sorted(pg.list_keys()) == sorted([*shas, f"{shas[0]}.searchable.pdf"])

    back = BlobStore(tmp_path / "back" / "blobs")
    assert copy_blobs(PostgresBlobStore(tmp_path / "cache" / "blobs", engine), back) == (4, 0)
    assert [back.path(s).read_bytes() for s in shas] == [f"brev {i}".encode() for i in range(3)]
    assert back.fetch(shas[0], "searchable.pdf") is not None


def test_settings_refuse_the_postgres_backend_on_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    from services.core.settings import Settings

    monkeypatch.setenv("POSTHANTERING_BLOB_BACKEND", "postgres")
    with pytest.raises(ValueError, match="PostgreSQL"):
        Settings()


def test_a_hosts_cache_is_pruned_of_old_copies_the_database_holds(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The local folders are only a cache on this backend: copies unused for the set time go (the next
    use downloads them again); a file written here and not yet published, and a fresh copy, stay."""
    import os
    import time

    host = PostgresBlobStore(tmp_path / "host" / "blobs", engine)
    old_sha, _ = host.put_stream(io.BytesIO(b"an old letter"))
    new_sha, _ = host.put_stream(io.BytesIO(b"a letter read just now"))
    published = host.derived_path(old_sha, "searchable.pdf")
    published.parent.mkdir(parents=True, exist_ok=True)
    published.write_bytes(b"%PDF searchable")
    host.publish(old_sha, "searchable.pdf")
    unpublished = host.derived_path(old_sha, "pages/page-00000.png")  # work in progress, only here
    unpublished.parent.mkdir(parents=True, exist_ok=True)
    unpublished.write_bytes(b"render")
    partial = host.root / ".download-abc"
    partial.write_bytes(b"half")
    day_ago = time.time() - 86400
    for p in (host.path(old_sha), published, unpublished, partial, host._local(new_sha)):
        os.utime(p, (day_ago, day_ago))
    host.path(new_sha)  # used now: marked fresh

    assert host.prune_cache(3600) == 3
    assert not host._local(old_sha).exists() and not published.exists() and not partial.exists()
    assert unpublished.exists() and host._local(new_sha).exists()
    assert host.path(old_sha).read_bytes() == b"an old letter"  # downloaded again when needed
    assert host.fetch(old_sha, "searchable.pdf") is not None
    assert BlobStore(tmp_path / "folder").prune_cache(0) == 0  # the folder backend is the store itself
