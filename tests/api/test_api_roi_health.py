from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.core.db import session_scope
from services.core.events import record
from services.core.models import User
from services.metering.baseline import DEFAULT_MODEL


def test_healthz_and_openapi(client: Any) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "Posthantering"
    assert "/api/v1/mail/{item_id}/route" in spec["paths"]


def test_metrics(client: Any, make_item: Callable[..., int]) -> None:
    make_item(state="routed", department_code="KS")
    make_item(state="routed", department_code="KS")
    make_item(state="needs_review")
    client.get("/healthz")
    text = client.get("/metrics").text
    assert 'posthantering_mail_items{state="routed"} 2.0' in text
    assert 'posthantering_mail_items{state="needs_review"} 1.0' in text
    assert 'posthantering_mail_items{state="acknowledged"} 0.0' in text
    assert "posthantering_database_up 1.0" in text
    assert 'posthantering_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in text


def test_roi_model_and_report(
    client: Any, make_user: Callable[..., User], auth: Callable[[User], dict[str, str]], make_item: Callable[..., int]
) -> None:
    admin, viewer = make_user("admin", "admin"), make_user("viewer", "viewer")
    m = client.get("/api/v1/roi/model", headers=auth(viewer)).json()
    assert m["version"] == 0 and m["derived"]["baseline_minutes"] == 8.5
    # the shape: before and after step lists at the top level
    assert [s["key"] for s in m["before"]["steps"]][:3] == ["open_sort", "date_stamp", "register"]
    assert m["before"]["steps"][2]["removed_by"] == ["registration_exported"]
    assert {s["measured_by"] for s in m["after"]["steps"]} >= {"registry", "department", "scanner"}
    r = client.put("/api/v1/roi/model", json=dict(DEFAULT_MODEL, monthly_salary=42600, markup=1.5), headers=auth(admin))
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 1 and r.json()["created_by"] == f"user:{admin.id}:admin"
    bad = client.put("/api/v1/roi/model", json=dict(DEFAULT_MODEL, before={"steps": []}), headers=auth(admin))
    assert bad.status_code == 422

    iid = make_item(state="routed", department_code="KS")
    with session_scope() as s:
        record(
            s,
            item_id=iid,
            actor="user:9:reg",
            action="routed",
            from_state="needs_review",
            to_state="routed",
            human_seconds=90,
        )
    r = client.get("/api/v1/roi/report", params={"from": "2000-01-01", "to": "2999-12-31"}, headers=auth(viewer))
    assert r.status_code == 200, r.text
    rep = r.json()
    # only internal delivery was done by the service (routed): 1.5 - 0.95 after-steps - 1.5 measured = -0.95 min
    # -0.95/60 h x 42600/142 x 1.5 = -0.95/60 x 450 = -7.125 -> -7.13 kr
    assert rep["model_version"] == 1 and rep["items_handled"] == 1
    assert rep["hours_saved"] == -0.02 and rep["kronor_saved"] == -7.13
    assert rep["projection"]["provisional"] is True and rep["flows"][0]["key"] == "-|upload|KS"
    assert client.get("/api/v1/roi/report?from=2024-02-30", headers=auth(viewer)).status_code == 422
    assert client.get("/api/v1/roi/report?from=2024-03-02&to=2024-03-01", headers=auth(viewer)).status_code == 422
