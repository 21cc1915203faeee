"""Thin tasks: an id in, one service call, the next task sent after the commit.

Each task retries only the named transient errors (a busy or briefly unreachable database) with
backoff; anything else ends the item in `failed` inside the runner, never a crashed worker.
"""

from __future__ import annotations

import contextlib
from typing import Any

from celery import Task

from services.core.logging import get_logger
from services.core.settings import get_settings
from services.core.states import MailState
from services.notify.mailer import TRANSIENT_SMTP_ERRORS
from services.pipeline.chain import advance, continue_inline
from services.pipeline.pages import FanOut
from services.pipeline.runner import TRANSIENT_ERRORS, fail_transient, run_completion, run_page
from services.pipeline.service import COMPLETE_TEXT_STEP, EXTRACT_PAGE_STEP
from workers.celery_app import app
from workers.dispatch import enqueue_complete_text, enqueue_for_state, enqueue_pages

log = get_logger(__name__)


class StepTask(Task):  # type: ignore[misc]
    """When the retries of a transient error run out, the item ends `failed` with a reason that names
    the environment (retryable), instead of waiting silently for the sweeper."""

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        if isinstance(exc, TRANSIENT_ERRORS) and args:
            # The database may still be away: then the sweeper re-sends the item later.
            with contextlib.suppress(Exception):
                fail_transient(self.name, int(args[0]), exc)


RETRY = {
    "base": StepTask,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
}


def _advance(task_name: str, item_id: int) -> str | None:
    """The step, then the cheap steps that follow it inline (services/pipeline/chain.py)."""
    return _send_next(item_id, advance(task_name, item_id))


def _send_next(item_id: int, new_state: MailState | FanOut | None) -> str | None:
    """After the step's commit: the pages of a fan-out, or the task of the state reached."""
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
    """One page of a multi-page item; the page that completes the item goes on to classify and route."""
    new_state = continue_inline(item_id, run_page(EXTRACT_PAGE_STEP, item_id, index))
    assert not isinstance(new_state, FanOut)
    return _send_next(item_id, new_state)


@app.task(name="ingest.complete_text", **RETRY)
def complete_text(item_id: int) -> str | None:
    """The sweeper's re-send for an item decided on its first pages whose other pages were lost."""
    return _send_next(item_id, run_completion(COMPLETE_TEXT_STEP, item_id))


@app.task(name="classify.classify", **RETRY)
def classify(item_id: int) -> str | None:
    return _advance("classify.classify", item_id)


@app.task(name="route.route", **RETRY)
def route(item_id: int) -> str | None:
    return _advance("route.route", item_id)


@app.task(name="pipeline.sweep", autoretry_for=TRANSIENT_ERRORS, retry_backoff=2, max_retries=3)
def sweep() -> int:
    from services.core.db import session_scope
    from services.metering.operations import queue_depth
    from services.pipeline.runner import sweep as find_and_touch
    from services.pipeline.runner import sweep_pending_text

    settings = get_settings()
    try:
        depth = queue_depth(settings.broker_url, timeout=2.0)  # None: unknown, queued tasks wait for the stale period
    except Exception:  # noqa: BLE001 - the broker may be down; then nothing can be sent anyway
        depth = None
    with session_scope() as session:
        resend = find_and_touch(session, stale_after=settings.stale_after_seconds, depth=depth)
        pending = sweep_pending_text(session, stale_after=settings.stale_after_seconds, depth=depth)
    for item_id, state in resend:
        enqueue_for_state(item_id, state)
    for item_id in pending:
        enqueue_complete_text(item_id)
    return len(resend) + len(pending)


@app.task(name="pipeline.broker_cleanup")
def broker_cleanup() -> int:
    """Housekeeping: the embedded broker keeps delivered messages in its table (deleted here; a no-op for
    other brokers), finished tasks' lease rows go after an hour, and on the postgres blob backend this
    host's cached copies unused for POSTHANTERING_BLOB_CACHE_HOURS."""
    from services.core.blobs import get_blob_store
    from services.core.db import session_scope
    from services.pipeline.leases import forget_done
    from services.pipeline.maintenance import purge_delivered_messages

    settings = get_settings()
    with session_scope() as session:
        forget_done(session, older_than=3600)  # finished tasks' rows
    pruned = get_blob_store().prune_cache(settings.blob_cache_hours * 3600)  # postgres backend: this host's cache
    if pruned:
        log.info("blob_cache_pruned", files=pruned)
    return purge_delivered_messages(settings.broker_url, settings.broker_cleanup_after_seconds)


@app.task(name="classify.retrain", acks_late=True)
def retrain() -> dict[str, object]:
    """Weekly: a new model version from the corpus and the registry's decisions (kept; promoted only if not worse)."""
    from services.classify.learning import retrain_from_database

    return retrain_from_database()


NOTIFY_RETRY = {**RETRY, "autoretry_for": (*TRANSIENT_ERRORS, *TRANSIENT_SMTP_ERRORS)}


@app.task(name="notify.delivered", **NOTIFY_RETRY)
def notify_delivered(item_id: int) -> int:
    """E-mail the staff of the item's department who want immediate notices (after the routing commit)."""
    return _deliver_notices(item_id)


def _deliver_notices(item_id: int) -> int:
    from services.core.db import session_scope
    from services.notify import service as notify

    with session_scope() as session:
        due = notify.record_delivery(session, item_id)
    sent = 0
    for notification_id in due:
        with session_scope() as session:  # one commit per e-mail: a retry does not send it again
            sent += notify.send_notice(session, notification_id)
    return sent


@app.task(name="notify.sweep", acks_late=True)
def notify_sweep() -> int:
    """Every sweep period: notices owed for recently routed items whose `notify.delivered` was lost
    (broker away at the commit, a worker killed) or gave up; the outbox keeps it to one e-mail each."""
    from datetime import timedelta

    from services.core.db import session_scope
    from services.notify import service as notify

    settings = get_settings()
    with session_scope() as session:
        owed = notify.owed_items(
            session, timedelta(hours=settings.notify_sweep_hours), timedelta(seconds=settings.sweep_interval_seconds)
        )
    sent = 0
    for item_id in owed:
        try:
            sent += _deliver_notices(item_id)
        except (*TRANSIENT_ERRORS, *TRANSIENT_SMTP_ERRORS) as exc:  # the next sweep tries again
            log.warning("notice_deferred", item_id=item_id, error=type(exc).__name__)
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


@app.task(name="export.deliver", **RETRY)
def export_deliver(item_id: int) -> bool:
    """Deliver a confirmed registration to the diarium connectors (issue 12)."""
    from services.core.db import session_scope
    from services.mail.registration import deliver_now

    with session_scope() as session:
        return deliver_now(session, item_id)


@app.task(name="export.deliver_pending", **RETRY)
def export_deliver_pending() -> int:
    """Periodic: every record still waiting for its export (auto-routed items, failed webhooks)."""
    from services.core.db import session_scope
    from services.export.service import pending_ids

    with session_scope() as session:
        ids = pending_ids(session)
    for item_id in ids:
        export_deliver.delay(item_id)
    return len(ids)
