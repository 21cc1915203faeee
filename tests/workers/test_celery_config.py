"""The Celery settings DESIGN.md asks for, and task names as the public contract."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_celery_settings(isolated_settings: Path) -> None:
    from workers.celery_app import make_celery

    conf = make_celery().conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert {q.name for q in conf.task_queues} == {"ocr", "default"}
    assert conf.task_routes["ingest.extract"] == {"queue": "ocr"}
    assert conf.task_routes["ingest.extract_page"] == {"queue": "ocr"}
    assert conf.beat_schedule["sweep-stuck-items"]["task"] == "pipeline.sweep"
    # The embedded broker: Celery's SQLAlchemy transport on SQLite, polled every 0.1 s (not kombu's 1 s).
    assert conf.broker_url.startswith("sqlite:///")
    assert conf.broker_transport == "workers.broker:PolledSqlaTransport"
    assert "polling_interval" not in conf.broker_transport_options  # it would reach create_engine


def test_the_embedded_broker_polls_often_and_still_delivers(isolated_settings: Path) -> None:
    from kombu import Connection

    from workers.broker import PolledSqlaTransport
    from workers.celery_app import make_celery

    app = make_celery()
    assert PolledSqlaTransport.polling_interval == pytest.approx(0.1)
    isolated_settings.mkdir(parents=True, exist_ok=True)
    with app.connection_for_write() as conn:
        assert isinstance(conn, Connection)
        assert conn.transport_cls == "workers.broker:PolledSqlaTransport"
        queue = conn.SimpleQueue("probe")
        queue.put({"id": 7})
        assert queue.get(timeout=5).payload == {"id": 7}
        queue.close()


def test_redis_broker_gets_a_visibility_timeout(isolated_settings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.core.settings import reset_settings
    from workers.celery_app import make_celery

    monkeypatch.setenv("BROKER_URL", "redis://127.0.0.1:6379/0")
    reset_settings()
    assert make_celery().conf.broker_transport_options["visibility_timeout"] >= 3600


def test_tasks_are_registered_under_dotted_names() -> None:
    import workers.tasks  # noqa: F401
    from workers.celery_app import app

    assert {"ingest.extract", "ingest.extract_page", "classify.classify", "route.route", "pipeline.sweep"} <= set(
        app.tasks
    )


def test_dispatch_maps_pipeline_states_to_tasks() -> None:
    from workers.dispatch import task_for_state

    assert task_for_state("received") == "ingest.extract"
    assert task_for_state("extracted") == "classify.classify"
    assert task_for_state("classified") == "route.route"
    assert task_for_state("routed") is None
    assert task_for_state("nonsense") is None
