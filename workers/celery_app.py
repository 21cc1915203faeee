"""The Celery app: configuration, queues and the beat schedule. Tasks live in workers/tasks.py.

Nothing connects at import: the broker URL is read from the settings when the app is configured,
and database engines are created lazily in each worker child process.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from celery import Celery
from celery.schedules import crontab
from celery.signals import (
    setup_logging,
    worker_init,
    worker_process_init,
    worker_process_shutdown,
    worker_ready,
    worker_shutdown,
)
from kombu import Queue

from services.core.settings import get_settings
from workers.broker import polled_sqla

OCR_QUEUE = "ocr"
DEFAULT_QUEUE = "default"

TASK_ROUTES = {
    "ingest.extract": {"queue": OCR_QUEUE},
    "ingest.extract_page": {"queue": OCR_QUEUE},  # one page of a multi-page item
    "ingest.complete_text": {"queue": DEFAULT_QUEUE},  # re-sends the lost pages of an early-decided letter
    "classify.classify": {"queue": DEFAULT_QUEUE},
    "export.deliver": {"queue": DEFAULT_QUEUE},  # issue 12
    "export.deliver_pending": {"queue": DEFAULT_QUEUE},
    "route.route": {"queue": DEFAULT_QUEUE},
    "pipeline.sweep": {"queue": DEFAULT_QUEUE},
    "notify.delivered": {"queue": DEFAULT_QUEUE},  # e-mail to department staff (issue 14)
    "notify.digest": {"queue": DEFAULT_QUEUE},
    "notify.sweep": {"queue": DEFAULT_QUEUE},
    "pipeline.broker_cleanup": {"queue": DEFAULT_QUEUE},
}


def _stockholm_now() -> datetime:
    return datetime.now(ZoneInfo("Europe/Stockholm"))  # the digest hour is local time


def make_celery() -> Celery:
    settings = get_settings()
    app = Celery("posthantering", include=["workers.tasks"])
    app.conf.update(
        broker_url=settings.broker_url,
        result_backend=None,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=settings.task_soft_time_limit,
        task_time_limit=settings.task_time_limit,
        task_default_queue=DEFAULT_QUEUE,
        task_queues=[Queue(OCR_QUEUE), Queue(DEFAULT_QUEUE)],
        task_routes=TASK_ROUTES,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        # Pool children write their (structlog) lines straight to stderr, not through Celery's proxy.
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        timezone="UTC",
        beat_schedule={
            "sweep-stuck-items": {
                "task": "pipeline.sweep",
                "schedule": settings.sweep_interval_seconds,
                # A sweep that waited longer than one period is dropped: the next one is on its way.
                "options": {"expires": settings.sweep_interval_seconds},
            },
            # Weekly: learn from the registry's decisions; promoted only when not worse (services/classify/versions.py).
            "broker-cleanup": {"task": "pipeline.broker_cleanup", "schedule": 600.0},
            "retrain-classifier": {"task": "classify.retrain", "schedule": 7 * 24 * 3600.0},
            # Daily e-mail digest of new inbox mail for users who chose it (services/notify).
            "notify-digest": {
                "task": "notify.digest",
                "schedule": crontab(minute=0, hour=settings.digest_hour, nowfun=_stockholm_now),
            },
            # Notices whose own task was lost (services/notify: the outbox keeps it to one e-mail each).
            "notify-sweep": {
                "task": "notify.sweep",
                "schedule": settings.sweep_interval_seconds,
                "options": {"expires": settings.sweep_interval_seconds},
            },
            # issue 12: registration records waiting for their export (a failed webhook is tried again).
            "deliver-pending-exports": {"task": "export.deliver_pending", "schedule": settings.sweep_interval_seconds},
        },
        beat_schedule_filename=str(settings.data_dir / "celerybeat-schedule"),
    )
    if settings.broker_url.startswith("sqla+"):
        # Poll every 0.1 s instead of kombu's 1 s (workers/broker.py): every hop used to pay it.
        app.conf.broker_url, app.conf.broker_transport = polled_sqla(settings.broker_url, settings.broker_poll_seconds)
        # Kombu passes these to create_engine: wait on a busy SQLite file instead of failing at once.
        app.conf.broker_transport_options = {"connect_args": {"timeout": 30}}
    elif settings.broker_url.startswith("redis"):
        # An unacked task comes back after this; the sweeper covers the rest.
        app.conf.broker_transport_options = {"visibility_timeout": max(3600, settings.task_time_limit * 2)}
    return app


app = make_celery()


@worker_init.connect
def _warm_up_before_fork(**_: Any) -> None:
    """In the worker's main process, before the pool forks: classify runs inline in every pool
    process, so load its model once here (inherited by each child) rather than on the first letter.
    Not in worker_process_init, which must finish within a few seconds."""
    from services.core.db import dispose_engine
    from services.pipeline.chain import warm_up

    warm_up()
    dispose_engine()


@setup_logging.connect
def _setup_logging(**_: Any) -> None:
    """Worker and beat main processes: the project's logging (JSON or console, personnummer mask)
    instead of Celery's own."""
    from services.core.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)


_heartbeat_stop = threading.Event()


@worker_ready.connect
def _start_heartbeat(sender: Any = None, **_: Any) -> None:
    """The worker's main process writes a heartbeat row (readiness and `serve` read it)."""
    name = getattr(sender, "hostname", None) or f"worker@{os.getpid()}"
    queues = ",".join(sorted(q.name for q in app.amqp.queues.consume_from.values())) if app.amqp.queues else ""
    threading.Thread(target=_heartbeat_loop, args=(name, queues), name="heartbeat", daemon=True).start()


def _heartbeat_loop(name: str, queues: str) -> None:
    from services.core.db import session_scope
    from services.core.logging import get_logger
    from services.pipeline.liveness import heartbeat

    log = get_logger("workers.heartbeat")
    interval = get_settings().worker_heartbeat_seconds
    while not _heartbeat_stop.is_set():
        try:
            with session_scope() as session:
                heartbeat(session, name, queues)
        except Exception as exc:  # noqa: BLE001 - the database may be away; beat again later
            log.warning("heartbeat_failed", worker=name, error=type(exc).__name__)
        _heartbeat_stop.wait(interval)


@worker_shutdown.connect
def _stop_heartbeat(sender: Any = None, **_: Any) -> None:
    _heartbeat_stop.set()
    name = getattr(sender, "hostname", None)
    if not name:
        return
    from services.core.db import session_scope
    from services.pipeline.liveness import forget_worker

    try:
        with session_scope() as session:
            forget_worker(session, name)
    except Exception:  # noqa: BLE001 - a stale row simply ages out
        pass


@worker_process_init.connect
def _init_worker_process(**_: Any) -> None:
    # tesseract's own OpenMP threads make a page several times slower when every core already runs one.
    os.environ["OMP_THREAD_LIMIT"] = "1"
    from services.core.db import dispose_engine
    from services.core.logging import configure_logging
    from services.core.settings import restrict_file_modes

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    restrict_file_modes()
    dispose_engine()  # never share a connection pool across fork


@worker_process_shutdown.connect
def _shutdown_worker_process(**_: Any) -> None:
    from services.core.db import dispose_engine

    dispose_engine()
