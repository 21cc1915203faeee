"""Ring the doorbell: send the task that advances an item from its current state.

Called only after the transaction that put the item in that state has committed. Each send is first
recorded as `queued` (services/pipeline/leases.py), so the sweeper can tell a task waiting in its
queue from a lost one. A failure to send is logged and recorded as `unsent`: the item is safe in the
database and the sweeper sends it again.
"""

from __future__ import annotations

from collections.abc import Iterable

from services.core.logging import get_logger
from services.core.states import MailState

log = get_logger(__name__)

TASK_FOR_STATE: dict[MailState, str] = {
    MailState.received: "ingest.extract",
    MailState.extracted: "classify.classify",
    MailState.classified: "route.route",
}


def task_for_state(state: str | MailState) -> str | None:
    try:
        return TASK_FOR_STATE.get(MailState(state))
    except ValueError:
        return None


def warm_up() -> bool:
    """Load the Celery app and open a broker connection in the producer pool before the first item
    commits (the CLI, the hot-folder watcher), so the first send after a commit waits neither for
    imports nor for a connection: both came between `received` and the worker starting (~0.2 s).
    False (logged) when the broker is away: sends then fail as before and the sweeper re-sends."""
    try:
        from workers.celery_app import app

        with app.producer_or_acquire() as producer:
            producer.connection.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001 - a broker that is down must not stop the intake
        log.warning("enqueue_warm_up_failed", error=type(exc).__name__)
        return False
    return True


def _mark(item_id: int, part: int, name: str, queue: str) -> bool:
    """Record the send; False when a worker holds a live lease on it (nothing to send). A database
    that does not answer does not stop the send: the task claims its lease when it starts."""
    from services.core.db import session_scope
    from services.pipeline import leases

    try:
        with session_scope() as session:
            return leases.mark_queued(session, item_id, part, name, queue)
    except Exception as exc:  # noqa: BLE001
        log.warning("enqueue_mark_failed", item_id=item_id, task=name, error=type(exc).__name__)
        return True


def _unsent(item_id: int, part: int) -> None:
    from services.core.db import session_scope
    from services.pipeline import leases

    try:
        with session_scope() as session:
            leases.mark_unsent(session, item_id, part)
    except Exception:  # noqa: BLE001 - the sweeper finds it either way
        pass


def _send(name: str, args: list[int], item_id: int, part: int) -> bool:
    from workers.celery_app import TASK_ROUTES, app

    queue = TASK_ROUTES[name]["queue"]
    if not _mark(item_id, part, name, queue):
        log.info("enqueue_skipped", item_id=item_id, task=name, part=part, why="running")
        return False
    try:
        app.send_task(name, args=args, queue=queue)
    except Exception as exc:  # noqa: BLE001 - the broker being down must not lose the request
        log.warning("enqueue_failed", item_id=item_id, task=name, part=part, error=str(exc))
        _unsent(item_id, part)
        return False
    return True


def enqueue_for_state(item_id: int, state: str | MailState) -> bool:
    """Send the next pipeline task for an item in `state`; True if a task was sent."""
    from services.pipeline.leases import ITEM_PART

    if state == MailState.split:  # a pile split into letters: each letter goes on to classify
        return enqueue_letters(item_id) > 0
    name = task_for_state(state)
    if name is None:
        if state == MailState.routed:  # auto-routed by the pipeline: tell the department's staff
            return notify_delivered(item_id)
        return False
    return _send(name, [item_id], item_id, ITEM_PART)


def enqueue_pages(item_id: int, indices: Iterable[int]) -> int:
    """Send one `ingest.extract_page` task per page (after the fan-out's commit); returns how many
    were sent. A page not sent stays missing and is sent again when the sweeper re-sends extract."""
    from services.pipeline.pages import EXTRACT_PAGE

    return sum(1 for index in indices if _send(EXTRACT_PAGE, [item_id, index], item_id, index))


def enqueue_complete_text(item_id: int) -> bool:
    """Send `ingest.complete_text` for an item decided on its first pages whose other pages were lost
    (the sweeper, after its commit)."""
    from services.pipeline.leases import ITEM_PART

    return _send("ingest.complete_text", [item_id], item_id, ITEM_PART)


def enqueue_export(item_id: int) -> bool:
    """Send `export.deliver` for a confirmed registration (after the commit). Not sent: the periodic
    `export.deliver_pending` task delivers it."""
    from workers.celery_app import TASK_ROUTES, app

    try:
        app.send_task("export.deliver", args=[item_id], queue=TASK_ROUTES["export.deliver"]["queue"])
    except Exception as exc:  # noqa: BLE001 - the record stays pending; the periodic task covers it
        log.warning("enqueue_failed", item_id=item_id, task="export.deliver", error=str(exc))
        return False
    return True


def notify_delivered(item_id: int) -> bool:
    """Send the e-mail notice task for an item that has just landed in an inbox (after the commit);
    not when nobody of its department wants notices (a broker hop per letter for nothing: on one
    worker process it delayed the next letter). A notice owed after all is sent by `notify.sweep`."""
    from services.core.db import session_scope
    from services.notify.service import wants_notices
    from workers.celery_app import TASK_ROUTES, app

    try:
        with session_scope() as session:
            if not wants_notices(session, item_id):
                return False
    except Exception as exc:  # noqa: BLE001 - unsure: send it, the task decides
        log.warning("notice_check_failed", item_id=item_id, error=type(exc).__name__)
    try:
        app.send_task("notify.delivered", args=[item_id], queue=TASK_ROUTES["notify.delivered"]["queue"])
    except Exception as exc:  # noqa: BLE001 - a notice is not worth failing the decision for
        log.warning("enqueue_failed", item_id=item_id, task="notify.delivered", error=str(exc))
        return False
    return True


def enqueue_letters(pile_id: int) -> int:
    """Send classify for each letter separated from a pile (issue 16); the sweeper covers a lost one."""
    from services.core.db import session_scope
    from services.ingest.separation_service import letters_to_classify

    with session_scope() as session:
        letters = letters_to_classify(session, pile_id)
    return sum(enqueue_for_state(letter, MailState.extracted) for letter in letters)
