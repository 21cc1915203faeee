"""Human actions on mail: view, list, route (registry), acknowledge and return (department).

Every action is one compare-and-set transition plus an event carrying the actor
(`user:<id>:<name>`) and the measured human touch time; the ROI report sums those.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.classify.cases import record_routed
from services.core.errors import Conflict, DomainError, Forbidden, NotFound
from services.core.events import transition
from services.core.models import Department, MailItem, User, utcnow
from services.core.states import MailState
from services.mail import permissions, repository
from services.mail.schemas import MAX_HUMAN_SECONDS
from services.users.service import actor_for

MAX_LIMIT = 200
ROUTABLE_FROM = (MailState.needs_review, MailState.returned, MailState.routed)
RETURN_REASON = "fel mottagare"


class InvalidRequest(DomainError):
    status_code = 422
    code = "invalid_request"


def _human_seconds(value: float) -> float:
    value = float(value or 0.0)
    if value < 0 or value > MAX_HUMAN_SECONDS:
        raise InvalidRequest(f"human_seconds must be between 0 and {MAX_HUMAN_SECONDS}")
    return value


def _visible_item(session: Session, user: User, item_id: int) -> MailItem:
    item = repository.get_item(session, item_id)
    if item is None or not permissions.can_view(user, item):
        raise NotFound(f"no mail item {item_id}")
    return item


def get_item(session: Session, user: User, item_id: int) -> MailItem:
    return _visible_item(session, user, item_id)


def list_items(
    session: Session,
    user: User,
    state: str | None = None,
    department: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[MailItem], int]:
    if not permissions.can_list(user):
        raise Forbidden(f"role {user.role!r} may not list mail")
    if state is not None:
        try:
            state = MailState(state).value
        except ValueError:
            raise InvalidRequest(f"unknown state {state!r}", states=[s.value for s in MailState]) from None
    if department is not None:
        department = department.strip().upper() or None
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest(f"limit must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise InvalidRequest("offset must not be negative")
    return repository.list_items(
        session,
        permissions.visibility_filter(user),
        state=state,
        department=department,
        limit=limit,
        offset=offset,
    )


def _target_department(session: Session, code: str) -> Department:
    code = (code or "").strip().upper()
    dept = repository.get_department(session, code)
    if dept is None:
        raise InvalidRequest(f"unknown department {code!r}", department=code)
    if not dept.active:
        raise InvalidRequest(f"department {code} is not active", department=code)
    if not dept.routable:
        raise InvalidRequest(f"department {code} cannot receive mail", department=code)
    return dept


def route_item(
    session: Session,
    user: User,
    item_id: int,
    department: str,
    comment: str | None = None,
    human_seconds: float = 0.0,
    require_reroute_reason: bool = False,
) -> MailItem:
    """Registry decision: needs_review/returned -> routed, or reroute a routed item elsewhere (with
    `require_reroute_reason`, as the UI asks, a reroute needs a comment saying why)."""
    if not permissions.can_route(user):
        raise Forbidden(f"role {user.role!r} may not route mail")
    seconds = _human_seconds(human_seconds)
    item = _visible_item(session, user, item_id)
    dept = _target_department(session, department)
    if item.state == MailState.routed.value and item.department_code == dept.code:
        raise Conflict(f"item {item_id} is already routed to {dept.code}", state=item.state)
    if require_reroute_reason and item.state == MailState.routed.value and not (comment or "").strip():
        raise InvalidRequest("a reason is required to reroute an item that is already routed")
    previous = item.department_code
    transition(
        session,
        item,
        expected=ROUTABLE_FROM,
        to=MailState.routed,
        actor=actor_for(user),
        action="rerouted" if item.state == MailState.routed.value else "routed",
        human_seconds=seconds,
        detail={
            "department": dept.code,
            "previous_department": previous,
            "suggested_department": item.suggested_department,
            "confirmed_suggestion": dept.code == item.suggested_department,
            "comment": comment,
            "human_seconds": seconds,
        },
        values={
            "department_code": dept.code,
            "routed_at": utcnow(),
            "acknowledged_at": None,
            "state_reason": None,
        },
    )
    record_routed(session, item.case_refs or [], dept.code)  # the case register learns the case's department
    return item


def pages_read_label(item: MailItem) -> str | None:
    """For a letter decided on its first pages whose other pages are still being read (issue 11):
    "läses fortfarande (3 av 10 sidor)"; None when its text is complete."""
    if not item.text_pending:
        return None
    return f"läses fortfarande ({len(item.pages)} av {item.page_count} sidor)"


def require_complete_text(item: MailItem) -> None:
    """A final answer (acknowledge, discard) waits until every page is read: until then the text,
    the search index and the searchable PDF are incomplete (the original file is there to read)."""
    label = pages_read_label(item)
    if label is not None:
        raise Conflict(f"Brevet {label}; vänta tills hela texten är klar.", state=item.state)


def _answerable_item(session: Session, user: User, item_id: int) -> MailItem:
    if not permissions.may_answer_at_all(user):
        raise Forbidden(f"role {user.role!r} may not acknowledge or return mail")
    item = _visible_item(session, user, item_id)
    if not permissions.can_answer_for_department(user, item):
        raise Forbidden(f"item {item_id} is not addressed to your department")
    return item


def acknowledge_item(session: Session, user: User, item_id: int, human_seconds: float = 0.0) -> MailItem:
    """The receiving department takes the item: routed -> acknowledged."""
    seconds = _human_seconds(human_seconds)
    item = _answerable_item(session, user, item_id)
    require_complete_text(item)
    transition(
        session,
        item,
        expected=MailState.routed,
        to=MailState.acknowledged,
        actor=actor_for(user),
        action="acknowledged",
        human_seconds=seconds,
        detail={"department": item.department_code, "human_seconds": seconds},
        values={"acknowledged_at": utcnow()},
    )
    return item


def return_item(session: Session, user: User, item_id: int, comment: str, human_seconds: float = 0.0) -> MailItem:
    """Fel mottagare: the department sends the item back to the registry (routed -> returned)."""
    comment = (comment or "").strip()
    if not comment:
        raise InvalidRequest("a comment is required when returning an item")
    seconds = _human_seconds(human_seconds)
    item = _answerable_item(session, user, item_id)
    transition(
        session,
        item,
        expected=MailState.routed,
        to=MailState.returned,
        actor=actor_for(user),
        action="returned",
        human_seconds=seconds,
        detail={
            "reason": RETURN_REASON,
            "department": item.department_code,
            "comment": comment,
            "human_seconds": seconds,
        },
        values={"state_reason": f"{RETURN_REASON}: {comment}"},
    )
    return item


def list_departments(session: Session, include_inactive: bool = False) -> list[Department]:
    return repository.list_departments(session, include_inactive=include_inactive)


def count_by_state(session: Session) -> dict[str, int]:
    """Items per state, every state present (zero when empty); for /metrics."""
    counts = repository.count_by_state(session)
    return {s.value: counts.get(s.value, 0) for s in MailState}


def _environment_quarantine(item: MailItem) -> bool:
    from services.core.environment import is_environment_reason

    return item.state == MailState.quarantined.value and is_environment_reason(item.state_reason)


def retry_item(session: Session, user: User, item_id: int) -> MailItem:
    """Registry: send a failed item back to the step that failed (the retry action)."""
    from services.pipeline.runner import retry_failed

    if not permissions.can_route(user):
        raise Forbidden("only the registry may retry failed items")
    item = _visible_item(session, user, item_id)
    if item.state != MailState.failed.value and not _environment_quarantine(item):
        raise Conflict(f"item {item_id} is {item.state}, not failed", state=item.state)
    retry_failed(session, item_id, actor=actor_for(user))
    return item
