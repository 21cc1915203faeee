"""Running one step at the edge: its own session scope, failures recorded, conflicts ignored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from services.core.db import session_scope
from services.core.environment import is_environment_error, is_environment_reason, storage_reason
from services.core.errors import StateConflict, StorageUnavailable, TransientError
from services.core.events import SYSTEM, record, transition
from services.core.logging import get_logger
from services.core.models import Event, MailItem, Page, utcnow
from services.core.settings import get_settings
from services.core.states import PIPELINE_STATES, MailState
from services.pipeline import leases
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
    return _guarded(step, item_id, leases.ITEM_PART, lambda session: step.run(session, item_id), count_try=True)


def run_page(step: PageStep, item_id: int, index: int) -> MailState | None:
    """One page of a fanned-out item, with run_step's error handling. Tries are not counted per page
    (a hundred pages are not a hundred tries); the re-sent `ingest.extract` counts them."""
    result = _guarded(step, item_id, index, lambda session: step.run(session, item_id, index), count_try=False)
    assert not isinstance(result, FanOut)
    return result


def run_completion(step: Step, item_id: int) -> MailState | FanOut | None:
    """`ingest.complete_text` for an item decided on its first pages: run_step's error handling, its
    tries counted by the step itself (services/pipeline/pages.fan_out_pending)."""
    return _guarded(step, item_id, leases.ITEM_PART, lambda session: step.run(session, item_id), count_try=False)


def _guarded(
    step: Step | PageStep,
    item_id: int,
    part: int,
    work: Callable[[Session], MailState | FanOut | None],
    *,
    count_try: bool,
) -> MailState | FanOut | None:
    """Hold the (item, part) lease while the step runs: a duplicate of a running task (a sweeper
    re-send, a redelivery) does not start, and a lease that stops being renewed marks a lost task."""
    with leases.held(item_id, part, step.name, get_settings().task_lease_seconds) as mine:
        if not mine:
            log.info("step_skipped", step=step.name, item_id=item_id, part=part, why="running elsewhere")
            return None
        return _run_held(step, item_id, part, work, count_try=count_try)


def run_held(step: Step, item_id: int, *, counted: bool = False) -> MailState | FanOut | None:
    """run_step for a caller that already holds the item's lease (services/pipeline/chain.py: one
    lease for a step and the inline steps after it); `counted`: the caller counted this try."""
    return _run_held(step, item_id, leases.ITEM_PART, lambda s: step.run(s, item_id), count_try=not counted)


def _run_held(
    step: Step | PageStep,
    item_id: int,
    part: int,
    work: Callable[[Session], MailState | FanOut | None],
    *,
    count_try: bool,
) -> MailState | FanOut | None:
    ocr = False
    try:
        if count_try and begin_try(step, item_id) is None:
            return None
        ocr = part == leases.ITEM_PART or not _page_stored(item_id, part)
        log.info("step_started", step=step.name, item_id=item_id, part=part)
        with session_scope() as session:
            new_state = work(session)
    except StateConflict:
        log.info("step_noop", step=step.name, item_id=item_id, part=part, work_done=ocr)
        return None
    except TRANSIENT_ERRORS as exc:
        note_transient(step, item_id, exc, count_try=count_try)
        raise
    except DBAPIError as exc:
        if exc.connection_invalidated:
            note_transient(step, item_id, exc, count_try=count_try)
            raise TransientError(str(exc.orig)) from exc
        return _fail(step, item_id, f"database error: {type(exc.orig).__name__}")
    except Exception as exc:
        if is_environment_error(exc):  # the storage, not the letter: retried like any transient error
            note_transient(step, item_id, exc, count_try=count_try)
            raise StorageUnavailable(storage_reason(exc)) from exc
        return _fail(step, item_id, _reason(exc))
    if isinstance(new_state, FanOut):
        log.info("step_fan_out", step=step.name, item_id=item_id, pages=len(new_state.indices))
    else:
        state = new_state.value if new_state is not None else "-"
        log.info("step_done", step=step.name, item_id=item_id, part=part, state=state, work_done=ocr)
    return new_state


def _page_stored(item_id: int, index: int) -> bool:
    with session_scope() as session:
        found = session.scalar(select(Page.id).where(Page.item_id == item_id, Page.index == index))
        return found is not None


def note_transient(step: Step | PageStep, item_id: int, exc: BaseException, *, count_try: bool) -> None:
    """Log a transient error; it does not count as a try (the letter did nothing wrong)."""
    log.warning("step_retry", step=step.name, item_id=item_id, error=f"{type(exc).__name__}: {str(exc)[:200]}")
    if not count_try:
        return
    try:
        with session_scope() as session:
            session.execute(
                update(MailItem)
                .where(MailItem.id == item_id, MailItem.state == step.expects.value, MailItem.attempts > 0)
                .values(attempts=MailItem.attempts - 1)
                .execution_options(synchronize_session=False)
            )
    except Exception:  # noqa: BLE001 - the database itself may be the transient error
        pass


def fail_transient(step_name: str, item_id: int, exc: BaseException) -> MailState | None:
    """The task's retries for an environment error ran out: `failed`, with a reason that says it was
    the environment (so the registry knows a retry is safe), never `quarantined`."""
    from services.pipeline.service import EXTRACT_PAGE_STEP, STEP_BY_NAME

    step = STEP_BY_NAME.get(step_name) or EXTRACT_PAGE_STEP
    if isinstance(exc, StorageUnavailable):
        reason = str(exc)
    elif is_environment_error(exc):
        reason = storage_reason(exc)
    else:
        reason = f"Tillfälligt fel i miljön ({type(exc).__name__}); försök igen."
    return _fail(step, item_id, reason)


def begin_try(step: Step | PageStep, item_id: int) -> int | None:
    """Count a try before the work, in its own commit, so a file that kills its worker every time
    ends in `failed` after max_attempts instead of looping forever. Returns the tries before this
    one; None: nothing to do."""
    max_attempts = get_settings().max_attempts
    with session_scope() as session:
        leases.relaxed_commit(session)  # a try counted survives a killed worker; only a crashed server loses it
        # Two columns, not the item (whose pages and department the ORM would load with it).
        row = session.execute(select(MailItem.state, MailItem.attempts).where(MailItem.id == item_id)).first()
        if row is None or row.state != step.expects.value:
            return None
        if row.attempts >= max_attempts:
            item = session.get(MailItem, item_id)
            assert item is not None
            transition(
                session,
                item,
                expected=step.expects,
                to=MailState.failed,
                actor=SYSTEM,
                action="failed",
                detail={"step": step.name, "reason": "gave up"},
                values={"state_reason": f"{step.name}: gave up after {row.attempts} tries"},
            )
            return None
        session.execute(
            update(MailItem)
            .where(MailItem.id == item_id, MailItem.state == step.expects.value)
            .values(attempts=MailItem.attempts + 1)
            .execution_options(synchronize_session=False)
        )
    return int(row.attempts)


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
    """Put a failed item back into the state its failed step starts from (the retry action). An item
    quarantined because of the environment (a full disk, not the letter) may be retried too."""
    item = session.get(MailItem, item_id)
    if item is None:
        from services.core.errors import NotFound

        raise NotFound(f"mail item {item_id} not found")
    if item.state == MailState.quarantined.value and is_environment_reason(item.state_reason):
        transition(
            session,
            item,
            expected=MailState.quarantined,
            to=MailState.received,
            actor=actor,
            action="retry",
            detail={"environment": True},
            values={"state_reason": None},
        )
        return MailState.received
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


def sweep(
    session: Session,
    *,
    stale_after: float,
    lost_after: float | None = None,
    depth: dict[str, int] | None = None,
) -> list[tuple[int, MailState]]:
    """Items the machine owes a step whose task was lost (see services/pipeline/leases.py): a lease
    that ran out, a queued task whose queue is empty (`depth`, per queue, when the broker answered),
    a task queued longer than `stale_after`, or no live task at all for `lost_after` seconds.

    Each is touched (so it is re-sent at most once per period) and returned for re-enqueueing after
    the commit. A task waiting in a non-empty queue, or running under a live lease, is left alone.
    """
    watched = MailItem.state.in_([s.value for s in PIPELINE_STATES])
    lost = _touch_lost(session, watched, stale_after=stale_after, lost_after=lost_after, depth=depth)
    return [(item_id, MailState(state)) for item_id, state in lost]


def sweep_pending_text(
    session: Session, *, stale_after: float, lost_after: float | None = None, depth: dict[str, int] | None = None
) -> list[int]:
    """Items decided on their first pages (text_pending) whose remaining page tasks were lost, judged
    from their leases as `sweep` judges pipeline items; touched, and returned for `ingest.complete_text`."""
    watched = MailItem.text_pending.is_(True)
    lost = _touch_lost(session, watched, stale_after=stale_after, lost_after=lost_after, depth=depth, pages=True)
    return [item_id for item_id, _ in lost]


def _touch_lost(
    session: Session,
    watched: ColumnElement[bool],
    *,
    stale_after: float,
    lost_after: float | None,
    depth: dict[str, int] | None,
    pages: bool = False,
) -> list[tuple[int, str]]:
    """The `watched` items with nothing live (leases.judge): touched, so each is re-sent at most once
    per period, with a `resent` event; returned as (id, state) for sending after the commit."""
    now = utcnow()
    lost_after = get_settings().lost_after_seconds if lost_after is None else lost_after
    cutoff = now - timedelta(seconds=min(lost_after, stale_after))
    rows = session.execute(
        select(MailItem.id, MailItem.state, MailItem.updated_at)
        .where(watched, MailItem.updated_at < cutoff)
        .order_by(MailItem.updated_at)
        .limit(1000)
    ).all()
    held = leases.leases_for(session, [r.id for r in rows])
    resend: list[tuple[int, str]] = []
    for item_id, state, updated_at in rows:
        verdict = leases.judge(
            held.get(item_id, []), updated_at, now, lost_after=lost_after, stale_after=stale_after, depth=depth
        )
        if not verdict.lost:
            continue
        touched = session.execute(
            update(MailItem)
            .where(MailItem.id == item_id, watched, MailItem.updated_at == updated_at)
            .values(updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if touched.rowcount == 1:  # type: ignore[attr-defined]
            detail: dict[str, object] = {"state": state, **({"text_pending": True} if pages else {})}
            record(session, item_id=item_id, actor="system:sweeper", action="resent", detail=detail)
            log.info("item_resent", item_id=item_id, **detail)
            resend.append((item_id, state))
    return resend


__all__ = [
    "SYSTEM",
    "TRANSIENT_ERRORS",
    "fail_transient",
    "retry_failed",
    "run_completion",
    "run_page",
    "run_step",
    "sweep",
    "sweep_pending_text",
]
