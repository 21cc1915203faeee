from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

DONE_STATES = {"routed", "needs_review", "quarantined", "failed", "acknowledged"}


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.5, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def wait_for_items(base_url: str, token: str, ids: list[int], timeout: float = 300) -> dict[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"}
    results: dict[int, dict[str, Any]] = {}

    def all_done() -> bool:
        for i in ids:
            if i in results:
                continue
            body = httpx.get(f"{base_url}/api/v1/mail/{i}", headers=headers, timeout=10).json()
            if body["state"] in DONE_STATES:
                results[i] = body
        return len(results) == len(ids)

    wait_until(all_done, timeout, what=f"items {ids} to finish")
    return results
