from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from services.core.db import session_scope
from services.core.events import record
from services.core.models import User

Auth = Callable[[User], dict[str, str]]


def test_registry_retries_a_failed_item_back_to_the_failed_step(
    client: Any,
    make_user: Callable[..., User],
    auth: Auth,
    make_item: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[tuple[int, str]] = []
    monkeypatch.setattr("workers.dispatch.enqueue_for_state", lambda i, s: sent.append((i, str(s))) or True)
    reg, sbn = make_user("reg", "registrar"), make_user("sbn", "department", ["SBN"])
    iid = make_item(state="failed", state_reason="classify.classify: ValueError")
    with session_scope() as s:
        record(s, item_id=iid, actor="system:worker", action="failed", from_state="extracted", to_state="failed")

    assert client.post(f"/api/v1/mail/{iid}/retry", headers=auth(sbn)).status_code == 403
    r = client.post(f"/api/v1/mail/{iid}/retry", headers=auth(reg))
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "extracted"
    assert r.json()["state_reason"] is None
    assert sent == [(iid, "extracted")]
    # Not failed any more: a second retry is a conflict, and nothing more is sent.
    assert client.post(f"/api/v1/mail/{iid}/retry", headers=auth(reg)).status_code == 409
    assert len(sent) == 1
