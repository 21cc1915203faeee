"""Admin pages: departments (name, active), users (add, role, departments, password, deactivate), routing rules
(list, create, edit priority/department/active, delete: services.classify.rules, as the JSON API)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request, Response

from services.api.ui import present, texts
from services.api.ui.render import UIRoute, redirect, render
from services.api.ui.session import require_role
from services.classify import rules
from services.core.db import session_scope
from services.core.models import User
from services.mail import departments as dept_admin
from services.mail import service as mail
from services.users import admin as users_admin
from services.users.service import ROLES, actor_for, create_user

router = APIRouter(route_class=UIRoute)
admin_only = require_role("admin")


@router.get("/ui/admin", include_in_schema=False)
def admin_home(user: User = Depends(admin_only)) -> Response:
    return redirect("/ui/admin/anvandare")


@router.get("/ui/admin/avdelningar", include_in_schema=False)
def departments_page(request: Request, user: User = Depends(admin_only)) -> Response:
    with session_scope() as session:
        departments = mail.list_departments(session, include_inactive=True)
    return render(request, "admin_departments.html", departments=departments)


@router.post("/ui/admin/avdelningar/{code}", include_in_schema=False)
def update_department(
    code: str, name: str = Form(""), active: bool = Form(False), user: User = Depends(admin_only)
) -> Response:
    with session_scope() as session:
        dept_admin.update_department(session, user, code, name, active)
    return redirect("/ui/admin/avdelningar", texts.flash("department_saved", code=code.upper()))


@router.get("/ui/admin/anvandare", include_in_schema=False)
def users_page(request: Request, user: User = Depends(admin_only)) -> Response:
    with session_scope() as session:
        users = users_admin.list_users(session)
        for u in users:
            _ = u.department_codes
        departments = [d for d in mail.list_departments(session, include_inactive=True) if d.routable]
    return render(request, "admin_users.html", users=users, departments=departments, roles=ROLES)


@router.post("/ui/admin/anvandare", include_in_schema=False)
def add_user(
    name: str = Form(""),
    role: str = Form(""),
    departments: list[str] = Form(default_factory=list),
    password: str = Form(""),
    user: User = Depends(admin_only),
) -> Response:
    users_admin.check_password(password)
    with session_scope() as session:
        create_user(session, name, role, departments=departments, password=password)
    return redirect("/ui/admin/anvandare", texts.flash("user_created", name=name.strip()))


@router.post("/ui/admin/anvandare/{user_id}", include_in_schema=False)
def update_user(
    user_id: int,
    role: str = Form(""),
    departments: list[str] = Form(default_factory=list),
    user: User = Depends(admin_only),
) -> Response:
    with session_scope() as session:
        changed = users_admin.update_user(session, user, user_id, role, departments)
        name = changed.name
    return redirect("/ui/admin/anvandare", texts.flash("user_saved", name=name))


@router.post("/ui/admin/anvandare/{user_id}/losenord", include_in_schema=False)
def reset_password(user_id: int, password: str = Form(""), user: User = Depends(admin_only)) -> Response:
    with session_scope() as session:
        name = users_admin.set_password(session, user, user_id, password).name
    return redirect("/ui/admin/anvandare", texts.flash("password_set", name=name))


@router.post("/ui/admin/anvandare/{user_id}/aktiv", include_in_schema=False)
def set_active(user_id: int, active: bool = Form(False), user: User = Depends(admin_only)) -> Response:
    with session_scope() as session:
        name = users_admin.set_active(session, user, user_id, active).name
    return redirect("/ui/admin/anvandare", texts.flash("user_active" if active else "user_inactive", name=name))


def _priority(value: str) -> int:
    """The form's priority as the JSON API accepts it (RuleIn: 0..10000), or InvalidRule."""
    try:
        priority = int(value.strip())
    except ValueError:
        priority = -1
    if not 0 <= priority <= 10_000:
        raise rules.InvalidRule("priority must be a whole number from 0 to 10000")
    return priority


def _rules_page(
    request: Request, message: str | None = None, error: str | None = None, form: dict[str, object] | None = None
) -> Response:
    from services.classify.signals import PREFIX_ALIASES, department_codes

    with session_scope() as session:
        departments = [d for d in mail.list_departments(session, include_inactive=True) if d.routable]
        rule_rows = list(rules.list_rules(session))
    return render(
        request,
        "admin_rules.html",
        status_code=422 if error else 200,
        rules=rule_rows,
        departments=departments,
        prefixes=sorted(department_codes()),
        aliases=sorted(PREFIX_ALIASES.items()),
        form=form or {"kind": "sender", "priority": 100, "active": True},
        error=error,
        message=message,
    )


@router.get("/ui/admin/regler", include_in_schema=False)
def rules_page(request: Request, user: User = Depends(admin_only)) -> Response:
    return _rules_page(request)


@router.post("/ui/admin/regler", include_in_schema=False)
def create_rule(
    request: Request,
    kind: str = Form(""),
    pattern: str = Form(""),
    is_regex: bool = Form(False),
    department: str = Form(""),
    priority: str = Form("100"),
    active: bool = Form(False),
    user: User = Depends(admin_only),
) -> Response:
    """A new sender or keyword rule; a rule that does not validate re-shows the form with the reason."""
    form = {"kind": kind, "pattern": pattern, "is_regex": is_regex, "department": department}
    form.update(priority=priority, active=active)
    try:
        with session_scope() as session:
            fields = {**form, "priority": _priority(priority)}
            rule = rules.create_rule(session, **fields, actor=actor_for(user))  # type: ignore[arg-type]
            rule_id = rule.id
    except rules.InvalidRule as exc:
        return _rules_page(request, error=present.rule_error(exc.message), form=form)
    return redirect("/ui/admin/regler", texts.flash("rule_created", id=rule_id))


@router.post("/ui/admin/regler/{rule_id}", include_in_schema=False)
def update_rule(
    request: Request,
    rule_id: int,
    department: str = Form(""),
    priority: str = Form("100"),
    active: bool = Form(False),
    user: User = Depends(admin_only),
) -> Response:
    try:
        with session_scope() as session:
            changes = {"department": department or None, "priority": _priority(priority), "active": active}
            rules.update_rule(session, rule_id, **changes)
    except rules.InvalidRule as exc:
        return _rules_page(request, error=f"Regel #{rule_id}: {present.rule_error(exc.message)}")
    return redirect("/ui/admin/regler", texts.flash("rule_saved" if active else "rule_saved_inactive", id=rule_id))


@router.post("/ui/admin/regler/{rule_id}/ta-bort", include_in_schema=False)
def delete_rule(rule_id: int, user: User = Depends(admin_only)) -> Response:
    with session_scope() as session:
        rules.delete_rule(session, rule_id)
    return redirect("/ui/admin/regler", texts.flash("rule_deleted", id=rule_id))
