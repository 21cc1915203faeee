"""Running one step at the edge: its own session scope, failures recorded, conflicts ignored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from services.core.db import session_scope
from services.core.errors import StateConflict, TransientError
from services.core.events import SYSTEM, record, transition
from services.core.logging import get_logger
from services.core.models import Event, MailItem, utcnow
from services.core.settings import get_settings
from services.core.states import PIPELINE_STATES, MailState
from services.pipeline.pages import FanOut
from services.pipeline.service import PageStep, Step

log = get_logger(__name__)

# Errors worth a retry with backoff: the database was busy or briefly away.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, TransientError)


def run_step(step: Step, item_id: int) -> MailState | FanOut | None:
    """Run `step` for one item in its own transaction; returns the new state, a FanOut (pages to
    send), or None for a no-op.

    Transient errors propagate (the task retries them). Any other error ends the item in `failed`
    with a readable reason, so nothing crashes a worker and nothing is silently dropped.
    """
    return _guarded(step, item_id, lambda session: step.run(session, item_id), count_try=True)


def run_page(step: PageStep, item_id: int, index: int) -> MailState | None:
    """One page of a fanned-out item, with run_step's error handling. Tries are not counted per page
    (a hundred pages are not a hundred tries); the re-sent `ingest.extract` counts them."""
    result = _guarded(step, item_id, lambda session: step.run(session, item_id, index), count_try=False)
    assert not isinstance(result, FanOut)
    return result


def _guarded(
    step: Step | PageStep,
    item_id: int,
    work: Callable[[Session], MailState | FanOut | None],
    *,
    count_try: bool,
) -> MailState | FanOut | None:
    try:
        if count_try and not _begin(step, item_id):
            return None
        with session_scope() as session:
            new_state = work(session)
    except StateConflict:
        log.info("step_noop", step=step.name, item_id=item_id)
        return None
    except TRANSIENT_ERRORS:
        raise
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise TransientError(str(exc.orig)) from exc
        return _fail(step, item_id, f"database error: {type(exc.orig).__name__}")
    except Exception as exc:  # noqa: BLE001 - a permanent failure becomes a visible state, not a crash
        return _fail(step, item_id, _reason(exc))
    if isinstance(new_state, FanOut):
        log.info("step_fan_out", step=step.name, item_id=item_id, pages=len(new_state.indices))
    elif new_state is not None:
        log.info("step_done", step=step.name, item_id=item_id, state=new_state.value)
    return new_state


def _begin(step: Step | PageStep, item_id: int) -> bool:
    """Count a try before the work, in its own commit, so a file that kills its worker every time
    ends in `failed` after max_attempts instead of looping forever. False: nothing to do."""
    max_attempts = get_settings().max_attempts
    with session_scope() as session:
        item = session.get(MailItem, item_id)
        if item is None or item.state != step.expects.value:
            return False
        if item.attempts >= max_attempts:
            transition(
                session,
                item,
                expected=step.expects,
                to=MailState.failed,
                actor=SYSTEM,
                action="failed",
                detail={"step": step.name, "reason": "gave up"},
                values={"state_reason": f"{step.name}: gave up after {item.attempts} tries"},
            )
            return False
        session.execute(
            update(MailItem)
            .where(MailItem.id == item_id, MailItem.state == step.expects.value)
            .values(attempts=MailItem.attempts + 1)
            .execution_options(synchronize_session=False)
        )
    return True


def _reason(exc: BaseException) -> str:
    name = type(exc).__name__
    if name == "SoftTimeLimitExceeded":
        return "the step took longer than its time limit"
    return f"{name}: {str(exc)[:300]}" if str(exc) else name


def _fail(step: Step | PageStep, item_id: int, reason: str) -> MailState | None:
    log.warning("step_failed", step=step.name, item_id=item_id, reason=reason)
    try:
        with session_scope() as session:
            item = session.get(MailItem, item_id)
            if item is None or item.state != step.expects.value:
                return None
            transition(
                session,
                item,
                expected=step.expects,
                to=MailState.failed,
                actor=SYSTEM,
                action="failed",
                detail={"step": step.name, "reason": reason},
                values={"state_reason": f"{step.name}: {reason}"},
            )
    except StateConflict:
        return None
    return MailState.failed


def retry_failed(session: Session, item_id: int, actor: str) -> MailState:
    """Put a failed item back into the state its failed step starts from (the retry action)."""
    item = session.get(MailItem, item_id)
    if item is None:
        from services.core.errors import NotFound

        raise NotFound(f"mail item {item_id} not found")
    last = session.scalars(
        select(Event)
        .where(Event.item_id == item_id, Event.to_state == MailState.failed.value)
        .order_by(Event.id.desc())
        .limit(1)
    ).first()
    back = MailState(last.from_state) if last and last.from_state else MailState.received
    transition(
        session,
        item,
        expected=MailState.failed,
        to=back,
        actor=actor,
        action="retry",
        values={"state_reason": None},
    )
    return back


def sweep(session: Session, *, stale_after: float) -> list[tuple[int, MailState]]:
    """Items the machine owes a step but that have not moved for `stale_after` seconds.

    Each is touched (so it is re-sent at most once per period) and returned for re-enqueueing after
    the commit. A lost message, a flushed Redis or a SIGKILLed worker therefore loses no mail.
    """
    cutoff = utcnow() - timedelta(seconds=stale_after)
    rows = session.execute(
        select(MailItem.id, MailItem.state)
        .where(MailItem.state.in_([s.value for s in PIPELINE_STATES]), MailItem.updated_at < cutoff)
        .order_by(MailItem.updated_at)
        .limit(1000)
    ).all()
    resend: list[tuple[int, MailState]] = []
    for item_id, state in rows:
        touched = session.execute(
            update(MailItem)
            .where(MailItem.id == item_id, MailItem.state == state)
            .values(updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if touched.rowcount == 1:  # type: ignore[attr-defined]
            record(session, item_id=item_id, actor="system:sweeper", action="resent", detail={"state": state})
            resend.append((item_id, MailState(state)))
    return resend


__all__ = ["SYSTEM", "TRANSIENT_ERRORS", "retry_failed", "run_page", "run_step", "sweep"]
