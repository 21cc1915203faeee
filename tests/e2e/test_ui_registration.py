"""The validation station in a real browser: the proposed record beside the page image, low-confidence
fields marked, the arrival stamp, Tab from field to field, and one Enter to confirm."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_ui_browser import WAITING, _login, _shot, chromium, running  # noqa: F401 - fixtures
from tests.support.processes import Stack, render_letters

pytestmark = pytest.mark.e2e


def test_registrar_confirms_the_proposed_record_with_one_keystroke(
    running: Stack,  # noqa: F811
    chromium: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    base = running.base_url
    # Upload only once the worker is up: on the SQLite transport a worker starting while the API sends the
    # first task can lose the race to create the queue row and exit (seen on a loaded machine).
    deadline = time.monotonic() + 120
    while " ready." not in (running.logs / "worker.log").read_text(errors="replace"):
        assert time.monotonic() < deadline, "worker did not start"
        time.sleep(0.5)
    (scan,) = render_letters(tmp_path / "scans", ["a-061"])  # architect's letter citing Dnr SBN 2025/0418
    reg = _login(chromium, base, "rita")
    reg.goto(f"{base}/ui/ladda-upp")
    reg.set_input_files("#file-input", scan["path"])
    link = reg.locator("#uploads .ok a")
    link.wait_for(timeout=30_000)
    item_url = link.get_attribute("href")
    assert item_url and re.fullmatch(r"/ui/mail/\d+", item_url)

    deadline = time.monotonic() + 180
    while True:
        reg.goto(base + item_url)
        if reg.locator("h1 .state").inner_text() not in WAITING:
            break
        assert time.monotonic() < deadline, (running.logs / "worker.log").read_text()[-3000:]
        time.sleep(1)

    panel = reg.locator("#registration")
    panel.locator("#registration-form").wait_for(timeout=15_000)
    assert panel.locator("#reg-our_dnr").input_value() == "SBN 2025/0418"
    assert "nordhage" in panel.locator("#reg-sender_org").input_value().lower()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", panel.locator("#arrival-stamp .stamp-date").inner_text())
    # each field shows its confidence; the text spot it came from is shown under it
    assert panel.locator('[data-field="our_dnr"] .conf').inner_text().endswith("%")
    assert "2025/0418" in panel.locator('[data-field="our_dnr"] .source').inner_text()
    # fields the machine is unsure of (below 80 %, the ranker's probability) are marked for the registrar,
    # and only those
    rows = panel.locator(".reg-field")
    checked = 0
    for i in range(rows.count()):
        row = rows.nth(i)
        if not row.locator(".conf").count():
            continue  # the secrecy and do-not-open rows show no confidence
        shown = int(re.sub(r"\D", "", row.locator(".conf").inner_text()))
        marked = "low-confidence" in (row.get_attribute("class") or "")
        assert marked == (shown < 80) or shown == 80, (row.get_attribute("data-field"), shown, marked)
        checked += 1
    assert checked >= 10
    _shot(reg, "13-registration")

    # Tab moves from field to field
    panel.locator("#reg-sender_name").focus()
    reg.keyboard.press("Tab")
    assert reg.evaluate("document.activeElement.id") == "reg-sender_org"

    # with nothing focused, one Enter confirms
    reg.evaluate("document.activeElement.blur()")
    reg.keyboard.press("Enter")
    reg.wait_for_load_state()
    reg.locator(".flash").wait_for(timeout=10_000)
    assert "bekräftad" in reg.locator(".flash").inner_text()
    panel = reg.locator("#registration")
    panel.locator("#registration-form").wait_for(timeout=15_000)
    assert "Bekräftad" in panel.locator("h2").inner_text()
    assert panel.locator("#registration-confirm").count() == 0
