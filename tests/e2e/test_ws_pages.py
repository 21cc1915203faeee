"""Issue 14 in the browser, pages: the viewer keeps the whole page reachable (3), lists say who and what (6),
every page is Swedish (7), flash messages only from the server (11), the root opens the UI (12)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.processes import Stack
from tests.support.workstation import LETTERS, add_item, login

pytestmark = pytest.mark.e2e

REACH = """() => {
  const box = document.getElementById("pages"), img = box.querySelector(".page-frame img");
  const b = box.getBoundingClientRect(), r = img.getBoundingClientRect();
  return {left: r.left - b.left + box.scrollLeft, top: r.top - b.top + box.scrollTop,
          right: r.right - b.left + box.scrollLeft, bottom: r.bottom - b.top + box.scrollTop,
          width: r.width, height: r.height, sw: box.scrollWidth, sh: box.scrollHeight,
          cw: box.clientWidth, ch: box.clientHeight, sl: box.scrollLeft};
}"""


def _whole_page_reachable(page: Any) -> dict[str, float]:
    g = page.evaluate(REACH)
    assert g["left"] >= -1 and g["top"] >= -1, g  # nothing left of or above the scrollable area
    assert g["right"] <= g["sw"] + 1 and g["bottom"] <= g["sh"] + 1, g  # nor beyond its end
    return g


def test_the_viewer_keeps_the_whole_page_reachable_from_the_keyboard(ws: Stack, browser: Any) -> None:
    item = add_item(ws, LETTERS["bygglov"], suggested_department="SBN")
    reg = login(browser, ws.base_url, "rita")
    reg.goto(f"{ws.base_url}/ui/mail/{item}")
    reg.locator("#pages img").first.evaluate("img => img.decode()")
    reg.locator(".viewer-tools button").last.focus()
    for _ in range(3):  # the page area is the next tab stop after the viewer's toolbar
        reg.keyboard.press("Tab")
        if reg.evaluate("() => document.activeElement.id") == "pages":
            break
    assert reg.evaluate("() => document.activeElement.id") == "pages"
    for _ in range(4):
        reg.keyboard.press("+")
    assert reg.locator("#zoom-level").inner_text() == "200 %"
    g = _whole_page_reachable(reg)
    assert g["sw"] > g["cw"] * 1.5  # zoomed: wider than the viewer, so it is panned
    reg.keyboard.press("ArrowRight")
    reg.keyboard.press("End")
    reg.wait_for_timeout(200)
    assert reg.evaluate("() => document.getElementById('pages').scrollLeft") > g["sl"]
    reg.keyboard.press("r")  # 90 degrees: still all inside
    g = _whole_page_reachable(reg)
    assert g["width"] > g["height"]
    reg.keyboard.press("h")  # fit the page: all of it visible at once
    g = _whole_page_reachable(reg)
    assert g["height"] <= g["ch"] and g["width"] <= g["cw"]
    reg.keyboard.press("w")  # fit the width
    g = _whole_page_reachable(reg)
    assert g["cw"] - 40 <= g["width"] <= g["cw"]
    reg.get_by_role("button", name="Zooma in").click()
    _whole_page_reachable(reg)


def test_lists_show_sender_subject_type_case_arrival_and_deadline(ws: Stack, browser: Any) -> None:
    today = datetime.now(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d")  # the lists show Swedish dates
    review = add_item(ws, LETTERS["bygglov"], case_refs=["SBN 2025/0142"], doc_type="ansokan")
    ad = add_item(ws, LETTERS["reklam"], suggested_department="INGEN", doc_type="reklam", reasons={"tray": "discard"})
    routed = add_item(
        ws, LETTERS["buller"], state="routed", department_code="HR", doc_type="klagomal", routed_at=datetime.now(UTC)
    )
    reg = login(browser, ws.base_url, "rita")
    for url, item, texts in (
        ("/ui/ko", review, ("Ansökan om bygglov för carport", "Anna Berg", "Ansökan", "SBN 2025/0142", today)),
        ("/ui/ko/reklam", ad, ("KONTORSMÖBLER DIREKT", "Reklam", today)),
        ("/ui/oversikt", review, ("Ansökan om bygglov för carport", "Anna Berg", "Ansökan", "SBN 2025/0142")),
    ):
        reg.goto(ws.base_url + url)
        row = reg.locator(f'tr[data-id="{item}"]').first
        assert all(t in row.inner_text() for t in texts), (url, row.inner_text())
        assert "skanner-" not in row.inner_text()
        assert row.locator(".dl").inner_text() in ("I tid", "Sista dag idag", "Försenad")
    reg.goto(f"{ws.base_url}/ui/sok?q=carport")
    hit = reg.locator(f'.hits li[data-id="{review}"]').inner_text()
    assert "Ansökan om bygglov för carport" in hit and "Anna Berg" in hit and "frist" in hit
    hr = login(browser, ws.base_url, "hanna")
    row = hr.locator(f'tr[data-id="{routed}"]').inner_text()
    assert "Klagomål på buller från fläkt" in row and "Karl Lund" in row and "Klagomål" in row and "Senast" in row


def test_flash_messages_come_only_from_the_server(ws: Stack, browser: Any) -> None:
    reg = login(browser, ws.base_url, "rita")
    for url in ("/ui/ko?msg=Falskt+meddelande", "/ui/oversikt?msg=Falskt+meddelande"):
        reg.goto(ws.base_url + url)
        assert "Falskt" not in reg.locator("#flash").inner_text()
    reg.get_by_role("button", name="Logga ut", exact=True).click()
    reg.wait_for_url("**/ui/login")
    assert "Du är utloggad." in reg.locator("#flash").inner_text()
    reg.reload()
    assert reg.locator("#flash").inner_text().strip() == ""  # shown once
    reg.goto(f"{ws.base_url}/ui/login?msg=Ditt+konto+%C3%A4r+sp%C3%A4rrat")
    assert "spärrat" not in reg.content()


def test_the_root_opens_the_login_page_or_the_start_page(ws: Stack, browser: Any) -> None:
    page = browser.new_context().new_page()
    response = page.goto(ws.base_url + "/")
    assert response is not None and response.status == 200 and "/ui/login" in page.url
    reg = login(browser, ws.base_url, "rita")
    reg.goto(ws.base_url + "/")
    assert reg.url.endswith("/ui/oversikt")


# Words that are English, not Swedish (and the classifier's document type codes), as whole words.
ENGLISH = set(
    """the and of is are not must cannot failed error unknown item items department departments file page pages
    invalid required with from this that which should please found missing hours saved year years cost costs salary
    rate assumptions assumption formula step steps minutes before after review routed upload uploaded quarantined
    encrypted damaged password user users role rule rules sender keyword priority active inactive save cancel delete
    search results none null true false yes no per_item mail letter letters payback discount horizon investment
    running value net present projection weekly monthly week month total_hours amount type types state states
    general advertising newsletters catalogues about children courts police employees on paper
    ansokan anmalan klagomal forfragan begaran_allman_handling ovrigt paminnelse overklagande arsrakning
    komplettering""".split()  # noqa: SIM905 - a word list reads best as text
)
SKIP = re.compile(r"/(original|sokbar\.pdf|sida/|historik$)|\.(png|csv|json|xml)$|/ui/static/|/export|logout")


def _visible_words(page: Any) -> list[str]:
    text = page.evaluate(
        """() => { const c = document.body.cloneNode(true);
        c.querySelectorAll('pre.ocr, .snippet, script, style, code, kbd, .sender, .subject, .return-comment')
          .forEach(e => e.remove());
        const attrs = [...document.querySelectorAll('[title],[aria-label],[placeholder],[alt]')]
          .map(e => [e.title, e.getAttribute('aria-label'), e.placeholder, e.alt].filter(Boolean).join(' '));
        return c.innerText + ' ' + document.title + ' ' + attrs.join(' '); }"""
    )
    return re.findall(r"[A-Za-zÅÄÖåäöéÉ_]+", text)


def _crawl(page: Any, base: str, start: str, limit: int = 30) -> dict[str, list[str]]:
    seen: set[str] = set()
    todo = [start]
    english: dict[str, list[str]] = {}
    while todo and len(seen) < limit:
        url = todo.pop(0)
        if url in seen or SKIP.search(url):
            continue
        seen.add(url)
        page.goto(base + url)
        found = sorted({w for w in _visible_words(page) if w.lower() in ENGLISH})
        if found:
            english[url] = found
        links = page.locator("a[href^='/ui/']").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        todo.extend(u.split("#")[0] for u in links if u.split("#")[0] not in seen)
    return english


def test_every_page_is_swedish_for_every_role(ws: Stack, browser: Any, tmp_path: Path) -> None:
    add_item(ws, "Trasigt", state="failed", state_reason="ingest.extract: page 2: damaged or unreadable (ValueError)")
    add_item(ws, "", state="quarantined", state_reason="too many pages: 900 (limit 500)")
    add_item(ws, LETTERS["skola"], doc_type="begaran_allman_handling", suggested_department="BUN")
    add_item(ws, LETTERS["buller"], state="routed", department_code="HR", doc_type="klagomal")
    english: dict[str, list[str]] = {}
    for name, start in (("rita", "/ui/oversikt"), ("ada", "/ui/admin/anvandare"), ("hanna", "/ui/inkorg")):
        page = login(browser, ws.base_url, name)
        english.update({f"{name} {u}": w for u, w in _crawl(page, ws.base_url, start).items()})

    # error pages and messages: a missing item, an upload that is refused, an admin form error
    reg = login(browser, ws.base_url, "rita")
    reg.goto(f"{ws.base_url}/ui/mail/999999")
    english["missing item"] = [w for w in _visible_words(reg) if w.lower() in ENGLISH]
    empty = tmp_path / "tom.pdf"
    empty.write_bytes(b"")
    reg.goto(f"{ws.base_url}/ui/ladda-upp")
    reg.set_input_files("#file-input", str(empty))
    reg.locator("#uploads .err").wait_for()
    assert "tom fil" in reg.locator("#uploads .err").inner_text().lower()
    english["upload"] = [w for w in _visible_words(reg) if w.lower() in ENGLISH]
    admin = login(browser, ws.base_url, "ada")
    admin.goto(f"{ws.base_url}/ui/admin/anvandare")
    admin.locator("#new-name").fill("hanna")  # exists already, and a department user without a department
    admin.locator("#new-pw").fill("ett-langt-losenord")
    admin.get_by_role("button", name="Skapa användare").click()
    admin.wait_for_load_state()
    assert admin.locator(".alert").count() == 1
    english["admin error"] = [w for w in _visible_words(admin) if w.lower() in ENGLISH]
    english = {k: v for k, v in english.items() if v}
    assert not english, english
