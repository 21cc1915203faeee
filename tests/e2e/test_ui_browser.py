"""The web UI in a real browser against a real API and worker: upload, triage, route, acknowledge, privacy.

Drives Debian's chromium (apt package `chromium`, installed by scripts/setup.sh --test) with Playwright
for Python; `playwright install` is never needed. Screenshots of each main page are written to
tests/artifacts/screenshots/.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import REPO, Stack, render_letters, stack
from tests.support.workstation import chromium as launch_chromium

pytestmark = pytest.mark.e2e

SHOTS = REPO / "tests" / "artifacts" / "screenshots"
PASSWORD = "Posthantering-2025"
WAITING = ("Mottagen", "Text läst", "Klassad")


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Stack]:
    with stack(tmp_path) as s:
        for name, role, dept in (("rita", "registrar", None), ("ada", "admin", None), ("hanna", "department", "HR")):
            s.cli(
                "users",
                "add",
                name,
                "--role",
                role,
                "--password",
                *(["--department", dept] if dept else []),
                input=PASSWORD + "\n",
            )  # the password from stdin, never from argv
        s.cli(
            "users", "add", "olle", "--role", "department", "--department", "SBN", "--password", input=PASSWORD + "\n"
        )
        s.start_api()
        s.start_worker(concurrency=1)
        yield s


@pytest.fixture
def chromium() -> Iterator[Any]:
    with launch_chromium() as browser:
        yield browser


def _login(browser: Any, base: str, name: str) -> Any:
    page = browser.new_context(viewport={"width": 1360, "height": 900}, locale="sv-SE").new_page()
    page.goto(f"{base}/ui/login")
    page.get_by_label("Användarnamn").fill(name)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    return page


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_registry_to_department_in_the_browser(running: Stack, chromium: Any, tmp_path: Path) -> None:
    base = running.base_url
    (scan,) = render_letters(tmp_path / "scans", ["a-002"])  # advertising: never auto-routed to an inbox

    # wrong password: stays on the login page with a message
    page = chromium.new_context(viewport={"width": 1360, "height": 900}).new_page()
    page.goto(f"{base}/ui/oversikt")
    assert "/ui/login" in page.url
    page.get_by_label("Användarnamn").fill("rita")
    page.get_by_label("Lösenord").fill("fel")
    page.get_by_role("button", name="Logga in").click()
    assert page.get_by_role("alert").inner_text() == "Fel användarnamn eller lösenord."
    _shot(page, "01-login")

    # the registrar uploads the scan with the upload page's file input (the drop zone uses the same code)
    reg = _login(chromium, base, "rita")
    assert reg.url.endswith("/ui/oversikt")
    reg.goto(f"{base}/ui/ladda-upp")
    reg.set_input_files("#file-input", scan["path"])
    link = reg.locator("#uploads .ok a")
    link.wait_for(timeout=30_000)
    item_url = link.get_attribute("href")
    assert item_url and re.fullmatch(r"/ui/mail/\d+", item_url)
    item_id = item_url.rsplit("/", 1)[1]
    _shot(reg, "03-upload")

    # the worker reads and classifies it; the item page shows where it ended
    deadline = time.monotonic() + 180
    while True:
        reg.goto(base + item_url)
        state = reg.locator("h1 .state").inner_text()
        if state not in WAITING:
            break
        assert time.monotonic() < deadline, f"item still {state}: " + (running.logs / "worker.log").read_text()[-3000:]
        time.sleep(1)
    assert state in ("Att granska", "Fördelad"), state

    reg.goto(f"{base}/ui/oversikt")
    reg.wait_for_timeout(500)
    _shot(reg, "02-overview")
    if state == "Att granska":
        reg.goto(f"{base}/ui/ko")  # advertising is never in the review tab (issue 14: the tabs are disjoint)
        assert reg.locator(f'a[href="{item_url}"]').count() == 0
        _shot(reg, "04-queue")
        reg.goto(f"{base}/ui/ko/reklam")  # advertising waits in the discard tray ("Reklam")
        assert reg.locator(f'a[href="{item_url}"]').count() >= 1
        _shot(reg, "12-discard-tray")

    # route it to HR from the item page
    reg.goto(base + item_url)
    assert reg.locator("#pages img").first.evaluate("img => img.complete && img.naturalWidth > 500")
    reg.get_by_title("Zooma in (+)").click()
    _shot(reg, "05-item")
    reg.get_by_label("Annan avdelning").select_option("HR")
    reg.locator("form.stack button[type=submit]").first.click()
    reg.wait_for_load_state()
    assert f"#{item_id} fördelad till HR" in reg.locator(".flash").inner_text()

    reg.goto(f"{base}/ui/sok?q=skrivbord")
    assert reg.locator(f'.hits a[href="{item_url}"]').count() == 1
    _shot(reg, "07-search")

    # the HR user finds it in the inbox and acknowledges it
    hr = _login(chromium, base, "hanna")
    assert hr.url.endswith("/ui/inkorg")
    assert hr.locator(f'a[href="{item_url}"]').count() >= 1
    _shot(hr, "06-inbox")
    hr.goto(base + item_url)
    hr.get_by_role("button", name="Kvittera mottagen").click()
    hr.wait_for_load_state()
    assert "kvitterad" in hr.locator(".flash").inner_text()
    hr.goto(f"{base}/ui/inkorg?visa=kvitterade")
    assert hr.locator(f'a[href="{item_url}"]').count() >= 1

    # another department sees nothing, not even by URL
    sbn = _login(chromium, base, "olle")
    assert sbn.locator(f'a[href="{item_url}"]').count() == 0
    response = sbn.goto(base + item_url)
    assert response is not None and response.status == 404
    assert "Hittades inte" in sbn.locator("h1").inner_text()
    assert sbn.goto(f"{base}{item_url}/original").status == 404

    # the history shows the routing decisions; the admin pages
    reg.goto(f"{base}{item_url}/historik")
    history = reg.locator("table").inner_text()
    assert "Fördelad" in history or "Omfördelad" in history
    assert "Kvitterad" in history
    _shot(reg, "08-history")
    admin = _login(chromium, base, "ada")
    admin.goto(f"{base}/ui/admin/anvandare")
    _shot(admin, "09-admin-users")
    admin.goto(f"{base}/ui/admin/avdelningar")
    _shot(admin, "10-admin-departments")
    admin.goto(f"{base}/ui/admin/regler")
    admin.locator("#new-pattern").fill("Migrationsverket")
    admin.locator("#new-dept").select_option("SN")
    admin.get_by_role("button", name="Skapa regel").click()
    admin.wait_for_load_state()
    assert "är skapad" in admin.locator(".flash").inner_text()
    assert admin.locator("table.rules code", has_text="Migrationsverket").count() == 1
    _shot(admin, "11-admin-rules")
