from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from services.core.db import session_scope
from services.core.models import Event, User

Auth = Callable[[User], dict[str, str]]


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "admin": make_user("admin", "admin"),
        "reg": make_user("reg", "registrar"),
        "sbn": make_user("sbn", "department", ["SBN"]),
        "sn": make_user("sn", "department", ["SN"]),
        "viewer": make_user("viewer", "viewer"),
    }


def test_auth_required(client: Any, people: dict[str, User], make_item: Callable[..., int]) -> None:
    iid = make_item()
    for headers in ({}, {"Authorization": "Bearer ph_wrong"}, {"Authorization": "Basic abc"}):
        r = client.get(f"/api/v1/mail/{iid}", headers=headers)
        assert r.status_code == 401, headers
        assert r.headers["www-authenticate"] == "Bearer"
        assert r.json()["error"] == "unauthorized"


def test_wrong_role_forbidden(client: Any, people: dict[str, User], auth: Auth, make_item: Callable[..., int]) -> None:
    iid = make_item(suggested_department="SBN")
    r = client.post(f"/api/v1/mail/{iid}/route", json={"department": "SBN"}, headers=auth(people["sbn"]))
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert client.put("/api/v1/roi/model", json={}, headers=auth(people["reg"])).status_code == 403
    assert client.get("/api/v1/roi/report", headers=auth(people["sbn"])).status_code == 403
    assert client.get("/api/v1/mail", headers=auth(people["viewer"])).status_code == 403
    files = {"file": ("a.txt", b"hej", "text/plain")}
    assert client.post("/api/v1/mail", files=files, headers=auth(people["sbn"])).status_code == 403


def test_route_ack_return_over_http(
    client: Any, people: dict[str, User], auth: Auth, make_item: Callable[..., int]
) -> None:
    iid = make_item(state="needs_review", suggested_department="SBN", text="Bygglov för 19121212-1212")
    r = client.post(
        f"/api/v1/mail/{iid}/route",
        json={"department": "SBN", "comment": "ok", "human_seconds": 33},
        headers=auth(people["reg"]),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "routed" and body["department"] == "SBN" and body["routed_at"]
    assert "19121212-XXXX" in body["text"] and "1212-1212" not in body["text"]

    # The other department neither sees nor acknowledges it.
    assert client.get(f"/api/v1/mail/{iid}", headers=auth(people["sn"])).status_code == 404
    assert client.post(f"/api/v1/mail/{iid}/acknowledge", headers=auth(people["sn"])).status_code == 404
    listed = client.get("/api/v1/mail", headers=auth(people["sn"])).json()
    assert listed == {"items": [], "total": 0, "limit": 50, "offset": 0}

    listed = client.get("/api/v1/mail?state=routed", headers=auth(people["sbn"])).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == iid
    assert "text" not in listed["items"][0] and "1212-1212" not in (listed["items"][0]["snippet"] or "")

    r = client.post(f"/api/v1/mail/{iid}/return", json={"comment": ""}, headers=auth(people["sbn"]))
    assert r.status_code == 422
    r = client.post(f"/api/v1/mail/{iid}/return", json={"comment": "Fel nämnd"}, headers=auth(people["sbn"]))
    assert r.status_code == 200 and r.json()["state"] == "returned"
    r = client.post(f"/api/v1/mail/{iid}/route", json={"department": "SBN"}, headers=auth(people["reg"]))
    assert r.status_code == 200
    r = client.post(f"/api/v1/mail/{iid}/acknowledge", json={"human_seconds": 4}, headers=auth(people["sbn"]))
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"

    r = client.post(f"/api/v1/mail/{iid}/acknowledge", headers=auth(people["sbn"]))
    assert r.status_code == 409
    assert r.json()["error"] == "state_conflict" and r.json()["state"] == "acknowledged"

    with session_scope() as s:
        evs = list(s.scalars(select(Event).where(Event.item_id == iid).order_by(Event.id)))
    assert [(e.action, e.actor, e.human_seconds) for e in evs] == [
        ("routed", f"user:{people['reg'].id}:reg", 33.0),
        ("returned", f"user:{people['sbn'].id}:sbn", 0.0),
        ("routed", f"user:{people['reg'].id}:reg", 0.0),
        ("acknowledged", f"user:{people['sbn'].id}:sbn", 4.0),
    ]


def test_validation_errors(client: Any, people: dict[str, User], auth: Auth, make_item: Callable[..., int]) -> None:
    iid = make_item()
    h = auth(people["reg"])
    assert client.post(f"/api/v1/mail/{iid}/route", json={"department": "INGEN"}, headers=h).status_code == 422
    r = client.post(f"/api/v1/mail/{iid}/route", json={"department": "KS", "human_seconds": -1}, headers=h)
    assert r.status_code == 422
    assert client.get("/api/v1/mail?state=nope", headers=h).status_code == 422
    assert client.get("/api/v1/mail/999999", headers=h).status_code == 404


def test_departments(client: Any, people: dict[str, User], auth: Auth) -> None:
    r = client.get("/api/v1/departments", headers=auth(people["viewer"]))
    assert r.status_code == 200
    by_code = {d["code"]: d for d in r.json()}
    assert by_code["SN"]["sensitive_by_default"] is True and by_code["INGEN"]["routable"] is False


def test_reroute_over_the_api_needs_a_reason(
    client: Any, people: dict[str, User], auth: Auth, make_item: Callable[..., int]
) -> None:
    """Moving a letter a department already has is logged with why, in the API as in the web UI."""
    iid = make_item()
    h = auth(people["reg"])
    assert client.post(f"/api/v1/mail/{iid}/route", json={"department": "SBN"}, headers=h).status_code == 200
    r = client.post(f"/api/v1/mail/{iid}/route", json={"department": "KS"}, headers=h)
    assert r.status_code == 422 and "reason" in r.json()["detail"]
    r = client.post(f"/api/v1/mail/{iid}/route", json={"department": "KS", "comment": "  "}, headers=h)
    assert r.status_code == 422
    r = client.post(f"/api/v1/mail/{iid}/route", json={"department": "KS", "comment": "Gäller bygglov"}, headers=h)
    assert r.status_code == 200 and r.json()["department"] == "KS"
