"""The Celery app: configuration, queues and the beat schedule. Tasks live in workers/tasks.py.

Nothing connects at import: the broker URL is read from the settings when the app is configured,
and database engines are created lazily in each worker child process.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import worker_process_init, worker_process_shutdown
from kombu import Queue

from services.core.settings import get_settings

OCR_QUEUE = "ocr"
DEFAULT_QUEUE = "default"

TASK_ROUTES = {
    "ingest.extract": {"queue": OCR_QUEUE},
    "ingest.extract_page": {"queue": OCR_QUEUE},  # one page of a multi-page item
    "classify.classify": {"queue": DEFAULT_QUEUE},
    "route.route": {"queue": DEFAULT_QUEUE},
    "pipeline.sweep": {"queue": DEFAULT_QUEUE},
}


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
        worker_send_task_events=False,
        timezone="UTC",
        beat_schedule={
            "sweep-stuck-items": {"task": "pipeline.sweep", "schedule": settings.sweep_interval_seconds},
            # Weekly: learn from the registry's decisions; promoted only when not worse (services/classify/versions.py).
            "retrain-classifier": {"task": "classify.retrain", "schedule": 7 * 24 * 3600.0},
        },
        beat_schedule_filename=str(settings.data_dir / "celerybeat-schedule"),
    )
    if settings.broker_url.startswith("sqla+"):
        # Kombu passes these to create_engine: wait on a busy SQLite file instead of failing at once.
        app.conf.broker_transport_options = {"connect_args": {"timeout": 30}}
    elif settings.broker_url.startswith("redis"):
        # An unacked task comes back after this; the sweeper covers the rest.
        app.conf.broker_transport_options = {"visibility_timeout": max(3600, settings.task_time_limit * 2)}
    return app


app = make_celery()


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
