"""Admin pages: departments and users, every change audited; rules shown read-only."""

from __future__ import annotations

from typing import Any

from services.core.db import session_scope
from services.core.models import Department, Event, User
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
