"""The validation station's panel and form (the browser test drives the keys): read-only for a
department, corrections and confirmation for the registry, the arrival override needing a reason."""

from __future__ import annotations

from typing import Any

import pytest

from services.core.db import session_scope
from services.core.models import Event
from services.pipeline.service import STEP_BY_NAME
from tests.api.ui.conftest import form_token

LETTER = "Solvik 2025-02-11\n\nAnsökan om bygglov för garage\n\nMed vänlig hälsning\nAnna Berg\n"


@pytest.fixture
def item(ui_user: Any, make_item: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    ui_user("rita", "registrar")
    ui_user("sara", "department", ["SBN"])
    item_id = make_item(text=LETTER, state="classified", decision="auto", suggested_department="SBN")
    with session_scope() as s:
        STEP_BY_NAME["route.route"].run(s, item_id)
    from workers import dispatch

    monkeypatch.setattr(dispatch, "enqueue_export", lambda _id: True)
    return item_id


def test_panel_shows_fields_confidence_and_stamp(browser: Any, item: int) -> None:
    rita = browser("rita")
    page = rita.get(f"/ui/mail/{item}").text
    assert f'hx-get="/ui/mail/{item}/registrering"' in page
    panel = rita.get(f"/ui/mail/{item}/registrering").text
    assert 'id="arrival-stamp"' in panel
    assert 'value="Anna Berg"' in panel and 'value="2025-02-11"' in panel
    assert "Bekräfta registrering" in panel
    assert "low-confidence" in panel or "%" in panel
    # the department sees it read-only, without the confirm button
    sara = browser("sara")
    dept_panel = sara.get(f"/ui/mail/{item}/registrering").text
    assert "Bekräfta registrering" not in dept_panel and "readonly" in dept_panel


def test_confirm_with_a_correction_and_an_arrival_override(browser: Any, item: int) -> None:
    rita = browser("rita")
    token = form_token(rita, f"/ui/mail/{item}")
    form = {"csrf_token": token, "subject": "Ansökan om bygglov", "arrival_date": "2025-02-10", "action": "confirm"}
    r = rita.post(f"/ui/mail/{item}/registrering", data=form)
    assert r.status_code == 422  # a changed arrival date needs a reason
    assert "skäl" in r.text
    form["arrival_reason"] = "Låg i brevlådan måndag morgon"
    r = rita.post(f"/ui/mail/{item}/registrering", data=form)
    assert r.status_code == 303, r.text
    with session_scope() as s:
        actions = [e.action for e in s.query(Event).filter_by(item_id=item).order_by(Event.id)]
    assert actions[-2:] == ["registration_edited", "registration_confirmed"]
    panel = rita.get(f"/ui/mail/{item}/registrering").text
    assert "Bekräftad" in panel and "Låg i brevlådan" in panel


def test_department_cannot_confirm(browser: Any, item: int) -> None:
    sara = browser("sara")
    token = form_token(sara, f"/ui/mail/{item}")
    r = sara.post(f"/ui/mail/{item}/registrering", data={"csrf_token": token, "action": "confirm"})
    assert r.status_code == 403


def test_panel_of_an_item_still_in_the_pipeline(browser: Any, item: int, make_item: Any) -> None:
    waiting = make_item(text="", state="received")
    panel = browser("rita").get(f"/ui/mail/{waiting}/registrering")
    assert panel.status_code == 200 and 'id="registration-pending"' in panel.text
