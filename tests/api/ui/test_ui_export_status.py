"""Issue 12: an export that was given up is shown in the item's registration panel (Swedish status,
the reason, the delivery log) with a button to send it again, for the registry only."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.core.db import session_scope
from services.core.models import Event, utcnow
from services.core.models_registration import ExportDelivery, RegistrationRecord
from tests.api.ui.conftest import form_token

REASON = "Mottagaren webhook avvisade försändelsen (HTTP 422: okänt diarienummer); ett nytt försök ger samma svar."


@pytest.fixture
def failed(ui_user: Any, make_item: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    ui_user("rita", "registrar")
    ui_user("sara", "department", ["SBN"])
    item_id = make_item(text="Ansökan om bygglov", state="routed", department_code="SBN")
    with session_scope() as s:
        s.add(
            RegistrationRecord(
                item_id=item_id,
                status="confirmed",
                confirmed_by="user:1:rita",
                confirmed_at=utcnow(),
                fields={"subject": {"value": "Ansökan om bygglov", "confidence": 1.0}},
                arrival_date=date(2025, 2, 10),
                export_pending=False,
                export_attempts=1,
                export_failed_at=utcnow(),
                export_failure=REASON,
            )
        )
        s.add(ExportDelivery(item_id=item_id, connector="webhook", attempt=1, ok=False, status_code=422, detail="{}"))
    from workers import dispatch

    sent: list[int] = []
    monkeypatch.setattr(dispatch, "enqueue_export", lambda i: sent.append(i) or True)
    return item_id


def test_failed_export_is_shown_and_sent_again(browser: Any, failed: int) -> None:
    rita = browser("rita")
    panel = rita.get(f"/ui/mail/{failed}/registrering").text
    assert 'data-status="failed"' in panel and "Exporten misslyckades" in panel
    assert "okänt diarienummer" in panel and "Leveranslogg" in panel and "HTTP 422" in panel
    assert 'id="export-resend"' in panel

    sara = browser("sara")  # the department sees the status, not the button
    dept_panel = sara.get(f"/ui/mail/{failed}/registrering").text
    assert "Exporten misslyckades" in dept_panel and 'id="export-resend"' not in dept_panel
    token = form_token(sara, f"/ui/mail/{failed}")
    assert sara.post(f"/ui/mail/{failed}/registrering/skicka-igen", data={"csrf_token": token}).status_code == 403

    token = form_token(rita, f"/ui/mail/{failed}")
    r = rita.post(f"/ui/mail/{failed}/registrering/skicka-igen", data={"csrf_token": token})
    assert r.status_code == 303, r.text
    with session_scope() as s:
        rec = s.query(RegistrationRecord).filter_by(item_id=failed).one()
        assert rec.export_pending is True and rec.export_failed_at is None
        assert s.query(Event).filter_by(item_id=failed, action="registration_export_resent").count() == 1
    panel = rita.get(f"/ui/mail/{failed}/registrering").text
    assert 'data-status="pending"' in panel and 'id="export-resend"' not in panel
