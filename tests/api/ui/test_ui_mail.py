"""Registry and department work through the UI: route, bulk route, acknowledge, return, privacy, audit."""

from __future__ import annotations

import io
import re
import time
from typing import Any

import pytest
from PIL import Image

from services.core.db import session_scope
from services.core.models import Event, MailItem
from tests.api.ui.conftest import form_token


def _events(item_id: int, action: str) -> list[Event]:
    with session_scope() as s:
        return list(s.query(Event).filter_by(item_id=item_id, action=action).all())


def _item(item_id: int) -> MailItem:
    with session_scope() as s:
        return s.get(MailItem, item_id)


@pytest.fixture
def people(ui_user: Any) -> None:
    ui_user("rita", "registrar")
    ui_user("sara", "department", ["SBN"])
    ui_user("olle", "department", ["MHN"])


def test_item_page_masks_personnummer_marks_case_refs_and_lists_suggestions(
    browser: Any, people: None, make_item: Any
) -> None:
    item_id = make_item(
        text="Ansökan om bygglov, Dnr SBN 2024/0312. Sökande 19811218-9876.",
        suggested_department="SBN",
        confidence=0.62,
        suggestions=[
            {"department": "INGEN", "confidence": 0.3},
            {"department": "SBN", "confidence": 0.62},
            {"department": "KS", "confidence": 0.21},
        ],
        reasons={"terms": ["bygglov", "ansökan"], "case_ref": "SBN 2024/0312"},
    )
    page = browser("rita").get(f"/ui/mail/{item_id}").text
    assert "9876" not in page and "19811218-XXXX" in page
    assert '<mark class="caseref" title="Diarienummer">SBN 2024/0312</mark>' in page
    # keys go to departments that can receive mail; advertising (INGEN) is shown but has no key
    assert re.search(r'value="SBN">\s*<button[^>]*data-key="1"', page)
    assert re.search(r'value="KS">\s*<button[^>]*data-key="2"', page)
    assert 'data-key="3"' not in page and "ej inkorg" in page and "62 %" in page
    assert "bygglov, ansökan" in page


def test_route_from_item_page_records_human_seconds(browser: Any, people: None, make_item: Any) -> None:
    item_id = make_item(suggested_department="SBN")
    c = browser("rita")
    html = c.get(f"/ui/mail/{item_id}").text
    opened = re.search(r'name="opened" value="([^"]+)"', html).group(1)
    time.sleep(1.1)
    r = c.post(
        f"/ui/mail/{item_id}/fordela",
        data={"department": "SBN", "opened": opened, "csrf_token": form_token(c, "/ui/ko")},
    )
    assert r.status_code == 303 and "ph_flash=" in r.headers.get("set-cookie", "")
    item = _item(item_id)
    assert item.state == "routed" and item.department_code == "SBN"
    (ev,) = _events(item_id, "routed")
    assert 1.0 <= ev.human_seconds < 30 and ev.detail["confirmed_suggestion"] is True
    # a forged or foreign stamp counts nothing
    r = c.post(
        f"/ui/mail/{item_id}/fordela",
        data={"department": "KS", "opened": "forged", "comment": "Fel nämnd", "csrf_token": form_token(c, "/ui/ko")},
    )
    assert _events(item_id, "rerouted")[0].human_seconds == 0


def test_department_acknowledges_and_another_department_cannot_touch_it(
    browser: Any, people: None, make_item: Any
) -> None:
    item_id = make_item(state="routed", department_code="SBN")
    sara, olle = browser("sara"), browser("olle")
    inbox = sara.get("/ui/inkorg").text
    assert f"/ui/mail/{item_id}" in inbox
    assert f"/ui/mail/{item_id}" not in olle.get("/ui/inkorg").text
    for url in (f"/ui/mail/{item_id}", f"/ui/mail/{item_id}/historik", f"/ui/mail/{item_id}/original"):
        assert olle.get(url).status_code == 404
    token = form_token(olle, "/ui/inkorg")
    assert olle.post(f"/ui/mail/{item_id}/kvittera", data={"csrf_token": token}).status_code == 404
    r = olle.post(f"/ui/mail/{item_id}/fel-mottagare", data={"comment": "inte vår", "csrf_token": token})
    assert r.status_code == 404
    assert _item(item_id).state == "routed"

    r = sara.post(f"/ui/mail/{item_id}/kvittera", data={"csrf_token": form_token(sara, "/ui/inkorg")})
    assert r.status_code == 303
    assert _item(item_id).state == "acknowledged"
    assert f"/ui/mail/{item_id}" in sara.get("/ui/inkorg?visa=kvitterade").text
    # acknowledging twice is a conflict with a readable page, not a crash
    r = sara.post(f"/ui/mail/{item_id}/kvittera", data={"csrf_token": form_token(sara, "/ui/inkorg")})
    assert r.status_code == 409 and "Redan ändrad" in r.text


def test_wrong_recipient_goes_back_to_the_registry_with_the_comment(browser: Any, people: None, make_item: Any) -> None:
    item_id = make_item(state="routed", department_code="SBN")
    sara = browser("sara")
    token = form_token(sara, "/ui/inkorg")
    r = sara.post(f"/ui/mail/{item_id}/fel-mottagare", data={"comment": "", "csrf_token": token})
    assert r.status_code == 422 and _item(item_id).state == "routed"
    r = sara.post(f"/ui/mail/{item_id}/fel-mottagare", data={"comment": "Gäller miljö", "csrf_token": token})
    assert r.status_code == 303
    assert _item(item_id).state == "returned"
    queue = browser("rita").get("/ui/ko").text
    assert f"/ui/mail/{item_id}" in queue and "Gäller miljö" in queue
    assert sara.get(f"/ui/mail/{item_id}").status_code == 404


def test_sensitive_views_are_audited_and_shown_in_history(browser: Any, people: None, make_item: Any) -> None:
    secret = make_item(state="routed", department_code="SBN", sensitive=True)
    plain = make_item(state="routed", department_code="SBN")
    sara, rita = browser("sara"), browser("rita")
    sara.get(f"/ui/mail/{secret}")
    rita.get(f"/ui/mail/{secret}")
    sara.get(f"/ui/mail/{plain}")
    viewers = sorted(e.actor.split(":")[2] for e in _events(secret, "viewed"))
    assert viewers == ["rita", "sara"]
    assert _events(plain, "viewed") == []
    history = rita.get(f"/ui/mail/{secret}/historik").text
    assert history.count("Visad (sekretess)") == 3  # two item views and this history view
    assert "ärendesidan" in history


def test_bulk_route_moves_the_checked_items_and_reports_the_rest(browser: Any, people: None, make_item: Any) -> None:
    a, b = make_item(), make_item()
    done = make_item(state="acknowledged", department_code="KS")
    c = browser("rita")
    token = form_token(c, "/ui/ko")
    r = c.post(
        "/ui/ko/fordela", data={"item_ids": [str(a), str(b), str(done)], "department": "MHN", "csrf_token": token}
    )
    assert r.status_code == 303
    assert _item(a).department_code == "MHN" and _item(b).department_code == "MHN"
    assert _item(done).state == "acknowledged"
    page = c.get(r.headers["location"]).text
    assert "2 försändelse(r) fördelade till MHN" in page and f"#{done}" in page


def test_queue_is_oldest_first(browser: Any, people: None, make_item: Any) -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    newer = make_item(created_at=now)
    older = make_item(created_at=now - timedelta(days=5))
    html = browser("rita").get("/ui/ko").text
    assert html.index(f"/ui/mail/{older}") < html.index(f"/ui/mail/{newer}")
    assert "Försenad" in html


def test_overview_counts_partial(browser: Any, people: None, make_item: Any) -> None:
    make_item()
    make_item(state="routed", department_code="SBN")
    html = browser("rita").get("/ui/oversikt/antal", headers={"HX-Request": "true"}).text
    assert 'data-state="needs_review"' in html
    assert "<html" not in html


def test_page_image_is_rendered_and_cached(browser: Any, people: None, make_item: Any) -> None:
    from services.core.blobs import get_blob_store

    buf = io.BytesIO()
    Image.new("L", (1700, 2200), 255).save(buf, format="PNG")
    sha = get_blob_store().put_bytes(buf.getvalue())
    item_id = make_item(sha256=sha, mime="image/png", filename="skanning.png")
    c = browser("rita")
    r = c.get(f"/ui/mail/{item_id}/sida/0.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(r.content)).width == 1100
    assert any(get_blob_store().derived_path(sha, "x").parent.glob("*.png"))
    assert c.get(f"/ui/mail/{item_id}/sida/5.png").status_code == 404
    original = c.get(f"/ui/mail/{item_id}/original")
    assert original.status_code == 200 and original.content == buf.getvalue()
    assert c.get(f"/ui/mail/{item_id}/sokbar.pdf").status_code == 404
    assert 'aria-disabled="true"' in c.get(f"/ui/mail/{item_id}").text


def test_upload_through_the_session(browser: Any, people: None, enqueued: list[Any]) -> None:
    c = browser("rita")
    token = form_token(c, "/ui/ladda-upp")
    buf = io.BytesIO()
    Image.new("L", (200, 100), 255).save(buf, format="PNG")
    files = {"file": ("skanning.png", buf.getvalue(), "image/png")}
    r = c.post("/ui/ladda-upp", files=files, headers={"X-CSRF-Token": token, "Accept": "application/json"})
    assert r.status_code == 202 and r.json()["url"] == f"/ui/mail/{r.json()['id']}"
    assert enqueued == [(r.json()["id"], "received")]
    again = c.post("/ui/ladda-upp", files=files, headers={"X-CSRF-Token": token, "Accept": "application/json"})
    assert again.status_code == 200 and again.json()["duplicate"] is True
    bad = c.post(
        "/ui/ladda-upp", files={"file": ("x.pdf", b"not a pdf", "application/pdf")}, headers={"X-CSRF-Token": token}
    )
    assert bad.status_code in (415, 422)
    sara = browser("sara")
    r = sara.post("/ui/ladda-upp", files=files, headers={"X-CSRF-Token": form_token(sara, "/ui/inkorg")})
    assert r.status_code == 403


def test_search_finds_text_and_respects_visibility(browser: Any, people: None, make_item: Any) -> None:
    theirs = make_item(text="Klagomål på buller från fläkt", state="routed", department_code="MHN")
    mine = make_item(text="Bygglov för carport och buller", state="routed", department_code="SBN")
    rita, sara = browser("rita"), browser("sara")
    html = rita.get("/ui/sok", params={"q": "buller"}).text
    assert f"/ui/mail/{theirs}" in html and f"/ui/mail/{mine}" in html
    html = sara.get("/ui/sok", params={"q": "buller"}).text
    assert f"/ui/mail/{mine}" in html and f"/ui/mail/{theirs}" not in html
