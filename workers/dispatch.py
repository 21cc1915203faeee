"""Ring the doorbell: send the task that advances an item from its current state.

Called only after the transaction that put the item in that state has committed. A failure to
send is logged and swallowed: the item is safe in the database and the sweeper will send it again.
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


def enqueue_for_state(item_id: int, state: str | MailState) -> bool:
    """Send the next pipeline task for an item in `state`; True if a task was sent."""
    if state == MailState.split:  # a pile split into letters: each letter goes on to classify
        return enqueue_letters(item_id) > 0
    name = task_for_state(state)
    if name is None:
        return False
    from workers.celery_app import TASK_ROUTES, app

    try:
        app.send_task(name, args=[item_id], queue=TASK_ROUTES[name]["queue"])
    except Exception as exc:  # noqa: BLE001 - the broker being down must not lose the request
        log.warning("enqueue_failed", item_id=item_id, task=name, error=str(exc))
        return False
    return True


def enqueue_pages(item_id: int, indices: Iterable[int]) -> int:
    """Send one `ingest.extract_page` task per page (after the fan-out's commit); returns how many
    were sent. A page not sent stays missing and is sent again when the sweeper re-sends extract."""
    from services.pipeline.pages import EXTRACT_PAGE
    from workers.celery_app import TASK_ROUTES, app

    sent = 0
    for index in indices:
        try:
            app.send_task(EXTRACT_PAGE, args=[item_id, index], queue=TASK_ROUTES[EXTRACT_PAGE]["queue"])
        except Exception as exc:  # noqa: BLE001 - as above: the sweeper covers it
            log.warning("enqueue_failed", item_id=item_id, task=EXTRACT_PAGE, page=index, error=str(exc))
            continue
        sent += 1
    return sent


def enqueue_letters(pile_id: int) -> int:
    """Send classify for each letter separated from a pile (issue 16); the sweeper covers a lost one."""
    from services.core.db import session_scope
    from services.ingest.separation_service import letters_to_classify

    with session_scope() as session:
        letters = letters_to_classify(session, pile_id)
    return sum(enqueue_for_state(letter, MailState.extracted) for letter in letters)
