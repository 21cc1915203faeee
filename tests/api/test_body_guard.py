"""Issue 9.2: an upload is refused before its body is read (real uvicorn, raw sockets)."""

from __future__ import annotations

import select
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from services.core.models import User
from services.core.settings import get_settings, reset_settings
from tests.support.live_app import live_app

GIB = 1024**3


@pytest.fixture
def server(database: None, enqueued: list, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, int]]:
    monkeypatch.setenv("POSTHANTERING_MAX_UPLOAD_BYTES", str(256 * 1024))
    reset_settings()
    with live_app() as addr:
        yield addr


def _head(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: test", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode()


def _status(sock: socket.socket) -> int:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return int(data.split(b" ", 2)[1])


def _declared(addr: tuple[str, int], path: str, length: int, headers: dict[str, str]) -> int:
    """Send only the headers of a huge body (and 64 KiB of it); the answer must come without the rest."""
    with socket.create_connection(addr, timeout=5) as sock:
        ctype = "multipart/form-data; boundary=xyz"
        sock.sendall(_head(path, {"Content-Type": ctype, "Content-Length": str(length), **headers}))
        sock.sendall(b"--xyz\r\n" + b"x" * 65536)
        return _status(sock)


def _leftovers() -> list[Path]:
    blobs = get_settings().blob_dir
    return [p for p in blobs.rglob("*") if p.is_file()] if blobs.exists() else []


def test_unauthenticated_gigabyte_is_refused_before_the_body(
    server: tuple[str, int], make_user: Callable[..., User]
) -> None:
    dept = make_user("dept", "department", ["SBN"])
    assert _declared(server, "/api/v1/mail", GIB, {}) == 401
    assert _declared(server, "/api/v1/mail", GIB, {"Authorization": "Bearer ph_nonsense"}) == 401
    assert _declared(server, "/api/v1/mail", GIB, {"Authorization": f"Bearer {dept.token}"}) == 403  # type: ignore[attr-defined]
    assert _declared(server, "/ui/ladda-upp", GIB, {}) == 401
    assert _declared(server, "/api/v1/cases/import", GIB, {}) == 401
    assert _leftovers() == []


def test_declared_length_above_the_limit_is_413_at_once(
    server: tuple[str, int], make_user: Callable[..., User]
) -> None:
    reg = make_user("reg", "registrar")
    auth = {"Authorization": f"Bearer {reg.token}"}  # type: ignore[attr-defined]
    assert _declared(server, "/api/v1/mail", GIB, auth) == 413
    assert _declared(server, "/api/v1/mail/1/route", 10 * 1024 * 1024, auth) == 413  # small-body routes too
    assert _leftovers() == []


def test_chunked_body_is_counted_and_stopped_at_the_limit(
    server: tuple[str, int], make_user: Callable[..., User]
) -> None:
    reg = make_user("reg", "registrar")
    headers = {
        "Authorization": f"Bearer {reg.token}",  # type: ignore[attr-defined]
        "Content-Type": "multipart/form-data; boundary=xyz",
        "Transfer-Encoding": "chunked",
    }
    sent = 0
    with socket.create_connection(server, timeout=5) as sock:
        sock.sendall(_head("/api/v1/mail", headers))
        part = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'
        sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
        chunk = b"%PDF-1.4 " + b"x" * 16375
        try:
            while sent < 64 * 1024 * 1024:  # 256x the limit: the server must stop us long before
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
                if select.select([sock], [], [], 0)[0]:
                    break  # answered while we were still sending
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass
        assert _status(sock) == 413
    assert sent < 64 * 1024 * 1024
    assert _leftovers() == []
