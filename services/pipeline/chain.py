"""Cheap steps without a broker hop: after a step moves an item, the `inline` steps that follow it
(classify, route) run in the same task, under the one lease the task took for the item, each with
its own compare-and-set and event, exactly as if their own task had run. Nothing about exactly-once
changes:

- on a first try the inline steps share one transaction (one commit for classify and route: their
  events and compare-and-sets are the same, only the commits between them go); any error in it
  rolls it back whole, and the steps then run again one transaction each, so a failure is recorded
  by the step that failed, as before;
- a try that follows an unfinished one (a worker killed mid-chain: attempts > 0) runs each step in
  its own transaction, as their own tasks would, so a step that kills its worker is given up on
  by name after max_attempts;
- a worker killed between two steps leaves the item in a committed pipeline state, which the
  sweeper re-sends as that step's own task;
- an inline step that meets a transient error (database busy) is not retried here: the chain stops
  and the caller rings the doorbell for the state reached, so that step's own task retries it with
  backoff;
- an inline step that finds the item already moved is a no-op, as a redelivered task would be.
"""

from __future__ import annotations

from services.classify.routing import decide_letter
from services.classify.versions import active_classifier
from services.core.db import session_scope
from services.core.errors import StateConflict
from services.core.logging import get_logger
from services.core.models import MailItem
from services.core.settings import get_settings
from services.core.states import MailState
from services.pipeline import leases
from services.pipeline.pages import FanOut
from services.pipeline.runner import TRANSIENT_ERRORS, begin_try, note_transient, run_held
from services.pipeline.service import STEP_BY_NAME, STEP_FOR_STATE, Step
from services.registration.service import propose_record

log = get_logger(__name__)


def advance(step_name: str, item_id: int) -> MailState | FanOut | None:
    """Run the named step, then every inline step after it, under one lease on the item; returns the
    state the item was left in (whose task the caller sends after the commit), a FanOut, or None
    when there is nothing to send."""
    step = STEP_BY_NAME[step_name]
    with leases.held(item_id, leases.ITEM_PART, step.name, get_settings().task_lease_seconds) as mine:
        if not mine:
            log.info("step_skipped", step=step.name, item_id=item_id, part=leases.ITEM_PART, why="running elsewhere")
            return None
        return _inline(item_id, run_held(step, item_id))


def continue_inline(item_id: int, state: MailState | FanOut | None) -> MailState | FanOut | None:
    """From `state` (just committed, e.g. by a page task), the inline steps that follow, under the
    item's lease."""
    step = _inline_step(state)
    if step is None:
        return state
    with leases.held(item_id, leases.ITEM_PART, step.name, get_settings().task_lease_seconds) as mine:
        if not mine:
            log.info("step_skipped", step=step.name, item_id=item_id, part=leases.ITEM_PART, why="running elsewhere")
            return None
        return _inline(item_id, state)


def _inline_step(state: MailState | FanOut | None) -> Step | None:
    step = STEP_FOR_STATE.get(state) if isinstance(state, MailState) else None
    return step if step is not None and step.inline else None


def _inline(item_id: int, state: MailState | FanOut | None) -> MailState | FanOut | None:
    """The inline steps from `state` on; the caller holds the item's lease."""
    while (step := _inline_step(state)) is not None:
        assert isinstance(state, MailState)
        try:
            after = _run_inline(step, item_id)
        except TRANSIENT_ERRORS as exc:
            # Hand over to the step's own task (retried with backoff) rather than retry the whole chain.
            log.info("inline_step_deferred", step=step.name, item_id=item_id, error=type(exc).__name__)
            return state
        if after is None:  # moved by someone else, who sends its next task
            return None
        state = after
    return state


def _run_inline(step: Step, item_id: int) -> MailState | FanOut | None:
    """`step` and the inline steps after it in one transaction (first try), else `step` alone."""
    tries = begin_try(step, item_id)
    if tries is None:
        return None
    if tries > 0:  # an earlier try did not finish: one step, one transaction, as its own task would
        return run_held(step, item_id, counted=True)
    done: list[tuple[str, MailState]] = []
    try:
        with session_scope() as session:
            # Held for the whole transaction: the session keeps only weak references to unchanged
            # rows, so each step's session.get would otherwise load the item (and its pages) again.
            item = session.get(MailItem, item_id)  # noqa: F841
            state: MailState | FanOut | None = None
            current: Step | None = step
            while current is not None:
                log.info("step_started", step=current.name, item_id=item_id, part=leases.ITEM_PART)
                after = current.run(session, item_id)
                if after is None:
                    break
                state = after
                if isinstance(after, FanOut):
                    break
                done.append((current.name, after))
                current = _inline_step(after)
    except StateConflict:
        log.info("step_noop", step=step.name, item_id=item_id, part=leases.ITEM_PART, work_done=True)
        return None
    except TRANSIENT_ERRORS as exc:
        note_transient(step, item_id, exc, count_try=True)
        raise
    except Exception as exc:  # noqa: BLE001 - rolled back whole: each step alone records its own outcome
        log.info("inline_steps_one_by_one", step=step.name, item_id=item_id, error=type(exc).__name__)
        return run_held(step, item_id, counted=True)
    for name, reached in done:
        log.info("step_done", step=name, item_id=item_id, part=leases.ITEM_PART, state=reached.value, work_done=True)
    return state


# A short letter run through classify and the registration proposal once at warm-up (nothing stored).
WARM_UP_TEXT = (
    "Ansökan om bygglov\n\nHej! Jag ansöker om bygglov för ett garage på fastigheten Björken 3.\n\n"
    "Med vänliga hälsningar\nAnna Andersson\nStorgatan 1, 123 45 Exempelstad"
)


def warm_up() -> bool:
    """Load the active classifier in this worker process before the first item, and run it (and the
    registration proposal) once on a short text: the lexicon's regexes, the vectorizers and the
    registration ranker are built here, in the main process before the pool forks, instead of once
    in every pool process on its first letter (~0.2 CPU s each). False (logged) when it cannot be
    loaded yet, e.g. the database is not up: the first item then loads it, as before."""
    try:
        with session_scope() as session:
            active_classifier(session)
            decide_letter(session, WARM_UP_TEXT)
            session.rollback()  # read only
    except Exception as exc:  # noqa: BLE001 - a worker must start even when the database is away
        log.warning("warm_up_skipped", error=type(exc).__name__)
        return False
    try:
        propose_record(WARM_UP_TEXT, [], frozenset())
    except Exception as exc:  # noqa: BLE001 - loaded on the first letter instead
        log.warning("warm_up_registration_skipped", error=type(exc).__name__)
    return True
