"""Issue 12: hostile typed fields (the unopened-envelope intake, a registrar's corrections) are stored or
refused, never a 500, and never stored so that every later read of the record fails."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest


@pytest.mark.parametrize(
    "change",
    [
        {"subject": "Anbud\x00 – nolltecken"},
        {"subject": "Anbud \ud800 halvt tecken"},
        {"sender_name": "x" * 5000},
        {"subject": "Anbud – 😀 emoji och 中文"},
        {"letter_date": "2025-02-30"},
        {"human_seconds": -1},
        {"human_seconds": 1e300},
        {"sender_kind": "robot"},
        {"arrival_date": "2999-01-01", "arrival_reason": "framtid"},
    ],
)
def test_never_a_server_error(
    client: Any,
    make_user: Callable[..., Any],
    auth: Callable[..., dict[str, str]],
    exports: list[int],
    change: dict[str, Any],
) -> None:
    registrar = make_user("rita", "registrar")
    body = {"department": "KS", "kind": "anbud", "procurement": "Skolmat", **change}
    raw = json.dumps(body)  # ASCII with \u escapes: a lone surrogate reaches the server as JSON sends it
    headers = {**auth(registrar), "Content-Type": "application/json"}
    r = client.post("/api/v1/registrations/unopened", content=raw, headers=headers)
    assert r.status_code in (201, 422), r.text


def test_a_lone_surrogate_in_a_correction_is_dropped(
    client: Any, make_user: Callable[..., Any], auth: Callable[..., dict[str, str]], exports: list[int]
) -> None:
    registrar = make_user("rita", "registrar")
    headers = {**auth(registrar), "Content-Type": "application/json"}
    body = json.dumps({"department": "KS", "kind": "anbud", "procurement": "Skolmat"})
    item_id = client.post("/api/v1/registrations/unopened", content=body, headers=headers).json()["id"]
    raw = json.dumps({"fields": {"their_ref": "AB-\ud800-1\u0000"}})
    r = client.put(f"/api/v1/mail/{item_id}/registration", content=raw, headers=headers)
    assert r.status_code == 200, r.text
    again = client.get(f"/api/v1/mail/{item_id}/registration", headers=auth(registrar))
    assert again.status_code == 200 and again.json()["fields"]["their_ref"]["value"] == "AB--1"
