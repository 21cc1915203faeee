"""Admin pages: departments (name, active), users (add, role, departments, password, deactivate), rules."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request, Response

from services.api.ui.render import UIRoute, redirect, render
from services.api.ui.session import require_role
from services.core.db import session_scope
from services.core.models import User
from services.mail import departments as dept_admin
from services.mail import service as mail
from services.users import admin as users_admin
from services.users.service import ROLES, create_user

router = APIRouter(route_class=UIRoute)
admin_only = require_role("admin")


@router.get("/ui/admin", include_in_schema=False)
def admin_home(user: User = Depends(admin_only)) -> Response:
    return redirect("/ui/admin/anvandare")


@router.get("/ui/admin/avdelningar", include_in_schema=False)
def departments_page(request: Request, msg: str | None = None, user: User = Depends(admin_only)) -> Response:
    with session_scope() as session:
        departments = mail.list_departments(session, include_inactive=True)
    return render(request, "admin_departments.html", departments=departments, message=msg)


@router.post("/ui/admin/avdelningar/{code}", include_in_schema=False)
def update_department(
    code: str, name: str = Form(""), active: bool = Form(False), user: User = Depends(admin_only)
) -> Response:
    with session_scope() as session:
        dept_admin.update_department(session, user, code, name, active)
    return redirect("/ui/admin/avdelningar", f"Avdelning {code.upper()} sparad.")


@router.get("/ui/admin/anvandare", include_in_schema=False)
def users_page(request: Request, msg: str | None = None, user: User = Depends(admin_only)) -> Response:
    with session_scope() as session:
        users = users_admin.list_users(session)
        for u in users:
            _ = u.department_codes
        departments = [d for d in mail.list_departments(session, include_inactive=True) if d.routable]
    return render(request, "admin_users.html", users=users, departments=departments, roles=ROLES, message=msg)


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
    return redirect("/ui/admin/anvandare", f"Användaren {name.strip()} är skapad.")


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
    return redirect("/ui/admin/anvandare", f"Användaren {name} är sparad.")


@router.post("/ui/admin/anvandare/{user_id}/losenord", include_in_schema=False)
def reset_password(user_id: int, password: str = Form(""), user: User = Depends(admin_only)) -> Response:
    with session_scope() as session:
        name = users_admin.set_password(session, user, user_id, password).name
    return redirect("/ui/admin/anvandare", f"Nytt lösenord satt för {name}.")


@router.post("/ui/admin/anvandare/{user_id}/aktiv", include_in_schema=False)
def set_active(user_id: int, active: bool = Form(False), user: User = Depends(admin_only)) -> Response:
    with session_scope() as session:
        name = users_admin.set_active(session, user, user_id, active).name
    return redirect("/ui/admin/anvandare", f"{name} är {'aktiverad' if active else 'avstängd'}.")


@router.get("/ui/admin/regler", include_in_schema=False)
def rules_page(request: Request, user: User = Depends(admin_only)) -> Response:
    from services.classify.signals import PREFIX_ALIASES, department_codes

    with session_scope() as session:
        departments = [d for d in mail.list_departments(session, include_inactive=True) if d.routable]
    prefixes = sorted(department_codes())
    return render(
        request, "admin_rules.html", departments=departments, prefixes=prefixes, aliases=sorted(PREFIX_ALIASES.items())
    )
