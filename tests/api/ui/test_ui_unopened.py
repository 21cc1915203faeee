"""Issue 12: the registry's form for an envelope that must stay closed: typed fields only, or with a
photo of the envelope; errors keep what was typed; the item is routed unopened with its record."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from services.core.db import session_scope
from services.core.models import MailItem
from services.core.models_registration import RegistrationRecord
from tests.api.ui.conftest import form_token


@pytest.fixture
def registry(ui_user: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    ui_user("rita", "registrar")
    ui_user("sara", "department", ["KS"])
    from workers import dispatch

    sent: list[int] = []
    monkeypatch.setattr(dispatch, "enqueue_export", lambda i: sent.append(i) or True)
    return sent


def _one() -> tuple[MailItem, RegistrationRecord]:
    with session_scope() as s:
        item = s.query(MailItem).one()
        rec = s.query(RegistrationRecord).filter_by(item_id=item.id).one()
        s.expunge_all()
        return item, rec


def test_typed_tender_is_registered_and_forwarded_unopened(browser: Any, registry: list[int], enqueued: Any) -> None:
    rita = browser("rita")
    page = rita.get("/ui/kuvert").text
    assert "Registrera oöppnat kuvert" in page and 'href="/ui/kuvert"' in page  # in the registry's menu
    token = form_token(rita, "/ui/kuvert")
    form = {"csrf_token": token, "kind": "anbud", "procurement": "Snöröjning 2026–2028", "sender_org": "Vinterväg AB",
            "recipient_unit": "Upphandlingsenheten", "department": "", "channel": "post", "secret": ""}  # fmt: skip
    r = rita.post("/ui/kuvert", data=form)
    assert r.status_code == 422  # no department chosen: the form again, with what was typed
    assert 'id="unopened-error"' in r.text and 'value="Vinterväg AB"' in r.text
    with session_scope() as s:
        assert s.query(MailItem).count() == 0

    r = rita.post("/ui/kuvert", data={**form, "department": "KS"})
    assert r.status_code == 303, r.text
    item, rec = _one()
    assert r.headers["location"] == f"/ui/mail/{item.id}"
    assert (item.state, item.department_code, item.channel) == ("routed", "KS", "registry")
    assert rec.do_not_open and rec.secret and rec.status == "confirmed"
    assert rec.fields["subject"]["value"] == "Anbud – Snöröjning 2026–2028"
    assert rec.fields["secrecy_regulation"]["value"] == "OSL 19 kap. 3 §"
    assert registry == [item.id] and (item.id, "routed") in enqueued

    panel = rita.get(f"/ui/mail/{item.id}/registrering").text
    assert "Oöppnat kuvert" in panel and "Bekräftad" in panel
    sara = browser("sara")  # the department has it in its inbox
    assert sara.get(f"/ui/mail/{item.id}").status_code == 200
    assert sara.get("/ui/kuvert").status_code == 403


def test_with_a_photo_of_the_envelope(browser: Any, registry: list[int]) -> None:
    rita = browser("rita")
    token = form_token(rita, "/ui/kuvert")
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), (240, 235, 220)).save(buf, "JPEG")
    form = {"csrf_token": token, "kind": "personligt", "subject": "Personligt till kommundirektören",
            "sender_name": "Eva Lind", "department": "KS", "channel": "mailbox", "secret": "nej"}  # fmt: skip
    r = rita.post("/ui/kuvert", data=form, files={"photo": ("kuvert.jpg", buf.getvalue(), "image/jpeg")})
    assert r.status_code == 303, r.text
    item, rec = _one()
    assert (item.filename, item.mime, item.state) == ("kuvert.jpg", "image/jpeg", "routed")
    assert rec.intake_channel == "mailbox" and rec.secret is False and rec.do_not_open is True
