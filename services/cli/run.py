"""Long-running commands: serve (all in one), worker, beat, watch, migrate."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from typing import Annotated

import typer

from services.cli.common import console, load_settings, prepare_database


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(worker)
    app.command()(beat)
    app.command()(watch)
    app.command()(migrate)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


def _worker_argv(queues: str, concurrency: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "workers.celery_app",
        "worker",
        "--queues",
        queues,
        "--concurrency",
        str(concurrency),
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    concurrency: Annotated[int | None, typer.Option(help="Worker processes (default: cores)")] = None,
) -> None:
    """Run everything in one command: API and UI, one worker, beat and the hot-folder watcher."""
    import uvicorn

    from services.api.app import create_app
    from services.ingest.hotfolder import HotFolder
    from services.users.service import bootstrap_admin
    from workers.dispatch import enqueue_for_state

    settings = load_settings()
    prepare_database(settings)
    from services.core.db import session_scope

    with session_scope() as session:
        token = bootstrap_admin(session)
    if token:
        console.print(f"[bold]First start: an admin user was created. Its API token (shown once):[/bold]\n{token}")

    env = _child_env()
    n = concurrency or settings.worker_concurrency
    children = [
        subprocess.Popen(_worker_argv("ocr,default", n), env=env),
        subprocess.Popen([sys.executable, "-m", "services.cli.main", "beat"], env=env),
    ]
    stop = threading.Event()
    watcher = threading.Thread(
        target=HotFolder(settings, on_submitted=enqueue_for_state).run,
        args=(stop,),
        name="hotfolder",
        daemon=True,
    )
    watcher.start()
    h, p = host or settings.host, port or settings.port
    console.print(f"Posthantering at http://{h}:{p}  (data: {settings.data_dir}, hot folder: {settings.hot_folder})")
    try:
        uvicorn.run(create_app(), host=h, port=p, log_level=settings.log_level.lower())
    finally:
        stop.set()
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
        watcher.join(timeout=5)


def worker(
    queues: Annotated[str, typer.Option(help="Comma-separated queues: ocr, default")] = "ocr,default",
    concurrency: Annotated[int | None, typer.Option(help="Processes (default: cores)")] = None,
) -> None:
    """Run a Celery worker (for scale-out: as many `--queues ocr` workers as the volume needs)."""
    settings = load_settings()
    prepare_database(settings)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    argv = _worker_argv(queues, concurrency or settings.worker_concurrency)
    os.execve(sys.executable, argv, _child_env())


def beat() -> None:
    """Run the scheduler that sends the sweeper (re-enqueues items stuck in a pipeline state)."""
    settings = load_settings()
    settings.ensure_dirs()
    from workers.celery_app import app as celery_app

    celery_app.start(["beat", "--loglevel", "INFO", "--schedule", str(settings.data_dir / "celerybeat-schedule")])


def watch() -> None:
    """Watch the hot folder alone (when API and workers run elsewhere)."""
    from services.ingest.hotfolder import HotFolder
    from workers.dispatch import enqueue_for_state

    settings = load_settings()
    prepare_database(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    console.print(f"Watching {settings.hot_folder}")
    try:
        HotFolder(settings, on_submitted=enqueue_for_state).run(stop)
    except KeyboardInterrupt:
        stop.set()


def migrate() -> None:
    """Create or upgrade the database schema and load the default departments."""
    settings = load_settings()
    prepare_database(settings)
    console.print("database is up to date")
