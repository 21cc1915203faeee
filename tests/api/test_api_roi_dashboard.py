from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from services.core.db import session_scope
from services.core.events import record
from services.core.models import User
from services.metering import operations
from services.metering.baseline import DEFAULT_MODEL


def _routed(item_id: int, human: float = 0.0, actor: str = "system:worker", src: str = "classified") -> None:
    with session_scope() as s:
        record(s, item_id=item_id, actor=actor, action="routed", from_state=src, to_state="routed", human_seconds=human)


def test_dashboard_page_charts_and_access(
    client: Any, make_user: Callable[..., User], auth: Callable[[User], dict[str, str]], make_item: Callable[..., int]
) -> None:
    admin, viewer = make_user("admin", "admin"), make_user("viewer", "viewer")
    dept = make_user("d", "department", ["KS"])
    r = client.put("/api/v1/roi/model", json=dict(DEFAULT_MODEL, investment=1000, hourly_rate=600), headers=auth(admin))
    assert r.status_code == 200
    for n in range(3):
        _routed(make_item(state="routed", department_code="KS" if n else "SBN"))
    page = client.get("/ui/roi", headers=auth(viewer))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert html.count("<svg") == 3
    # 3 items x 8.5 min x 10 kr/min = 255 kr saved, in the KPI and the per-department chart
    assert "255 kr" in html and "Kalkylmodellens antaganden (version 1)" in html
    assert "Återbetald efter" in html  # payback point marked on the cumulative chart
    assert 'href="/ui/roi/report.csv"' in html and 'href="/ui/roi/report.json"' in html
    assert "600,00 kr/h (fast)" in html
    assert client.get("/ui/roi").status_code == 401
    assert client.get("/ui/roi", headers=auth(dept)).status_code == 403
    exported = client.get("/ui/roi/report.csv?from=2000-01-01", headers=auth(viewer))
    assert exported.status_code == 200 and exported.text.startswith("model_version,")
    assert client.get("/ui/roi/report.json", headers=auth(viewer)).json()["kronor_saved"] == 255.0


def test_csv_and_what_if_endpoints(
    client: Any, make_user: Callable[..., User], auth: Callable[[User], dict[str, str]], make_item: Callable[..., int]
) -> None:
    viewer = make_user("viewer", "viewer")
    _routed(make_item(state="routed", department_code="KS"))  # auto: 8.5 min saved
    _routed(make_item(state="routed", department_code="SN"), human=150, actor="user:9:reg", src="needs_review")
    r = client.get("/api/v1/roi/report.csv", headers=auth(viewer))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["section"] for row in rows] == ["total", "week", "department", "department", "doc_type"]
    assert {row["key"] for row in rows if row["section"] == "department"} == {"KS", "SN"}
    # what-if: 1000 items a year, all auto-routed: 1000 x 8.5 min = 141.67 h
    w = client.get("/api/v1/roi/what-if", params={"volume": 1000, "auto_rate": 1}, headers=auth(viewer)).json()
    assert w["hours_saved_per_year"] == 141.67 and w["model_version"] == 0
    rep = client.get("/api/v1/roi/report", params={"what_if_auto_rate": 0}, headers=auth(viewer)).json()
    assert rep["what_if"]["saved_minutes_per_manual_item"] == 6.0  # 8.5 - 150 s
    bad = client.get("/api/v1/roi/report", params={"what_if_auto_rate": 2}, headers=auth(viewer))
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_what_if"


def test_metrics_operations(client: Any, make_item: Callable[..., int], monkeypatch: pytest.MonkeyPatch) -> None:
    item = make_item(state="extracted", pages=3)  # three OCR'd pages
    with session_scope() as s:
        for secs in (0.2, 3.0):
            record(s, item_id=item, actor="system:worker", action="extracted", machine_seconds=secs)
        record(s, item_id=item, actor="system:worker", action="classified", machine_seconds=0.07)
    text = client.get("/metrics").text
    assert 'posthantering_step_seconds_bucket{le="0.25",step="extracted"} 1.0' in text
    assert 'posthantering_step_seconds_bucket{le="5.0",step="extracted"} 2.0' in text
    assert 'posthantering_step_seconds_count{step="extracted"} 2.0' in text
    assert 'posthantering_step_seconds_sum{step="extracted"} 3.2' in text
    assert 'posthantering_step_seconds_bucket{le="0.1",step="classified"} 1.0' in text
    assert 'posthantering_pages_extracted_total{method="ocr"} 3.0' in text
    # 3 pages joined with the two recent 'extracted' events = 6 page-rows / 300 s
    assert "posthantering_ocr_pages_per_second 0.02" in text
    # the embedded broker has sent nothing yet: no kombu tables, every queue 0
    assert "posthantering_queue_up 1.0" in text and 'posthantering_queue_depth{queue="ocr"} 0.0' in text
    # a broker that does not answer: the scrape still succeeds
    from services.core.settings import reset_settings

    monkeypatch.setenv("BROKER_URL", "redis://127.0.0.1:9/0")
    reset_settings()
    r = client.get("/metrics")
    assert r.status_code == 200 and "posthantering_queue_up 0.0" in r.text and "posthantering_mail_items" in r.text


def test_queue_depth_sqlalchemy_transport(tmp_path: Path) -> None:
    db = tmp_path / "broker.db"
    con = sqlite3.connect(db)
    con.executescript(
        "CREATE TABLE kombu_queue (id INTEGER PRIMARY KEY, name VARCHAR(200));"
        "CREATE TABLE kombu_message (id INTEGER PRIMARY KEY, visible BOOLEAN, payload TEXT, queue_id INTEGER);"
        "INSERT INTO kombu_queue VALUES (1, 'ocr'), (2, 'default');"
        "INSERT INTO kombu_message VALUES (1, 1, 'a', 1), (2, 1, 'b', 1), (3, 0, 'held', 1), (4, 1, 'c', 2);"
    )
    con.commit()
    con.close()
    assert operations.queue_depth(f"sqla+sqlite:///{db}") == {"ocr": 2, "default": 1}
    assert operations.queue_depth("amqp://guest@localhost//") is None


def test_queue_depth_redis(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.rpush("ocr", "m1", "m2")
    client.rpush("ocr\x06\x163", "m3")  # a priority-3 message, kept by kombu in a sibling list
    client.rpush("default", "m4")
    assert operations.queue_depth(redis_url) == {"ocr": 3, "default": 1}
