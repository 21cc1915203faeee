from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from services.core.db import session_scope
from services.core.events import record
from services.core.models import User
from services.metering import operations
from services.metering.baseline import DEFAULT_MODEL
from tests.metering.helpers import add_events, at


def _routed(item_id: int, human: float = 0.0, actor: str = "system:worker", src: str = "classified") -> None:
    with session_scope() as s:
        record(s, item_id=item_id, actor=actor, action="routed", from_state=src, to_state="routed", human_seconds=human)


def _scanned_and_routed(item_id: int, day: str) -> None:
    """received -> extracted -> routed by the machine on `day`."""
    when = at(day, 9)
    add_events(
        item_id,
        (when, "received", None, "received", "system:api", 0, 0),
        (when + timedelta(minutes=1), "extracted", "received", "extracted", "system:worker", 0, 2.0),
        (when + timedelta(minutes=2), "routed", "classified", "routed", "system:worker", 0, 0.1),
    )


def test_dashboard_page_charts_and_access(
    client: Any, make_user: Callable[..., User], auth: Callable[[User], dict[str, str]], make_item: Callable[..., int]
) -> None:
    admin, viewer = make_user("admin", "admin"), make_user("viewer", "viewer")
    dept = make_user("d", "department", ["KS"])
    r = client.put("/api/v1/roi/model", json=dict(DEFAULT_MODEL, investment=1000, hourly_rate=600), headers=auth(admin))
    assert r.status_code == 200
    for n, day in enumerate(("2024-03-04", "2024-03-05", "2024-03-06")):
        _scanned_and_routed(make_item(state="routed", department_code="KS" if n else "SBN"), day)
    page = client.get("/ui/roi", headers=auth(viewer))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    # weekly, payback, departments, flows (before/after), sensitivity (tornado); each carries period and version
    assert html.count("<svg") == 5
    # open period: the first and last day with handled mail
    assert html.count("Period 2024-03-04 – 2024-03-06 · kalkylmodell version 1</text>") == 5
    # the app's navigation, with the ROI page marked as the current one
    assert 'aria-label="Huvudmeny"' in html and 'href="/ui/roi" aria-current="page"' in html
    # 3 items x (8.5 - 3 register not exported = 5.5 removed - 0.95 after) = 13.65 min x 10 kr/min = 136.50 kr
    assert "136,50" in html and "Kalkylmodellens antaganden (version 1)" in html
    assert "Registrera i diariet" in html and "0 av 3" in html  # the register step was never removed
    # three days of data: provisional, a range instead of one number, no single payback point
    assert "Preliminär prognos." in html and "Återbetald efter" not in html
    assert 'href="/ui/roi/report.csv"' in html and 'href="/ui/roi/report.json"' in html
    assert 'href="/ui/roi/report.pdf"' in html
    assert "600,00 kr/h (fast)" in html and "Så räknas det" in html and "borttagna manuella" not in html
    assert client.get("/ui/roi").status_code == 401
    assert client.get("/ui/roi", headers=auth(dept)).status_code == 403
    exported = client.get("/ui/roi/report.csv?from=2000-01-01", headers=auth(viewer))
    assert exported.status_code == 200 and exported.text.startswith("model_version,")
    assert client.get("/ui/roi/report.json", headers=auth(viewer)).json()["kronor_saved"] == 136.5


def test_dashboard_with_four_weeks_shows_one_projection(
    client: Any, make_user: Callable[..., User], auth: Callable[[User], dict[str, str]], make_item: Callable[..., int]
) -> None:
    admin, viewer = make_user("admin", "admin"), make_user("viewer", "viewer")
    r = client.put("/api/v1/roi/model", json=dict(DEFAULT_MODEL, investment=100, hourly_rate=600), headers=auth(admin))
    assert r.status_code == 200
    for day in ("2024-03-04", "2024-03-31"):  # 28 days of data
        _scanned_and_routed(make_item(state="routed", department_code="KS"), day)
    html = client.get("/ui/roi", headers=auth(viewer)).text
    assert "Preliminär" not in html and "Återbetald efter" in html


def test_pdf_one_pager(
    client: Any, make_user: Callable[..., User], auth: Callable[[User], dict[str, str]], make_item: Callable[..., int]
) -> None:
    import pypdfium2 as pdfium

    viewer = make_user("viewer", "viewer")
    for day in ("2024-03-04", "2024-03-05"):
        _scanned_and_routed(make_item(state="routed", department_code="KS"), day)
    for url in (
        "/ui/roi/report.pdf?from=2024-03-01&to=2024-03-31",
        "/api/v1/roi/report.pdf?from=2024-03-01&to=2024-03-31",
    ):
        r = client.get(url, headers=auth(viewer))
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        pdf = pdfium.PdfDocument(r.content)
        assert len(pdf) == 1  # one page, for a decision memo
        text = pdf[0].get_textpage().get_text_range()
        assert "Period 2024-03-01 – 2024-03-31 · kalkylmodell version 0" in text
        assert "Preliminär prognos." in text and "Flöden, mest resurskrävande först" in text
        assert "Registrera i diariet" in text and "Känslighet" in text
    assert client.get("/api/v1/roi/report.pdf").status_code == 401
    audit = client.get("/api/v1/roi/items", params={"from": "2024-03-01"}, headers=auth(viewer)).json()
    # each: removed 5.5 (no export), after-steps 0.95, nothing measured -> 4.55 of 8.5 min = 53.53 %
    assert [i["saved_minutes"] for i in audit["items"]] == [4.55, 4.55] and audit["model_version"] == 0
    assert audit["items"][0]["saved_share"] == 0.5353 and "register" not in audit["items"][0]["removed_steps"]


def test_csv_and_what_if_endpoints(
    client: Any, make_user: Callable[..., User], auth: Callable[[User], dict[str, str]], make_item: Callable[..., int]
) -> None:
    viewer = make_user("viewer", "viewer")
    _routed(make_item(state="routed", department_code="KS"))  # auto: only delivery 1.5 removed - 0.95 = 0.55 min
    _routed(make_item(state="routed", department_code="SN"), human=150, actor="user:9:reg", src="needs_review")
    r = client.get("/api/v1/roi/report.csv", headers=auth(viewer))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    sections = [row["section"] for row in rows]
    assert sections == ["total", "flow", "flow", "week", "department", "department", "doc_type"]
    assert {row["key"] for row in rows if row["section"] == "department"} == {"KS", "SN"}
    # what-if: 1000 items a year, all auto-routed: 1000 x 0.55 min = 9.17 h
    w = client.get("/api/v1/roi/what-if", params={"volume": 1000, "auto_rate": 1}, headers=auth(viewer)).json()
    assert w["hours_saved_per_year"] == 9.17 and w["model_version"] == 0
    rep = client.get("/api/v1/roi/report", params={"what_if_auto_rate": 0}, headers=auth(viewer)).json()
    assert rep["what_if"]["saved_minutes_per_manual_item"] == -1.95  # 0.55 - 150 s
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
