"""Issue 12: an envelope that must stay closed (a tender, a personally addressed letter) registered
from typed fields only: no scan, no OCR; routed unopened to the chosen department with a confirmed
registration record (arrival date by FL 22 §, secrecy OSL 19:3 for a tender) that exports as ERMS."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services.core.db import session_scope
from services.core.models import Event, MailItem
from services.core.settings import reset_settings
from services.export import erms
from services.export import service as export
from services.registration.arrival import previous_working_day

TENDER = {
    "department": "KS",
    "kind": "anbud",
    "procurement": "Snöröjning 2026–2028",
    "sender_org": "Nordisk Vinterväg AB",
    "sender_kind": "company",
    "recipient_unit": "Upphandlingsenheten",
    "our_dnr": "KS 2026/0117",
}


def _items() -> int:
    with session_scope() as s:
        return s.query(MailItem).count()


def test_a_tender_is_registered_from_typed_fields_and_forwarded_unopened(
    client: Any,
    make_user: Callable[..., Any],
    auth: Callable[..., dict[str, str]],
    enqueued: list[tuple[int, str]],
    exports: list[int],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    registrar = make_user("rita", "registrar")
    r = client.post("/api/v1/registrations/unopened", json=TENDER, headers=auth(registrar))
    assert r.status_code == 201, r.text
    body = r.json()
    item_id = body["id"]
    assert (body["state"], body["department"]) == ("routed", "KS")
    rec = body["registration"]
    assert rec["status"] == "confirmed" and rec["do_not_open"] is True and rec["secret"] is True
    fields = {k: v["value"] for k, v in rec["fields"].items()}
    assert fields["subject"] == "Anbud – Snöröjning 2026–2028"
    assert fields["secrecy_regulation"] == "OSL 19 kap. 3 §" and fields["public_subject"] == fields["subject"]
    assert (fields["sender_org"], fields["recipient_unit"], fields["our_dnr"]) == (
        "Nordisk Vinterväg AB", "Upphandlingsenheten", "KS 2026/0117"
    )  # fmt: skip
    today = datetime.now(ZoneInfo("Europe/Stockholm")).date()
    assert rec["intake_channel"] == "post" and rec["arrival_date"] == previous_working_day(today).isoformat()
    assert enqueued == [(item_id, "routed")] and exports == [item_id]  # the department's notice; the export

    with session_scope() as s:  # nothing was scanned or read: received -> routed, no pages, no OCR
        item = s.get(MailItem, item_id)
        assert item is not None and item.channel == "registry" and item.pages == [] and item.ocr_confidence is None
        actions = [(e.action, e.from_state, e.to_state) for e in s.query(Event).filter_by(item_id=item_id)]
    assert [a for a, _, _ in actions] == ["received", "routed", "registration_confirmed"]
    assert ("routed", "received", "routed") in actions

    # the department sees it; the ERMS record validates and says the envelope is unopened
    dept = make_user("kim", "department", ["KS"])
    assert client.get(f"/api/v1/mail/{item_id}", headers=auth(dept)).json()["state"] == "routed"
    xml = client.get(f"/api/v1/mail/{item_id}/export/erms.xml", headers=auth(registrar)).content
    assert erms.validate(xml) == []
    text = xml.decode()
    assert "Kuvertet har inte öppnats" in text and "OSL 19 kap. 3 §" in text and "KS 2026/0117" in text

    # and it is delivered through the file drop: the record and the slip, no archival PDF of a content
    monkeypatch.setenv("POSTHANTERING_EXPORT_DIR", str(tmp_path / "drop"))
    reset_settings()
    with session_scope() as s:
        assert export.deliver(s, item_id) is True
    drop = tmp_path / "drop" / str(item_id)
    assert {p.name for p in drop.iterdir()} == {"record.json", "erms.xml", "original.pdf", ".done"}
    payload = json.loads((drop / "record.json").read_text(encoding="utf-8"))
    assert payload["do_not_open"] is True and payload["department"] == "KS"


def test_a_personal_letter_from_the_mailbox(
    client: Any, make_user: Callable[..., Any], auth: Callable[..., dict[str, str]], exports: list[int]
) -> None:
    registrar = make_user("rita", "registrar")
    data = {
        "department": "SN",
        "kind": "personligt",
        "subject": "Personligt brev till socialchefen",
        "sender_name": "Eva Lind",
        "recipient_unit": "Anna Svensson, socialchef",
        "channel": "mailbox",
    }
    first = client.post("/api/v1/registrations/unopened", json=data, headers=auth(registrar))
    assert first.status_code == 201, first.text
    rec = first.json()["registration"]
    assert rec["secret"] is False and rec["intake_channel"] == "mailbox" and "Brevlåda" in rec["arrival_reason"]
    again = client.post("/api/v1/registrations/unopened", json=data, headers=auth(registrar))
    assert again.status_code == 201 and again.json()["id"] != first.json()["id"]  # two envelopes, two items


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"procurement": ""}, 422, "ärendemening"),
        ({"kind": "personligt", "subject": "Brev", "secret": True}, 422, "sekretessgrund"),
        ({"department": "XYZ"}, 422, "XYZ"),
        ({"channel": "email"}, 422, "posten"),
        ({"arrival_date": "2020-01-02"}, 422, "skäl"),
        ({"kind": "öppet"}, 422, "kuverttyp"),
    ],
)
def test_refused_without_recording_anything(
    client: Any,
    make_user: Callable[..., Any],
    auth: Callable[..., dict[str, str]],
    exports: list[int],
    change: dict[str, Any],
    status: int,
    words: str,
) -> None:
    registrar = make_user("rita", "registrar")
    r = client.post("/api/v1/registrations/unopened", json={**TENDER, **change}, headers=auth(registrar))
    assert r.status_code == status, r.text
    assert words in r.text
    assert _items() == 0 and exports == []


def test_only_the_registry_registers(
    client: Any, make_user: Callable[..., Any], auth: Callable[..., dict[str, str]], exports: list[int]
) -> None:
    dept = make_user("kim", "department", ["KS"])
    assert client.post("/api/v1/registrations/unopened", json=TENDER, headers=auth(dept)).status_code == 403
    assert _items() == 0
