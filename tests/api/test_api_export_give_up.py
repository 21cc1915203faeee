"""Issue 12: the webhook export gives up. A receiver that refuses an item (4xx other than 408/429) is
not asked again: the export is marked failed with the reason, shown to the registry and counted in the
metrics, and a registrar can send it again by hand. 5xx and timeouts are retried with backoff up to a
number of tries or an age, then given up too. Against a real local HTTP receiver."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import img2pdf
import pytest
from PIL import Image

from services.core.blobs import get_blob_store
from services.core.db import session_scope
from services.core.models import Event, utcnow
from services.core.models_registration import RegistrationRecord
from services.core.settings import reset_settings
from services.export import service as export
from services.export.connectors import is_permanent
from tests.support.diarium_receiver import Script, diarium_receiver


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Script]:
    with diarium_receiver() as (url, script):
        monkeypatch.setenv("POSTHANTERING_EXPORT_CONNECTORS", "filedrop,webhook")
        monkeypatch.setenv("POSTHANTERING_EXPORT_DIR", str(tmp_path / "drop"))
        monkeypatch.setenv("POSTHANTERING_EXPORT_WEBHOOK_URL", url)
        monkeypatch.setenv("POSTHANTERING_EXPORT_WEBHOOK_SECRET", "hemligt")
        monkeypatch.setenv("POSTHANTERING_EXPORT_WEBHOOK_BACKOFF_SECONDS", "0.01")
        reset_settings()
        yield script


@pytest.fixture
def confirmed(make_item: Callable[..., int]) -> int:
    buf = io.BytesIO()
    Image.new("L", (200, 280), 255).save(buf, "PNG")
    sha = get_blob_store().put_bytes(img2pdf.convert(buf.getvalue()))
    item_id = make_item(text="Synpunkt på snöröjningen", state="routed", department_code="TN", sha256=sha)
    with session_scope() as s:
        s.add(
            RegistrationRecord(
                item_id=item_id,
                status="confirmed",
                fields={"subject": {"value": "Synpunkt på snöröjningen", "confidence": 1.0}},
                arrival_date=date(2025, 6, 19),
                export_pending=True,
            )
        )
    return item_id


def _record(item_id: int) -> RegistrationRecord:
    with session_scope() as s:
        rec = s.query(RegistrationRecord).filter_by(item_id=item_id).one()
        s.expunge(rec)
        return rec


def _deliver(item_id: int) -> bool:
    with session_scope() as s:
        return export.deliver(s, item_id)


def _pending() -> list[int]:
    with session_scope() as s:
        return export.pending_ids(s)


def test_which_answers_are_permanent() -> None:
    assert [c for c in (200, 204, 400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503) if is_permanent(c)] == [
        400, 401, 403, 404, 409, 413, 422
    ]  # fmt: skip


def test_a_refusal_is_given_up_at_once_shown_and_sent_again_by_hand(
    client: Any,
    make_user: Callable[..., Any],
    auth: Callable[..., dict[str, str]],
    confirmed: int,
    receiver: Script,
    exports: list[int],
) -> None:
    receiver.answer(422, '{"error": "Okänt diarienummer"}')

    assert _deliver(confirmed) is False
    assert len(receiver.got) == 1  # a refusal: not asked again in this round
    rec = _record(confirmed)
    assert rec.export_pending is False and rec.export_failed_at is not None
    assert "HTTP 422" in rec.export_failure and "Okänt diarienummer" in rec.export_failure
    assert confirmed not in _pending()  # nor by the periodic task
    assert _deliver(confirmed) is False and len(receiver.got) == 1
    with session_scope() as s:
        events = [e.detail for e in s.query(Event).filter_by(item_id=confirmed, action="registration_export_failed")]
    assert len(events) == 1 and events[0]["attempts"] == 1

    registrar = make_user("rita", "registrar")
    shown = client.get(f"/api/v1/mail/{confirmed}/registration", headers=auth(registrar)).json()
    assert shown["export"]["status"] == "failed" and shown["export"]["label"] == "Exporten misslyckades"
    assert shown["export"]["can_resend"] is True and "HTTP 422" in shown["export"]["reason"]
    assert [(d["connector"], d["ok"], d["status_code"]) for d in shown["deliveries"]] == [
        ("filedrop", True, None),
        ("webhook", False, 422),
    ]
    assert 'posthantering_registration_exports{status="failed"} 1.0' in client.get("/metrics").text

    department = make_user("olle", "department", ["TN"])
    assert client.post(f"/api/v1/mail/{confirmed}/export/resend", headers=auth(department)).status_code == 403
    r = client.post(f"/api/v1/mail/{confirmed}/export/resend", headers=auth(registrar))
    assert r.status_code == 200, r.text
    assert r.json()["export"]["status"] == "pending" and exports == [confirmed]
    assert client.post(f"/api/v1/mail/{confirmed}/export/resend", headers=auth(registrar)).status_code == 409

    assert _deliver(confirmed) is True  # the receiver was fixed: it accepts now
    rec = _record(confirmed)
    assert rec.exported_at is not None and rec.export_failure == "" and rec.export_failed_at is None
    with session_scope() as s:
        log = [(d.connector, d.ok) for d in export.deliveries(s, confirmed)]
        actions = [e.action for e in s.query(Event).filter_by(item_id=confirmed).order_by(Event.id)]
    assert log == [("filedrop", True), ("webhook", False), ("webhook", True)]  # the file drop is not sent again
    assert actions[-2:] == ["registration_export_resent", "registration_exported"]
    assert 'posthantering_registration_exports{status="failed"} 0.0' in client.get("/metrics").text


def test_server_errors_are_retried_with_backoff_then_given_up(
    confirmed: int, receiver: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTHANTERING_EXPORT_WEBHOOK_TRIES", "2")
    monkeypatch.setenv("POSTHANTERING_EXPORT_MAX_ATTEMPTS", "4")
    monkeypatch.setenv("POSTHANTERING_EXPORT_RETRY_BACKOFF_SECONDS", "30")
    reset_settings()
    receiver.answer(503, "underhåll", times=10)

    assert _deliver(confirmed) is False
    assert len(receiver.got) == 2
    rec = _record(confirmed)
    assert rec.export_pending is True and rec.export_failed_at is None and rec.export_attempts == 2
    assert rec.export_next_at is not None
    wait = rec.export_next_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert timedelta(seconds=25) < wait <= timedelta(seconds=60)  # 30 s doubled once for the second try
    assert confirmed not in _pending()  # not due yet

    with session_scope() as s:  # time passes
        s.query(RegistrationRecord).filter_by(item_id=confirmed).update({"export_next_at": utcnow()})
    assert confirmed in _pending()
    assert _deliver(confirmed) is False
    assert len(receiver.got) == 4
    rec = _record(confirmed)
    assert rec.export_pending is False and rec.export_failed_at is not None
    assert rec.export_failure.startswith("Gav upp efter 4 försök") and "HTTP 503" in rec.export_failure
    assert confirmed not in _pending()


def test_timeouts_are_transient_and_given_up_after_the_max_age(
    confirmed: int, receiver: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTHANTERING_EXPORT_WEBHOOK_TRIES", "1")
    monkeypatch.setenv("POSTHANTERING_EXPORT_WEBHOOK_TIMEOUT_SECONDS", "0.2")
    monkeypatch.setenv("POSTHANTERING_EXPORT_RETRY_BACKOFF_SECONDS", "0")
    reset_settings()
    receiver.answer(200, delay=1.0, times=2)

    assert _deliver(confirmed) is False
    rec = _record(confirmed)
    assert rec.export_pending is True and rec.export_failed_at is None  # a timeout: try again
    assert confirmed in _pending()

    with session_scope() as s:  # the first try was two days ago
        s.query(RegistrationRecord).filter_by(item_id=confirmed).update(
            {"export_started_at": utcnow() - timedelta(days=2)}
        )
    assert _deliver(confirmed) is False
    rec = _record(confirmed)
    assert rec.export_failed_at is not None and "Timeout" in rec.export_failure
    assert rec.export_failure.startswith("Gav upp efter 2 försök under 48")


def test_408_and_429_are_retried(confirmed: int, receiver: Script, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTHANTERING_EXPORT_WEBHOOK_TRIES", "3")
    reset_settings()
    receiver.answer(408).answer(429)
    assert _deliver(confirmed) is True
    assert len(receiver.got) == 3
    assert _record(confirmed).export_failed_at is None
