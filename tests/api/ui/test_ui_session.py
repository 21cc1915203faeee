"""Session lifetime, late decisions, flash and the root, over HTTP (the browser tests: tests/e2e/test_ws_*)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from services.core.db import session_scope
from services.core.models import MailItem
from tests.api.ui.conftest import PASSWORD, csrf_of, form_token


def test_root_redirects_into_the_ui_and_msg_in_the_url_is_ignored(browser: Any, ui_user: Any) -> None:
    ui_user("rita", "registrar")
    c = browser("rita")
    assert c.get("/").headers["location"] == "/ui/"
    assert "Falskt besked" not in c.get("/ui/ko?msg=Falskt+besked").text


def test_a_decision_after_the_idle_timeout_is_kept_for_the_next_login(
    browser: Any, ui_user: Any, make_item: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ui_user("rita", "registrar")
    item_id = make_item(suggested_department="SBN")
    c = browser("rita")
    token = form_token(c, f"/ui/mail/{item_id}")
    later = time.time() + 31 * 60  # past the 30 minutes' idle timeout, within the 8 hours
    monkeypatch.setattr("services.api.ui.session_clock.time.time", lambda: later)
    assert c.get("/ui/ko").headers["location"].startswith("/ui/login")
    r = c.post(f"/ui/mail/{item_id}/fordela", data={"department": "SBN", "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/ui/login?next=/ui/fortsatt"
    assert "ph_pending=" in r.headers.get("set-cookie", "")
    with session_scope() as session:
        assert session.get(MailItem, item_id).state == "needs_review"
    # a forged token is not kept: the login page, nothing stored
    other = browser("rita")
    r = other.post(f"/ui/mail/{item_id}/fordela", data={"department": "KS", "csrf_token": "fel"})
    assert "ph_pending=" not in r.headers.get("set-cookie", "")

    login_token = csrf_of(c.get("/ui/login").text)
    r = c.post("/ui/login", data={"username": "rita", "password": PASSWORD, "csrf_token": login_token})
    assert r.headers["location"] == "/ui/fortsatt"
    page = c.get("/ui/fortsatt").text
    assert f'action="/ui/mail/{item_id}/fordela"' in page and 'value="SBN"' in page
    r = c.post(f"/ui/mail/{item_id}/fordela", data={"department": "SBN", "csrf_token": csrf_of(page)})
    assert r.status_code == 303
    with session_scope() as session:
        assert session.get(MailItem, item_id).state == "routed"


def test_the_absolute_limit_ends_even_an_active_session(
    browser: Any, ui_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ui_user("rita", "registrar")
    c = browser("rita")
    start = time.time()
    for minutes in (20, 40, 60):  # active every 20 minutes: the idle timeout never hits
        monkeypatch.setattr("services.api.ui.session_clock.time.time", lambda m=minutes: start + m * 60)
        monkeypatch.setattr("services.api.ui.render.time.time", lambda m=minutes: start + m * 60)
        assert c.get("/ui/ko").status_code == 200
    monkeypatch.setattr("services.api.ui.session_clock.time.time", lambda: start + 8 * 3600 + 1)
    assert c.get("/ui/ko").headers["location"].startswith("/ui/login")


def test_an_htmx_poll_after_expiry_sends_the_login_back_to_the_page(browser: Any, ui_user: Any) -> None:
    c = browser()
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/ui/oversikt"}
    r = c.get("/ui/oversikt/antal", headers=headers)
    assert r.status_code == 204 and r.headers["HX-Redirect"] == "/ui/login?next=/ui/oversikt"
    assert 'name="next" value=""' in c.get("/ui/login?next=/ui/oversikt/antal").text  # a fragment is no target
