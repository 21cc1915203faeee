"""A real local HTTP receiver standing in for a diarium's webhook endpoint: answers each POST with the
next scripted (status, body, delay) and keeps what it got."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Script:
    answers: list[tuple[int, str, float]] = field(default_factory=list)  # (status, body, seconds to wait)
    got: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def answer(self, status: int, body: str = "{}", delay: float = 0.0, times: int = 1) -> Script:
        self.answers.extend([(status, body, delay)] * times)
        return self


@contextmanager
def diarium_receiver() -> Iterator[tuple[str, Script]]:
    """(url, script): unscripted requests are answered 200."""
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            script.got.append((dict(self.headers), body))
            status, text, delay = script.answers.pop(0) if script.answers else (200, "{}", 0.0)
            if delay:
                time.sleep(delay)
            data = text.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up waiting (a timeout test)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/diarium", script
    finally:
        server.shutdown()
        server.server_close()
