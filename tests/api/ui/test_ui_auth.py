"""Login, logout, session expiry, CSRF, and who may open which page."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from services.core.db import session_scope
from services.core.models import User
from services.core.settings import get_settings
from tests.api.ui.conftest import PASSWORD, csrf_of, form_token


def test_login_lands_on_the_role_s_first_page_and_logout_ends_the_session(browser: Any, ui_user: Any) -> None:
    ui_user("rita", "registrar")
    ui_user("dan", "department", ["SBN"])
    reg = browser("rita")
    assert reg.get("/ui/").headers["location"] == "/ui/oversikt"
    page = reg.get("/ui/oversikt")
    assert page.status_code == 200 and "Inflöde" in page.text and "rita" in page.text
    assert browser("dan").get("/ui/").headers["location"] == "/ui/inkorg"

    r = reg.post("/ui/logout", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    assert reg.get("/ui/oversikt").headers["location"].startswith("/ui/login")


def test_wrong_password_is_401_with_a_message_and_no_session(browser: Any, ui_user: Any) -> None:
    ui_user("rita", "registrar")
    c = browser()
    token = csrf_of(c.get("/ui/login").text)
    r = c.post("/ui/login", data={"username": "rita", "password": "fel", "csrf_token": token})
    assert r.status_code == 401
    assert "Fel användarnamn eller lösenord" in r.text
    r = c.post("/ui/login", data={"username": "ingen", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 401
    assert c.get("/ui/oversikt").status_code == 303


def test_deactivated_user_cannot_log_in_and_is_thrown_out(browser: Any, ui_user: Any) -> None:
    uid = ui_user("rita", "registrar")
    c = browser("rita")
    with session_scope() as s:
        s.get(User, uid).active = False
    assert c.get("/ui/oversikt").headers["location"].startswith("/ui/login")
    token = csrf_of(c.get("/ui/login").text)
    r = c.post("/ui/login", data={"username": "rita", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 401


def test_expired_session_redirects_to_login(browser: Any, ui_user: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ui_user("rita", "registrar")
    c = browser("rita")
    assert c.get("/ui/oversikt").status_code == 200
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + get_settings().session_max_age_seconds + 5)
    r = c.get("/ui/oversikt")
    assert r.status_code == 303 and r.headers["location"] == "/ui/login?next=/ui/oversikt"
    # htmx polling gets a redirect instruction instead of a login page inside the widget
    r = c.get("/ui/oversikt/antal", headers={"HX-Request": "true"})
    assert r.headers.get("HX-Redirect", "").startswith("/ui/login")


def test_forged_cookie_is_no_session(browser: Any) -> None:
    c = browser()
    c.cookies.set("ph_session", "eyJ1aWQiOjF9.forged.sig")
    assert c.get("/ui/oversikt").status_code == 303


def test_post_without_csrf_token_is_403_and_changes_nothing(browser: Any, ui_user: Any, make_item: Any) -> None:
    ui_user("rita", "registrar")
    item_id = make_item()
    c = browser("rita")
    r = c.post(f"/ui/mail/{item_id}/fordela", data={"department": "SBN"})
    assert r.status_code == 403 and "säkerhetstoken" in r.text
    r = c.post(f"/ui/mail/{item_id}/fordela", data={"department": "SBN", "csrf_token": "x" * 32})
    assert r.status_code == 403
    r = c.post("/ui/login", data={"username": "rita", "password": PASSWORD})
    assert r.status_code == 403
    assert c.get(f"/ui/mail/{item_id}").text.count("Att granska") >= 1
    # a token from another browser's session is no good either
    other = browser()
    foreign = csrf_of(other.get("/ui/login").text)
    r = c.post(f"/ui/mail/{item_id}/fordela", data={"department": "SBN", "csrf_token": foreign})
    assert r.status_code == 403


def test_htmx_requests_send_the_token_in_a_header(browser: Any, ui_user: Any, make_item: Any) -> None:
    ui_user("rita", "registrar")
    item_id = make_item()
    c = browser("rita")
    token = form_token(c, "/ui/ko")
    r = c.post(f"/ui/mail/{item_id}/fordela", data={"department": "SBN"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 303


@pytest.mark.parametrize(
    ("role", "departments", "url", "status"),
    [
        ("department", ["SBN"], "/ui/ko", 403),
        ("department", ["SBN"], "/ui/admin/anvandare", 403),
        ("viewer", [], "/ui/inkorg", 403),
        ("viewer", [], "/ui/sok", 403),
        ("registrar", [], "/ui/admin/avdelningar", 403),
        ("registrar", [], "/ui/ladda-upp", 200),
        ("admin", [], "/ui/admin/regler", 200),
    ],
)
def test_pages_by_role(browser: Any, ui_user: Any, role: str, departments: list[str], url: str, status: int) -> None:
    ui_user("u", role, departments)
    assert browser("u").get(url).status_code == status


def test_secret_key_is_generated_once_and_private(isolated_settings: Any) -> None:
    settings = get_settings()
    key = settings.session_secret()
    path = settings.data_dir / "secret_key"
    assert len(key) > 40 and path.read_text().strip() == key
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert settings.session_secret() == key


def test_configured_secret_key_wins(isolated_settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.core.settings import reset_settings

    monkeypatch.setenv("POSTHANTERING_SECRET_KEY", "from-the-environment")
    reset_settings()
    assert get_settings().session_secret() == "from-the-environment"
    assert not (get_settings().data_dir / "secret_key").exists()
