"""Issue 14, item 8, in the browser: an idle timeout plus an absolute limit, a warning before expiry, a
decision made after expiry kept across the re-login, and a full page after logging in from the overview.

A server of its own with short times: idle 6 s, warning 4 s before, absolute limit 20 s.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import Stack, stack
from tests.support.workstation import LETTERS, PASSWORD, add_item, add_user, item_state, login

pytestmark = pytest.mark.e2e
IDLE, WARN, ABSOLUTE = 6, 4, 20


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    times = {
        "POSTHANTERING_SESSION_IDLE_SECONDS": str(IDLE),
        "POSTHANTERING_SESSION_WARN_SECONDS": str(WARN),
        "POSTHANTERING_SESSION_MAX_AGE": str(ABSOLUTE),
    }
    with stack(Path(tmp_path_factory.mktemp("session")), **times) as s:
        add_user(s, "rita", "registrar")
        s.start_api()
        yield s


def _log_in_again(page: Any) -> None:
    page.get_by_label("Användarnamn").fill("rita")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()


def test_warning_then_a_decision_after_expiry_is_kept_across_the_login(short: Stack, browser: Any) -> None:
    item = add_item(short, LETTERS["bygglov"], suggestions=[{"department": "SBN", "confidence": 0.6}])
    reg = login(browser, short.base_url, "rita")
    reg.goto(f"{short.base_url}/ui/mail/{item}")
    warning = reg.locator("#session-warning")
    warning.wait_for(state="visible", timeout=(IDLE - WARN + 3) * 1000)  # shown before the session ends
    assert "loggas snart ut" in warning.inner_text()
    reg.get_by_role("button", name="Fortsätt arbeta").click()
    warning.wait_for(state="hidden")
    time.sleep(IDLE + 1)  # idle: the session lapses

    with reg.expect_navigation():
        reg.keyboard.press("1")  # the decision, made after expiry
    assert "/ui/login" in reg.url and "säkerhetstoken" not in reg.content()
    assert "Logga in igen" in reg.locator("#flash").inner_text()
    assert item_state(short, item) == ("needs_review", None)
    _log_in_again(reg)
    assert reg.url.endswith("/ui/fortsatt")
    assert "SBN" in reg.locator(".facts").inner_text()
    reg.get_by_role("button", name="Spara beslutet").click()
    reg.wait_for_load_state()
    assert item_state(short, item) == ("routed", "SBN")
    assert f"#{item} fördelad till SBN" in reg.locator("#flash").inner_text()


def test_activity_extends_the_session_until_the_absolute_limit(short: Stack, browser: Any) -> None:
    reg = login(browser, short.base_url, "rita")
    logged_in = time.monotonic()
    while time.monotonic() - logged_in < ABSOLUTE - 2:  # active well past the idle time: still in
        reg.goto(f"{short.base_url}/ui/ko")
        assert reg.url.endswith("/ui/ko"), time.monotonic() - logged_in
        time.sleep(1)
    time.sleep(max(0.0, logged_in + ABSOLUTE + 1 - time.monotonic()))  # a short pause, well within the idle time
    reg.goto(f"{short.base_url}/ui/ko")
    assert "/ui/login" in reg.url  # however active, the absolute limit ends it


def test_logging_in_again_from_the_overview_lands_on_the_full_page(short: Stack, browser: Any) -> None:
    reg = login(browser, short.base_url, "rita")
    reg.goto(f"{short.base_url}/ui/oversikt")
    reg.wait_for_url("**/ui/login**", timeout=(IDLE + 8) * 1000)  # the overview's poll finds the session gone
    assert "antal" not in reg.url
    _log_in_again(reg)
    assert reg.url.endswith("/ui/oversikt")
    assert reg.locator("header.topbar nav").count() == 1 and reg.locator("h1").inner_text() == "Inflöde"
