from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from services.core.blobs import BlobStore, sha256_file
from services.core.logging import configure_logging
from services.core.pii import luhn_ok, mask_personnummer


def test_luhn() -> None:
    assert luhn_ok("8112189876")
    assert not luhn_ok("8112189875")


def test_mask_only_valid_personnummer() -> None:
    text = "Sökande 19811218-9876, fel nummer 811218-9875, telefon 070-3189247"
    masked = mask_personnummer(text)
    assert "9876" not in masked
    assert "19811218-XXXX" in masked
    assert "811218-9875" in masked  # fails the Luhn check: not a personnummer
    assert "070-3189247" in masked


def test_personnummer_never_reaches_the_log(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    logging.getLogger("t").warning("handling %s", "811218-9876")
    err = capsys.readouterr().err
    assert "811218-XXXX" in err
    assert "9876" not in err


def test_blob_store_is_content_addressed_and_atomic(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    sha, size = store.put_stream(io.BytesIO(b"hello"))
    assert size == 5
    assert store.path(sha).read_bytes() == b"hello"
    assert sha256_file(store.path(sha)) == sha
    assert store.put_stream(io.BytesIO(b"hello"))[0] == sha
    with pytest.raises(OverflowError):
        store.put_stream(io.BytesIO(b"x" * 100), max_bytes=10)
    assert not [p for p in (tmp_path / "blobs").iterdir() if p.name.startswith(".incoming")]
