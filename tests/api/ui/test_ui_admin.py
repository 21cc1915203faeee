"""Admin pages: departments and users, every change audited; routing rules created, edited and deleted."""

from __future__ import annotations

from typing import Any

import pytest

from services.core.db import session_scope
from services.core.models import Department, Event, RoutingRule, User
from tests.api.ui.conftest import PASSWORD, csrf_of, form_token


def test_admin_edits_a_department(browser: Any, ui_user: Any) -> None:
    ui_user("ada", "admin")
    c = browser("ada")
    token = form_token(c, "/ui/admin/avdelningar")
    r = c.post("/ui/admin/avdelningar/KFN", data={"name": "Kultur och fritid", "csrf_token": token})
    assert r.status_code == 303
    with session_scope() as s:
        dept = s.get(Department, "KFN")
        assert dept.name == "Kultur och fritid" and dept.active is False
        assert s.query(Event).filter_by(action="department_changed").count() == 1
    r = c.post("/ui/admin/avdelningar/KFN", data={"name": " ", "active": "true", "csrf_token": token})
    assert r.status_code == 422
    with session_scope() as s:
        assert s.get(Department, "KFN").name == "Kultur och fritid"


def test_admin_adds_changes_resets_and_deactivates_a_user(browser: Any, ui_user: Any) -> None:
    ui_user("ada", "admin")
    c = browser("ada")
    token = form_token(c, "/ui/admin/anvandare")
    form = {"name": "nils", "role": "department", "departments": ["TN"], "password": "kort", "csrf_token": token}
    assert c.post("/ui/admin/anvandare", data=form).status_code == 422
    form["password"] = PASSWORD
    assert c.post("/ui/admin/anvandare", data=form).status_code == 303
    with session_scope() as s:
        nils = s.query(User).filter_by(name="nils").one()
        uid = nils.id
        assert nils.department_codes == {"TN"}
    assert browser("nils").get("/ui/inkorg").status_code == 200

    r = c.post(
        f"/ui/admin/anvandare/{uid}", data={"role": "department", "departments": ["TN", "KS"], "csrf_token": token}
    )
    assert r.status_code == 303
    with session_scope() as s:
        assert s.get(User, uid).department_codes == {"TN", "KS"}
    r = c.post(f"/ui/admin/anvandare/{uid}/losenord", data={"password": "nytt-lösen-99", "csrf_token": token})
    assert r.status_code == 303
    fresh = browser()
    login = {"username": "nils", "password": "nytt-lösen-99", "csrf_token": csrf_of(fresh.get("/ui/login").text)}
    assert fresh.post("/ui/login", data=login).status_code == 303

    assert c.post(f"/ui/admin/anvandare/{uid}/aktiv", data={"csrf_token": token}).status_code == 303
    assert fresh.get("/ui/inkorg").status_code == 303  # thrown out at the next request
    with session_scope() as s:
        assert s.query(Event).filter_by(action="user_changed").count() == 3


def test_admin_cannot_lock_themselves_out(browser: Any, ui_user: Any) -> None:
    uid = ui_user("ada", "admin")
    c = browser("ada")
    token = form_token(c, "/ui/admin/anvandare")
    assert c.post(f"/ui/admin/anvandare/{uid}/aktiv", data={"csrf_token": token}).status_code == 422
    r = c.post(f"/ui/admin/anvandare/{uid}", data={"role": "viewer", "csrf_token": token})
    assert r.status_code == 422
    with session_scope() as s:
        assert s.get(User, uid).active and s.get(User, uid).role == "admin"


def test_rules_page_lists_case_reference_prefixes(browser: Any, ui_user: Any) -> None:
    ui_user("ada", "admin")
    html = browser("ada").get("/ui/admin/regler").text
    assert "SBN ÅÅÅÅ/NNNN" in html and "Samhällsbyggnadsnämnden" in html


def _rules() -> list[RoutingRule]:
    with session_scope() as s:
        return list(s.query(RoutingRule).order_by(RoutingRule.id).all())


def test_admin_creates_edits_and_deletes_a_rule(browser: Any, ui_user: Any) -> None:
    ui_user("ada", "admin")
    c = browser("ada")
    token = form_token(c, "/ui/admin/regler")
    form = {"kind": "sender", "pattern": "Migrationsverket", "department": "SN", "priority": "10", "active": "true"}
    r = c.post("/ui/admin/regler", data={**form, "csrf_token": token})
    assert r.status_code == 303 and "ph_flash=" in r.headers.get("set-cookie", "")
    (rule,) = _rules()
    assert (rule.kind, rule.pattern, rule.department_code, rule.priority, rule.active, rule.is_regex) == (
        "sender",
        "Migrationsverket",
        "SN",
        10,
        True,
        False,
    )
    assert rule.created_by != "system"
    page = c.get("/ui/admin/regler").text
    assert "Migrationsverket" in page and f'id="rule-prio-{rule.id}"' in page
    assert "SBN ÅÅÅÅ/NNNN" in page  # the built-in case-reference rules are still shown below

    # edit: priority and department changed, active unchecked (a checkbox that is not sent)
    r = c.post(f"/ui/admin/regler/{rule.id}", data={"department": "KS", "priority": "5", "csrf_token": token})
    assert r.status_code == 303
    (rule,) = _rules()
    assert (rule.department_code, rule.priority, rule.active) == ("KS", 5, False)
    r = c.post(f"/ui/admin/regler/{rule.id}", data={"department": "XX", "priority": "7", "csrf_token": token})
    assert r.status_code == 422 and "Okänd avdelning" in r.text
    assert _rules()[0].priority == 5  # nothing changed

    assert c.post(f"/ui/admin/regler/{rule.id}/ta-bort", data={"csrf_token": token}).status_code == 303
    assert _rules() == []
    assert c.post(f"/ui/admin/regler/{rule.id}/ta-bort", data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pattern": "(oavslutad", "is_regex": "true"}, "Ogiltigt reguljärt uttryck:"),
        ({"pattern": "x*", "is_regex": "true"}, "matchar tom text"),
        ({"pattern": "ab"}, "minst 3 tecken"),
        ({"pattern": "bygglov", "department": "NOPE"}, "Okänd avdelning: &#39;NOPE&#39;"),
        ({"pattern": "bygglov", "priority": "99999"}, "Prioriteten ska vara ett heltal"),
        ({"pattern": "bygglov", "priority": "tio"}, "Prioriteten ska vara ett heltal"),
    ],
)
def test_invalid_rule_shows_the_reason_keeps_the_form_and_creates_nothing(
    browser: Any, ui_user: Any, fields: dict[str, str], message: str
) -> None:
    ui_user("ada", "admin")
    c = browser("ada")
    form = {"kind": "keyword", "department": "SBN", "priority": "100", "active": "true", **fields}
    r = c.post("/ui/admin/regler", data={**form, "csrf_token": form_token(c, "/ui/admin/regler")})
    assert r.status_code == 422
    assert "Regeln sparades inte:" in r.text and message in r.text
    assert 'value="keyword" selected' in r.text  # the form keeps what was typed
    assert _rules() == []


def test_rules_are_for_admins_only(browser: Any, ui_user: Any) -> None:
    ui_user("rita", "registrar")
    c = browser("rita")
    assert c.get("/ui/admin/regler").status_code == 403
    token = form_token(c, "/ui/ko")
    form = {"kind": "sender", "pattern": "Migrationsverket", "department": "SN", "priority": "10", "csrf_token": token}
    assert c.post("/ui/admin/regler", data=form).status_code == 403
    assert _rules() == []
