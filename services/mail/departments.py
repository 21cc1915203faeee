"""Admin changes to departments: the display name and whether the department is active."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.core.errors import NotFound
from services.core.events import record
from services.core.models import Department, User
from services.mail import repository
from services.mail.service import InvalidRequest
from services.users.service import actor_for


def update_department(session: Session, admin: User, code: str, name: str, active: bool) -> Department:
    dept = repository.get_department(session, code.strip().upper())
    if dept is None:
        raise NotFound(f"no department {code!r}")
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidRequest("the department name must be 1 to 200 characters")
    before = {"name": dept.name, "active": bool(dept.active)}
    dept.name, dept.active = name, bool(active)
    record(
        session,
        item_id=None,
        actor=actor_for(admin),
        action="department_changed",
        detail={"department": dept.code, "before": before, "after": {"name": name, "active": bool(active)}},
    )
    return dept
