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
    r = client.put("/api/v1/roi/model", json=dict(DEFAULT_MODEL, monthly_salary=42600, markup=1.5), headers=auth(admin))
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 1 and r.json()["created_by"] == f"user:{admin.id}:admin"
    bad = client.put("/api/v1/roi/model", json=dict(DEFAULT_MODEL, steps=[]), headers=auth(admin))
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
    # (8.5 - 1.5) min = 7/60 h; 7/60 x 42600/142 x 1.5 = 7/60 x 450 = 52.50 kr
    assert rep["model_version"] == 1 and rep["items_handled"] == 1
    assert rep["hours_saved"] == 0.12 and rep["kronor_saved"] == 52.5
    assert client.get("/api/v1/roi/report?from=2024-02-30", headers=auth(viewer)).status_code == 422
    assert client.get("/api/v1/roi/report?from=2024-03-02&to=2024-03-01", headers=auth(viewer)).status_code == 422
