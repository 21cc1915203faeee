"""Rules CRUD, case import, model versions and the discard tray through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.core.models import User


def _auth(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.token}"}  # type: ignore[attr-defined]


def test_rules_crud_is_admin_only_and_validated(client: Any, make_user: Callable[..., User]) -> None:
    admin, reg = make_user("admin", "admin"), make_user("reg", "registrar")
    body = {"kind": "sender", "pattern": "Migrationsverket", "department": "OFN"}
    assert client.post("/api/v1/rules", json=body, headers=_auth(reg)).status_code == 403
    created = client.post("/api/v1/rules", json=body, headers=_auth(admin))
    assert created.status_code == 201, created.text
    rule = created.json()
    assert (rule["department"], rule["priority"], rule["active"]) == ("OFN", 100, True)
    slow = client.post("/api/v1/rules", json={**body, "pattern": "(a+)+$", "is_regex": True}, headers=_auth(admin))
    assert slow.status_code == 422 and slow.json()["error"] == "invalid_rule"
    patched = client.patch(f"/api/v1/rules/{rule['id']}", json={"active": False}, headers=_auth(admin))
    assert patched.json()["active"] is False
    assert [r["id"] for r in client.get("/api/v1/rules", headers=_auth(reg)).json()] == [rule["id"]]
    assert client.delete(f"/api/v1/rules/{rule['id']}", headers=_auth(admin)).status_code == 204
    assert client.get(f"/api/v1/rules/{rule['id']}", headers=_auth(admin)).status_code == 404


def test_case_import_and_list(client: Any, make_user: Callable[..., User]) -> None:
    admin = make_user("admin", "admin")
    csv_bytes = b"number,department,title\nDnr SBN 2024/0312,SBN,Garage\nbad,SBN,x\n"
    r = client.post("/api/v1/cases/import", files={"file": ("cases.csv", csv_bytes, "text/csv")}, headers=_auth(admin))
    assert r.status_code == 200, r.text
    assert r.json()["added"] == 1 and len(r.json()["skipped"]) == 1
    listed = client.get("/api/v1/cases", headers=_auth(admin)).json()
    assert listed["items"][0]["number"] == "SBN 2024/0312" and listed["total"] == 1
    bad = client.post(
        "/api/v1/cases/import", files={"file": ("x.csv", b"a,b\n1,2\n", "text/csv")}, headers=_auth(admin)
    )
    assert bad.status_code == 422


def test_models_list_and_unknown_activation(client: Any, make_user: Callable[..., User]) -> None:
    admin = make_user("admin", "admin")
    assert client.get("/api/v1/models", headers=_auth(admin)).json() == []
    assert client.post("/api/v1/models/nope/activate", headers=_auth(admin)).status_code == 404


def test_discard_tray_and_confirmation(
    client: Any, make_user: Callable[..., User], make_item: Callable[..., int]
) -> None:
    reg = make_user("reg", "registrar")
    ad = make_item(state="needs_review", suggested_department="INGEN", reasons={"tray": "discard"})
    other = make_item(state="needs_review", suggested_department="SBN")
    tray = client.get("/api/v1/mail?tray=discard", headers=_auth(reg)).json()
    assert [i["id"] for i in tray["items"]] == [ad]
    assert client.get("/api/v1/mail?tray=nope", headers=_auth(reg)).status_code == 422
    r = client.post(f"/api/v1/mail/{ad}/discard", headers=_auth(reg))
    assert r.status_code == 200 and r.json()["state"] == "discarded"
    bulk = client.post("/api/v1/mail/discard", json={"ids": [ad, other]}, headers=_auth(reg)).json()
    assert bulk == {"discarded": [other], "skipped": [ad]}
