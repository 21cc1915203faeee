"""Thin tasks: an id in, one service call, the next task sent after the commit.

Each task retries only the named transient errors (a busy or briefly unreachable database) with
backoff; anything else ends the item in `failed` inside the runner, never a crashed worker.
"""

from __future__ import annotations

from services.core.settings import get_settings
from services.notify.mailer import TRANSIENT_SMTP_ERRORS
from services.pipeline.pages import FanOut
from services.pipeline.runner import TRANSIENT_ERRORS, run_page, run_step
from services.pipeline.service import EXTRACT_PAGE_STEP, STEP_BY_NAME
from workers.celery_app import app
from workers.dispatch import enqueue_for_state, enqueue_pages

RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
}


def _advance(task_name: str, item_id: int) -> str | None:
    new_state = run_step(STEP_BY_NAME[task_name], item_id)
    if isinstance(new_state, FanOut):
        enqueue_pages(item_id, new_state.indices)
        return f"pages:{len(new_state.indices)}"
    if new_state is not None:
        enqueue_for_state(item_id, new_state)
    return new_state.value if new_state else None


@app.task(name="ingest.extract", **RETRY)
def extract(item_id: int) -> str | None:
    return _advance("ingest.extract", item_id)


@app.task(name="ingest.extract_page", **RETRY)
def extract_page(item_id: int, index: int) -> str | None:
    """One page of a multi-page item; the page that completes the item sends classify."""
    new_state = run_page(EXTRACT_PAGE_STEP, item_id, index)
    if new_state is not None:
        enqueue_for_state(item_id, new_state)
    return new_state.value if new_state else None


@app.task(name="classify.classify", **RETRY)
def classify(item_id: int) -> str | None:
    return _advance("classify.classify", item_id)


@app.task(name="route.route", **RETRY)
def route(item_id: int) -> str | None:
    return _advance("route.route", item_id)


@app.task(name="pipeline.sweep", **RETRY)
def sweep() -> int:
    from services.core.db import session_scope
    from services.pipeline.runner import sweep as find_and_touch

    with session_scope() as session:
        resend = find_and_touch(session, stale_after=get_settings().stale_after_seconds)
    for item_id, state in resend:
        enqueue_for_state(item_id, state)
    return len(resend)


@app.task(name="classify.retrain", acks_late=True)
def retrain() -> dict[str, object]:
    """Weekly: a new model version from the corpus and the registry's decisions (kept; promoted only if not worse)."""
    from services.classify.learning import retrain_from_database

    return retrain_from_database()


NOTIFY_RETRY = {**RETRY, "autoretry_for": (*TRANSIENT_ERRORS, *TRANSIENT_SMTP_ERRORS)}


@app.task(name="notify.delivered", **NOTIFY_RETRY)
def notify_delivered(item_id: int) -> int:
    """E-mail the staff of the item's department who want immediate notices (after the routing commit)."""
    from services.core.db import session_scope
    from services.notify import service as notify

    with session_scope() as session:
        due = notify.record_delivery(session, item_id)
    sent = 0
    for notification_id in due:
        with session_scope() as session:  # one commit per e-mail: a retry does not send it again
            sent += notify.send_notice(session, notification_id)
    return sent


@app.task(name="notify.digest", **NOTIFY_RETRY)
def notify_digest() -> int:
    """Daily: one summary e-mail per user who chose the digest."""
    from services.core.db import session_scope
    from services.notify import service as notify

    with session_scope() as session:
        users = notify.pending_digest_users(session)
    sent = 0
    for user_id in users:
        with session_scope() as session:
            sent += notify.send_digest(session, user_id)
    return sent
