"""Registration over HTTP: proposed after routing, edited and confirmed by a registrar, exported as ERMS
XML (valid against the schema) through the file drop and a signed webhook to a local receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from services.core.db import session_scope
from services.core.models import Event
from services.core.settings import reset_settings
from services.export import erms
from services.export import service as export
from services.pipeline.service import STEP_BY_NAME
from tests.support.diarium_receiver import Script, diarium_receiver

LETTER = """NORDHAGE ARKITEKTER AB
Hamngatan 4, 734 30 Solvik

2025-06-16

Solvik kommun
Rådhusgatan 7
734 80 Solvik

Komplettering av ansökan om bygglov, Dnr SBN 2025/0418

Vi översänder begärda kompletteringar. Sökande Anna Berg, 811218-9876.

Med vänlig hälsning

Tove Nordhage
"""


def _pdf_blob(text: str) -> str:
    import io

    from reportlab.pdfgen import canvas

    from services.core.blobs import get_blob_store

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for i, line in enumerate(text.splitlines()[:40]):
        c.drawString(50, 800 - 14 * i, line)
    c.save()
    return get_blob_store().put_bytes(buf.getvalue())


@pytest.fixture
def routed_item(make_item: Callable[..., int]) -> int:
    item_id = make_item(
        text=LETTER,
        state="classified",
        decision="auto",
        suggested_department="SBN",
        case_refs=["SBN 2025/0418"],
        sha256=_pdf_blob(LETTER),
    )
    with session_scope() as s:
        assert STEP_BY_NAME["route.route"].run(s, item_id) is not None
    return item_id


def _actions(item_id: int) -> list[tuple[str, dict[str, Any]]]:
    with session_scope() as s:
        return [(e.action, e.detail) for e in s.query(Event).filter_by(item_id=item_id).order_by(Event.id)]


def test_record_is_proposed_after_routing_and_confirmed(
    client: Any,
    make_user: Callable[..., Any],
    auth: Callable[..., dict[str, str]],
    routed_item: int,
    exports: list[int],
) -> None:
    reg = make_user("rita", "registrar")
    r = client.get(f"/api/v1/mail/{routed_item}/registration", headers=auth(reg))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "proposed"
    assert body["fields"]["our_dnr"]["value"] == "SBN 2025/0418"
    assert body["fields"]["sender_org"]["value"] == "Nordhage Arkitekter AB"
    assert "registration_proposed" in [a for a, _ in _actions(routed_item)]

    # an arrival date other than the rule's needs a reason
    r = client.put(f"/api/v1/mail/{routed_item}/registration", json={"arrival_date": "2025-06-16"}, headers=auth(reg))
    assert r.status_code == 422
    assert "skäl" in r.json()["detail"]
    r = client.put(
        f"/api/v1/mail/{routed_item}/registration",
        json={
            "arrival_date": "2025-06-16",
            "arrival_reason": "Låg i brevlådan i fredags",
            "fields": {"their_ref": "NA-77"},
        },
        headers=auth(reg),
    )
    assert r.status_code == 200, r.text
    assert r.json()["arrival_overridden"] is True
    assert r.json()["fields"]["their_ref"] == {
        "value": "NA-77", "confidence": 1.0, "source": "registrator", "start": None, "end": None
    }  # fmt: skip

    r = client.post(f"/api/v1/mail/{routed_item}/registration/confirm", json={"human_seconds": 4}, headers=auth(reg))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "confirmed" and r.json()["export_pending"] is True
    assert exports == [routed_item]
    assert client.post(f"/api/v1/mail/{routed_item}/registration/confirm", headers=auth(reg)).status_code == 409

    # a department user may read it but not confirm; a viewer sees nothing
    dept = make_user("olle", "department", ["SBN"])
    assert client.get(f"/api/v1/mail/{routed_item}/registration", headers=auth(dept)).status_code == 200
    assert client.put(f"/api/v1/mail/{routed_item}/registration", json={}, headers=auth(dept)).status_code == 403
    viewer = make_user("vera", "viewer")
    assert client.get(f"/api/v1/mail/{routed_item}/registration", headers=auth(viewer)).status_code == 404


def test_erms_xml_validates_and_list_masks_personnummer(
    client: Any, make_user: Callable[..., Any], auth: Callable[..., dict[str, str]], routed_item: int
) -> None:
    reg = make_user("rita", "registrar")
    client.put(
        f"/api/v1/mail/{routed_item}/registration",
        json={"fields": {"sender_id": "811218-9876"}},
        headers=auth(reg),
    )
    # the masked form sent back (as the validation station does) keeps the full number
    client.put(
        f"/api/v1/mail/{routed_item}/registration", json={"fields": {"sender_id": "811218-XXXX"}}, headers=auth(reg)
    )
    r = client.get(f"/api/v1/mail/{routed_item}/export/erms.xml", headers=auth(reg))
    assert r.status_code == 200
    assert erms.validate(r.content) == []
    assert b"811218-9876" in r.content  # the archive record carries the full number
    assert b"<objectId>SBN 2025/0418</objectId>" in r.content
    assert b'directionDefinition="incoming"' in r.content

    r = client.get("/api/v1/registrations?from=2000-01-01&to=2100-01-01", headers=auth(reg))
    assert r.status_code == 200
    (row,) = r.json()["items"]
    assert row["sender_id"] == "811218-XXXX"
    assert client.get("/api/v1/registrations?status=confirmed", headers=auth(reg)).json()["total"] == 0
    client.put(
        f"/api/v1/mail/{routed_item}/registration", json={"fields": {"their_ref": "=HYPERLINK(1)"}}, headers=auth(reg)
    )
    assert "'=HYPERLINK(1)" in client.get("/api/v1/registrations?format=csv", headers=auth(reg)).text
    csv_text = client.get("/api/v1/registrations?format=csv", headers=auth(reg)).text
    assert "811218-XXXX" in csv_text and "9876" not in csv_text
    assert client.get("/api/v1/registrations?from=2025-02-30", headers=auth(reg)).status_code == 422
    single = client.get(f"/api/v1/mail/{routed_item}/registration", headers=auth(reg)).json()
    assert single["fields"]["sender_id"]["value"] == "811218-XXXX"


@pytest.fixture
def receiver() -> Iterator[tuple[str, Script]]:
    with diarium_receiver() as (url, script):
        script.answer(503).answer(500)
        yield url, script


def test_export_through_file_drop_and_signed_webhook_with_retries(
    client: Any,
    make_user: Callable[..., Any],
    auth: Callable[..., dict[str, str]],
    routed_item: int,
    exports: list[int],
    receiver: tuple[str, Script],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    url, handler = receiver
    monkeypatch.setenv("POSTHANTERING_EXPORT_CONNECTORS", "filedrop,webhook")
    monkeypatch.setenv("POSTHANTERING_EXPORT_DIR", str(tmp_path / "drop"))
    monkeypatch.setenv("POSTHANTERING_EXPORT_WEBHOOK_URL", url)
    monkeypatch.setenv("POSTHANTERING_EXPORT_WEBHOOK_SECRET", "hemligt")
    monkeypatch.setenv("POSTHANTERING_EXPORT_WEBHOOK_BACKOFF_SECONDS", "0.05")
    reset_settings()
    reg = make_user("rita", "registrar")
    assert client.post(f"/api/v1/mail/{routed_item}/registration/confirm", headers=auth(reg)).status_code == 200

    with session_scope() as s:
        assert export.deliver(s, routed_item) is True
    # the webhook answered 503, 500, then 200: three tries, each in the delivery log
    assert len(handler.got) == 3
    headers, body = handler.got[-1]
    ts = headers["X-Posthantering-Timestamp"]
    want = "sha256=" + hmac.new(b"hemligt", ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-Posthantering-Signature"] == want
    payload = json.loads(body)
    assert payload["fields"]["our_dnr"] == "SBN 2025/0418"
    assert erms.validate(payload["erms_xml"].encode()) == []
    with session_scope() as s:
        log = [(d.connector, d.attempt, d.ok, d.status_code) for d in export.deliveries(s, routed_item)]
    assert log == [
        ("filedrop", 1, True, None),
        ("webhook", 1, False, 503),
        ("webhook", 2, False, 500),
        ("webhook", 3, True, 200),
    ]
    drop = tmp_path / "drop" / str(routed_item)
    assert {p.name for p in drop.iterdir()} >= {"record.json", "erms.xml", "original.pdf", "archival.pdf", ".done"}
    import pikepdf

    with pikepdf.open(drop / "archival.pdf") as pdf:  # PDF/A-2b markers: XMP part/conformance, sRGB intent
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
    exported = [d for a, d in _actions(routed_item) if a == "registration_exported"]
    assert exported == [{"connector": "filedrop"}, {"connector": "webhook"}]
    with session_scope() as s:
        assert export.deliver(s, routed_item) is False  # delivered: nothing pending, nothing sent again
    assert len(handler.got) == 3
    shown = client.get(f"/api/v1/mail/{routed_item}/registration", headers=auth(reg)).json()
    assert [(d["connector"], d["ok"]) for d in shown["deliveries"]][-1] == ("webhook", True)
    assert shown["exported_at"] and shown["export_pending"] is False


def test_failed_webhook_stays_pending_and_is_not_resent_to_the_file_drop(
    client: Any,
    make_user: Callable[..., Any],
    auth: Callable[..., dict[str, str]],
    routed_item: int,
    exports: list[int],
    receiver: tuple[str, Script],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    url, handler = receiver
    handler.answers[:] = [
        (503, "{}", 0.0)
    ]  # a transient failure (a refusal, 4xx, is given up: test_api_export_give_up.py)
    monkeypatch.setenv("POSTHANTERING_EXPORT_CONNECTORS", "filedrop,webhook")
    monkeypatch.setenv("POSTHANTERING_EXPORT_DIR", str(tmp_path / "drop"))
    monkeypatch.setenv("POSTHANTERING_EXPORT_WEBHOOK_URL", url)
    monkeypatch.setenv("POSTHANTERING_EXPORT_WEBHOOK_TRIES", "1")
    monkeypatch.setenv("POSTHANTERING_EXPORT_RETRY_BACKOFF_SECONDS", "0")
    reset_settings()
    reg = make_user("rita", "registrar")
    client.post(f"/api/v1/mail/{routed_item}/registration/confirm", headers=auth(reg))
    with session_scope() as s:
        assert export.deliver(s, routed_item) is False
    assert len(handler.got) == 1
    with session_scope() as s:
        assert routed_item in export.pending_ids(s)
        assert export.deliver(s, routed_item) is True  # next round: the receiver accepts
        filedrops = [d for d in export.deliveries(s, routed_item) if d.connector == "filedrop"]
    assert len(filedrops) == 1


def test_auto_export_only_for_auto_routed_items_when_configured(
    make_item: Callable[..., int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTHANTERING_REGISTRATION_AUTO_EXPORT", "true")
    reset_settings()
    auto = make_item(text=LETTER, state="classified", decision="auto", suggested_department="SBN")
    review = make_item(text=LETTER, state="classified", decision="review", suggested_department="SBN")
    with session_scope() as s:
        STEP_BY_NAME["route.route"].run(s, auto)
        STEP_BY_NAME["route.route"].run(s, review)
    with session_scope() as s:
        assert export.pending_ids(s) == [auto]


def test_secret_record_lists_only_its_public_subject(
    client: Any, make_user: Callable[..., Any], auth: Callable[..., dict[str, str]], make_item: Callable[..., int]
) -> None:
    text = "Orosanmälan\n\nBarnet Elvira Nyström, 150612-5184, far illa.\n\nKarin Sundell\n"
    item_id = make_item(text=text, state="classified", decision="review", suggested_department="SN", sensitive=True)
    with session_scope() as s:
        STEP_BY_NAME["route.route"].run(s, item_id)
    reg = make_user("rita", "registrar")
    rec = client.get(f"/api/v1/mail/{item_id}/registration", headers=auth(reg)).json()
    assert rec["secret"] is True
    assert rec["fields"]["secrecy_regulation"]["value"] == "OSL 26 kap. 1 §"
    (row,) = client.get("/api/v1/registrations", headers=auth(reg)).json()["items"]
    assert row["subject"] == rec["fields"]["public_subject"]["value"]
    assert row["sender_name"] == ""
    xml = client.get(f"/api/v1/mail/{item_id}/export/erms.xml", headers=auth(reg)).content
    assert b'restrictionType="confidential"' in xml and b'titleType="public"' in xml
    assert erms.validate(xml) == []


def test_a_failing_rule_never_stops_the_routing(make_item: Callable[..., int], monkeypatch: pytest.MonkeyPatch) -> None:
    from services.registration import service as registration

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a rule tripped")

    monkeypatch.setattr(registration, "propose_record", broken)
    item_id = make_item(text=LETTER, state="classified", decision="auto", suggested_department="SBN")
    with session_scope() as s:
        assert STEP_BY_NAME["route.route"].run(s, item_id) == "routed"
    with session_scope() as s:
        rec = registration.get_record(s, item_id)
        assert rec is not None and rec.fields["subject"] == {"value": "", "confidence": 0.0, "source": ""}
