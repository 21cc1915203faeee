"""Issue 12 in the browser: a registrar registers a tender envelope that must stay closed from typed
fields only (menu -> form -> item page), and it is routed unopened with its confirmed record."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.test_ws_pages import ENGLISH, _visible_words
from tests.support.processes import Stack
from tests.support.workstation import item_state, login

pytestmark = pytest.mark.e2e


def test_registrar_registers_a_tender_unopened_from_typed_fields(ws: Stack, browser: Any) -> None:
    reg = login(browser, ws.base_url, "rita")
    reg.goto(f"{ws.base_url}/ui/oversikt")
    reg.get_by_role("link", name="Oöppnat kuvert").click()
    reg.wait_for_load_state()
    assert reg.locator("h1").inner_text() == "Registrera oöppnat kuvert"
    assert not [w for w in _visible_words(reg) if w.lower() in ENGLISH]

    reg.get_by_label("Upphandling (för anbud)").fill("Skolskjutsar 2027")
    reg.get_by_label("Avsändare (organisation)").fill("Resbolaget i Solvik AB")
    reg.get_by_label("Mottagare på kuvertet").fill("Upphandlingsenheten")
    reg.get_by_label("Skickas oöppnat till").select_option("KS")
    reg.get_by_role("button", name="Registrera och skicka oöppnat").click()
    reg.wait_for_load_state()

    assert re.search(r"/ui/mail/\d+$", reg.url), reg.url
    item_id = int(reg.url.rsplit("/", 1)[1])
    assert "oöppnat" in reg.locator(".flash").inner_text()
    panel = reg.locator("#registration")
    panel.locator("#registration-form").wait_for(timeout=15_000)
    heading = panel.locator("h2").inner_text()
    assert "Bekräftad" in heading and "Oöppnat kuvert" in heading and "Sekretess" in heading
    assert panel.locator("#reg-subject").input_value() == "Anbud – Skolskjutsar 2027"
    assert panel.locator("#reg-secrecy_regulation").input_value() == "OSL 19 kap. 3 §"
    assert item_state(ws, item_id) == ("routed", "KS")
