"""Who may see and do what with a mail item.

- admin, registrar (the registry): see every item, route and reroute.
- department: sees only items whose department is one of theirs and that are routed or
  acknowledged; acknowledges or returns them ("fel mottagare").
- viewer: sees no items (ROI figures only).
- admin may also acknowledge and return on any department's behalf.

Sensitive items (sekretess) therefore reach only the registry and the receiving department.
Items a user may not see are reported as not found, so their existence does not leak.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, true

from services.core.models import MailItem, User
from services.core.states import MailState

REGISTRY_ROLES = frozenset({"admin", "registrar"})
DEPARTMENT_VISIBLE_STATES: frozenset[str] = frozenset({MailState.routed.value, MailState.acknowledged.value})


def is_registry(user: User) -> bool:
    return user.role in REGISTRY_ROLES


def can_list(user: User) -> bool:
    return user.role in REGISTRY_ROLES or user.role == "department"


def can_view(user: User, item: MailItem) -> bool:
    if is_registry(user):
        return True
    if user.role == "department":
        return item.department_code in user.department_codes and item.state in DEPARTMENT_VISIBLE_STATES
    return False


def can_route(user: User) -> bool:
    return is_registry(user)


def can_answer_for_department(user: User, item: MailItem) -> bool:
    """Acknowledge or return: the receiving department, or an admin."""
    if user.role == "admin":
        return True
    return user.role == "department" and item.department_code in user.department_codes


def may_answer_at_all(user: User) -> bool:
    return user.role in {"admin", "department"}


def visibility_filter(user: User) -> ColumnElement[bool]:
    """The same rule as can_view, as a WHERE clause for lists."""
    if is_registry(user):
        return true()
    if user.role == "department" and user.department_codes:
        return and_(
            MailItem.department_code.in_(sorted(user.department_codes)),
            MailItem.state.in_(sorted(DEPARTMENT_VISIBLE_STATES)),
        )
    return false()
