"""Issue 9.4: login throttle with 429 + Retry-After, login audit, and sessions that really end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from services.api.ui.session import COOKIE
from services.core.db import session_scope
from services.core.models import Event, User, utcnow
from services.core.settings import reset_settings
from services.users import admin as users_admin
from services.users import sessions
from tests.api.ui.conftest import PASSWORD, csrf_of


def _login(c: Any, name: str, password: str) -> Any:
    token = csrf_of(c.get("/ui/login").text)
    return c.post("/ui/login", data={"username": name, "password": password, "csrf_token": token})


def _actions(prefix: str = "login") -> list[str]:
    with session_scope() as s:
        return [e.action for e in s.scalars(select(Event).where(Event.action.like(f"{prefix}%")).order_by(Event.id))]


def test_five_failures_lock_the_account_even_for_the_right_password(browser: Any, ui_user: Any) -> None:
    ui_user("rita", "registrar")
    c = browser()
    for _ in range(5):
        assert _login(c, "rita", "fel-lösen").status_code == 401
    r = _login(c, "rita", PASSWORD)
    assert r.status_code == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 30
    assert "För många misslyckade inloggningar" in r.text
    assert _login(browser(), "rita", PASSWORD).status_code == 429  # per account: a new browser does not help
    assert _actions() == ["login_failed"] * 5 + ["login_throttled"] * 2


def test_the_lock_grows_and_a_success_clears_the_account(browser: Any, ui_user: Any, monkeypatch: Any) -> None:
    ui_user("rita", "registrar")
    c = browser()
    for _ in range(5):
        _login(c, "rita", "fel")
    later = utcnow() + timedelta(seconds=31)
    monkeypatch.setattr(sessions, "utcnow", lambda: later)
    assert _login(c, "rita", "fel").status_code == 401  # the lock has passed: one more try, and a longer lock
    r = _login(c, "rita", PASSWORD)
    assert r.status_code == 429 and 31 <= int(r.headers["Retry-After"]) <= 60
    monkeypatch.setattr(sessions, "utcnow", lambda: later + timedelta(seconds=61))
    assert _login(c, "rita", PASSWORD).status_code == 303
    assert _login(c, "rita", "fel").status_code == 401  # the count started again from zero
    assert _actions()[-2:] == ["login", "login_failed"]


def test_one_address_is_throttled_across_accounts(browser: Any, ui_user: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("POSTHANTERING_LOGIN_MAX_FAILURES_PER_ADDRESS", "4")
    reset_settings()
    ui_user("rita", "registrar")
    c = browser()
    for name in ("anna", "bo", "cecilia", "david"):  # a different account each time (password spraying)
        assert _login(c, name, "Sommar2025").status_code == 401
    assert _login(c, "rita", PASSWORD).status_code == 429
    with session_scope() as s:
        failed = s.scalars(select(Event).where(Event.action == "login_failed")).all()
        assert {e.detail["account"] for e in failed} == {"(okänt konto)"}  # typed names are not stored


def test_a_cookie_saved_before_logout_no_longer_opens_anything(browser: Any, ui_user: Any) -> None:
    ui_user("rita", "registrar")
    c = browser("rita")
    page = c.get("/ui/oversikt")
    saved = c.cookies.get(COOKIE)
    assert c.post("/ui/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 303
    thief = browser()
    thief.cookies.set(COOKIE, saved)
    assert thief.get("/ui/oversikt").headers["location"].startswith("/ui/login")
    assert _actions("log") == ["login", "logout"]


def test_logout_everywhere_ends_the_other_computers_sessions(browser: Any, ui_user: Any) -> None:
    ui_user("rita", "registrar")
    desk, laptop = browser("rita"), browser("rita")
    assert laptop.get("/ui/oversikt").status_code == 200
    page = desk.get("/ui/oversikt")
    assert desk.post("/ui/logout-overallt", data={"csrf_token": csrf_of(page.text)}).status_code == 303
    assert laptop.get("/ui/oversikt").headers["location"].startswith("/ui/login")
    assert browser("rita").get("/ui/oversikt").status_code == 200  # logging in again works


@pytest.mark.parametrize("change", ["password", "deactivate"])
def test_password_change_and_deactivation_end_every_session(browser: Any, ui_user: Any, change: str) -> None:
    admin_id = ui_user("ada", "admin")
    uid = ui_user("rita", "registrar")
    c = browser("rita")
    assert c.get("/ui/oversikt").status_code == 200
    with session_scope() as s:
        admin = s.get(User, admin_id)
        if change == "password":
            users_admin.set_password(s, admin, uid, "ett-nytt-lösen-2")
        else:
            users_admin.set_active(s, admin, uid, False)
            users_admin.set_active(s, admin, uid, True)  # back on: the old cookie must still be dead
    assert c.get("/ui/oversikt").headers["location"].startswith("/ui/login")
