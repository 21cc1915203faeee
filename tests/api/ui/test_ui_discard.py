"""The discard tray (advertising) in the UI, and the routing reasons shown readably on the item page."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from services.core.db import session_scope
from services.core.models import Event, MailItem
from tests.api.ui.conftest import form_token

AD = {"suggested_department": "INGEN", "confidence": 0.97, "reasons": {"tray": "discard", "rule": None}}


@pytest.fixture
def rita(browser: Any, ui_user: Any) -> Any:
    ui_user("rita", "registrar")
    return browser("rita")


def _state(item_id: int) -> str:
    with session_scope() as s:
        return s.get(MailItem, item_id).state


def _discard_events(item_id: int) -> list[Event]:
    with session_scope() as s:
        return list(s.query(Event).filter_by(item_id=item_id, action="discarded").all())


def _opened(html: str) -> str:
    return re.search(r'name="opened" value="([^"]+)"', html).group(1)


def test_discard_from_the_item_page_records_human_seconds(rita: Any, make_item: Any) -> None:
    item_id = make_item(filename="erbjudande.pdf", **AD)
    html = rita.get(f"/ui/mail/{item_id}").text
    assert 'data-shortcut="d"' in html and "Kasta (reklam)" in html
    time.sleep(1.1)
    r = rita.post(f"/ui/mail/{item_id}/kasta", data={"opened": _opened(html), "csrf_token": form_token(rita, "/ui/ko")})
    assert (
        r.status_code == 303
        and r.headers["location"] == "/ui/ko/reklam"
        and "ph_flash=" in r.headers.get("set-cookie", "")
    )
    assert _state(item_id) == "discarded"
    (ev,) = _discard_events(item_id)
    assert 1.0 <= ev.human_seconds < 30 and ev.detail["confirmed_suggestion"] is True
    # final: a second click is a conflict, nothing more is written
    r = rita.post(f"/ui/mail/{item_id}/kasta", data={"csrf_token": form_token(rita, "/ui/ko")})
    assert r.status_code == 409 and len(_discard_events(item_id)) == 1
    assert "Kasta (reklam)" not in rita.get(f"/ui/mail/{item_id}").text


def test_the_discard_button_is_only_for_the_tray(rita: Any, make_item: Any) -> None:
    item_id = make_item(suggested_department="SBN", confidence=0.5, reasons={"rule": None})
    assert "Kasta (reklam)" not in rita.get(f"/ui/mail/{item_id}").text


def test_reklam_tab_lists_the_tray_and_discards_one_or_many(rita: Any, make_item: Any) -> None:
    ads = [make_item(filename=f"x-{i}.pdf", text=f"Reklambolaget {i}\n\nKampanj nummer {i}", **AD) for i in range(3)]
    letter = make_item(text="Anna Berg\n\nAnsökan om bygglov", suggested_department="SBN", confidence=0.5)
    queue = rita.get("/ui/ko").text
    assert re.search(r'href="/ui/ko/reklam"[^>]*>Reklam <span class="count">3</span>', queue)
    tray = rita.get("/ui/ko/reklam").text
    assert all(f"Kampanj nummer {i}" in tray and f"Reklambolaget {i}" in tray for i in range(3))
    assert "Ansökan om bygglov" not in tray
    assert f'formaction="/ui/mail/{ads[0]}/kasta"' in tray and "Kasta markerade" in tray
    token, opened = form_token(rita, "/ui/ko/reklam"), _opened(tray)
    time.sleep(1.1)

    # one click in the list (the whole form is sent: the checked boxes do not matter for it)
    r = rita.post(f"/ui/mail/{ads[0]}/kasta", data={"item_ids": [ads[1]], "opened": opened, "csrf_token": token})
    assert r.status_code == 303
    assert _state(ads[0]) == "discarded" and _state(ads[1]) == "needs_review"
    assert _discard_events(ads[0])[0].human_seconds >= 1.0

    # bulk: first a confirmation page, nothing discarded yet
    r = rita.post("/ui/ko/kasta", data={"item_ids": [ads[1], ads[2], ads[0]], "opened": opened, "csrf_token": token})
    assert r.status_code == 200 and "Kasta 3 försändelse(r)?" in r.text
    assert _state(ads[1]) == "needs_review"
    # confirmed: the rest of the tray; an item no longer waiting is skipped and named, not an error
    data = {"item_ids": [ads[1], ads[2], ads[0]], "opened": opened, "csrf_token": token, "bekraftat": "ja"}
    r = rita.post("/ui/ko/kasta", data=data)
    assert r.status_code == 303
    message = rita.get(r.headers["location"]).text
    assert "2 försändelse(r) kastade. De kan återställas under 30 dagar." in message
    assert f"Hoppade över (inte längre i facket): #{ads[0]}" in message
    assert [_state(i) for i in ads] == ["discarded"] * 3 and _state(letter) == "needs_review"
    shares = [_discard_events(i)[0].human_seconds for i in ads[1:]]
    assert all(s > 0 for s in shares) and shares[0] == pytest.approx(shares[1])
    assert "Ingen reklam väntar." in rita.get("/ui/ko/reklam").text

    # nothing checked: a message, nothing changed
    r = rita.post("/ui/ko/kasta", data={"csrf_token": token})
    assert r.status_code == 303 and "ph_flash=" in r.headers.get("set-cookie", "")


def test_department_users_have_no_tray_and_cannot_discard(browser: Any, ui_user: Any, make_item: Any) -> None:
    ui_user("sara", "department", ["SBN"])
    item_id = make_item(**AD)
    c = browser("sara")
    token = form_token(c, "/ui/inkorg")
    assert c.get("/ui/ko/reklam").status_code == 403
    assert c.post("/ui/ko/kasta", data={"item_ids": [item_id], "csrf_token": token}).status_code == 403
    assert c.post(f"/ui/mail/{item_id}/kasta", data={"csrf_token": token}).status_code == 403
    assert _state(item_id) == "needs_review" and _discard_events(item_id) == []


def test_reasons_are_shown_readably_in_swedish(rita: Any, make_item: Any) -> None:
    item_id = make_item(
        suggested_department="SBN",
        confidence=0.62,
        decision="review",
        reasons={
            "rule": "keyword rule #4 'bygglov'",
            "terms": ["bygglov", "fasad", "plan"],
            "lexicon": ["bygg", "detaljplan"],
            "runner_up": [{"department": "KS", "confidence": 0.0125}, {"department": "SN", "confidence": 0.0081}],
            "threshold": 0.85,
            "sensitive": ["department SN", "personnummer 19811218-9876"],
        },
    )
    page = rita.get(f"/ui/mail/{item_id}").text
    # sent to review: the confidence below the threshold decided; the rule only weighed in (issue 14, 9)
    assert "<dt>Till granskning</dt><dd>säkerheten 62 % är under gränsen 85 %</dd>" in page
    assert "<dt>Regel som vägde in (avgjorde inte)</dt><dd>Nyckelordsregel #4: &#39;bygglov&#39;</dd>" in page
    assert "Regel som avgjorde" not in page
    assert "<dt>Starkaste ord</dt><dd>bygglov, fasad, plan</dd>" in page
    assert "<dt>Ord från avdelningens område</dt><dd>bygg, detaljplan</dd>" in page
    assert "<dt>Närmast efter</dt><dd>KS 1 %, SN 1 %</dd>" in page
    assert "avdelning SN" in page and "9876" not in page
    assert "runner up" not in page and "{&#39;department&#39;" not in page


def test_tray_reason_and_known_case_rule(rita: Any, make_item: Any) -> None:
    ad = make_item(**AD)
    assert "<dt>Fack</dt><dd>Reklam: föreslås kastas" in rita.get(f"/ui/mail/{ad}").text
    known = make_item(suggested_department="SBN", reasons={"rule": "known_case SBN 2024/0312"})
    assert "<dd>Känt ärende SBN 2024/0312</dd>" in rita.get(f"/ui/mail/{known}").text
