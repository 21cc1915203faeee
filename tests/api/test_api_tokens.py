"""Issue 9.4: API tokens listed and revoked over HTTP (admin: all, others: their own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.core.models import User


def test_list_and_revoke_tokens(client: Any, make_user: Callable[..., User], auth: Any) -> None:
    admin, rita, bo = make_user("ada", "admin"), make_user("rita", "registrar"), make_user("bo", "viewer")
    everyone = client.get("/api/v1/tokens", headers=auth(admin)).json()
    assert {t["user"] for t in everyone} == {"ada", "rita", "bo"}
    assert all(t["state"] == "active" and t["expires_at"] for t in everyone)
    own = client.get("/api/v1/tokens", headers=auth(rita)).json()
    assert [t["user"] for t in own] == ["rita"]
    assert client.get("/api/v1/tokens?user=bo", headers=auth(rita)).status_code == 403
    bos = next(t for t in everyone if t["user"] == "bo")
    assert client.post(f"/api/v1/tokens/{bos['id']}/revoke", headers=auth(rita)).status_code == 404  # not hers
    r = client.post(f"/api/v1/tokens/{bos['id']}/revoke", headers=auth(admin))
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    assert client.get("/api/v1/departments", headers=auth(bo)).status_code == 401
