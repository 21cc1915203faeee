"""A real uvicorn server for the app, in a thread of the test process (for tests that need real sockets)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


@contextmanager
def live_app(**config: Any) -> Iterator[tuple[str, int]]:
    from services.api.app import create_app

    options: dict[str, Any] = {"host": "127.0.0.1", "port": 0, "log_level": "warning", "lifespan": "off", **config}
    srv = uvicorn.Server(uvicorn.Config(create_app(), **options))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not (srv.started and srv.servers):
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    host, port = srv.servers[0].sockets[0].getsockname()[:2]
    try:
        yield host, port
    finally:
        srv.should_exit = True
        thread.join(10)
