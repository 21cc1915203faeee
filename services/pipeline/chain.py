"""Cheap steps without a broker hop: after a step moves an item, the `inline` steps that follow it
(classify, route) run in the same task, each in its own transaction with its own compare-and-set and
event, exactly as if their own task had run. Nothing about exactly-once changes:

- a worker killed between two inline steps leaves the item in a committed pipeline state, which the
  sweeper re-sends as that step's own task;
- an inline step that meets a transient error (database busy) is not retried here: the chain stops
  and the caller rings the doorbell for the state reached, so that step's own task retries it with
  backoff;
- an inline step that finds the item already moved is a no-op, as a redelivered task would be.
"""

from __future__ import annotations

from services.classify.versions import active_classifier
from services.core.db import session_scope
from services.core.logging import get_logger
from services.core.states import MailState
from services.pipeline.pages import FanOut
from services.pipeline.runner import TRANSIENT_ERRORS, run_step
from services.pipeline.service import STEP_BY_NAME, STEP_FOR_STATE

log = get_logger(__name__)


def advance(step_name: str, item_id: int) -> MailState | FanOut | None:
    """Run the named step, then every inline step after it; returns the state the item was left in
    (whose task the caller sends after the commit), a FanOut, or None when there is nothing to send."""
    return continue_inline(item_id, run_step(STEP_BY_NAME[step_name], item_id))


def continue_inline(item_id: int, state: MailState | FanOut | None) -> MailState | FanOut | None:
    """From `state` (just committed), run the inline steps that follow, one transaction each."""
    while isinstance(state, MailState):
        step = STEP_FOR_STATE.get(state)
        if step is None or not step.inline:
            return state
        try:
            after = run_step(step, item_id)
        except TRANSIENT_ERRORS as exc:
            # Hand over to the step's own task (retried with backoff) rather than retry the whole chain.
            log.info("inline_step_deferred", step=step.name, item_id=item_id, error=type(exc).__name__)
            return state
        if after is None:  # moved by someone else, who sends its next task
            return None
        state = after
    return state


def warm_up() -> bool:
    """Load the active classifier in this worker process before the first item, so the first inline
    classify does not pay for loading the model. False (logged) when it cannot be loaded yet, e.g.
    the database is not up: the first item then loads it, as before."""
    try:
        with session_scope() as session:
            active_classifier(session)
    except Exception as exc:  # noqa: BLE001 - a worker must start even when the database is away
        log.warning("warm_up_skipped", error=type(exc).__name__)
        return False
    return True
