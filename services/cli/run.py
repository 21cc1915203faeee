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
from services.core.messages import error_text


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(worker)
    app.command()(beat)
    app.command()(watch)
    app.command()(migrate)


def _die_with_parent() -> None:
    """In the child: get SIGTERM when `serve` dies, even by SIGKILL, so no worker is orphaned (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _start_child(argv: list[str]) -> subprocess.Popen[bytes]:
    # Own process group: stopping a worker stops its pool processes too.
    return subprocess.Popen(argv, env=_child_env(), start_new_session=True, preexec_fn=_die_with_parent)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


def worker_argv(queues: str, concurrency: int) -> list[str]:
    """The Celery worker command `serve` and `worker` run (the integration tests start the same)."""
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
    host: Annotated[str | None, typer.Option(help="Adress att lyssna på")] = None,
    port: Annotated[int | None, typer.Option(help="Port att lyssna på")] = None,
    concurrency: Annotated[int | None, typer.Option(help="Arbetsprocesser (standard: antalet kärnor)")] = None,
) -> None:
    """Kör allt i ett kommando: API och webbgränssnitt, en arbetsprocess, schemaläggaren och
    bevakningen av skannermappen."""
    import uvicorn

    from services.api.app import create_app
    from services.cli.supervise import Supervisor
    from services.ingest.hotfolder import HotFolder
    from services.users.service import bootstrap_admin
    from workers.dispatch import enqueue_for_state

    settings = load_settings()
    prepare_database(settings)
    from services.core.db import session_scope
    from services.core.errors import DomainError

    try:
        with session_scope() as session:
            token = bootstrap_admin(session, password=settings.admin_password or None)
    except DomainError as exc:  # POSTHANTERING_ADMIN_PASSWORD breaks the password policy
        why = error_text(exc.message, exc.status_code)
        console.print(f"[red]konfigurationsfel:[/red] POSTHANTERING_ADMIN_PASSWORD: {why}")
        raise typer.Exit(2) from exc
    if token:
        console.print(f"[bold]Första starten: en administratör har skapats. API-token (visas en gång):[/bold]\n{token}")
        if not settings.admin_password:
            console.print("Ge den ett lösenord till webbgränssnittet med: posthantering users passwd admin")

    n = concurrency or settings.worker_concurrency
    supervisor = Supervisor(settings, _start_child)
    supervisor.add("worker", worker_argv("ocr,default", n), watch_worker=True, watch_progress=True)
    supervisor.add("beat", [sys.executable, "-m", "services.cli.main", "beat"])
    supervisor.start()
    # uvicorn re-raises SIGTERM after its own graceful shutdown; turn it into an exception so the
    # `finally` below still stops the worker, beat and watcher.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    stop = threading.Event()
    watcher = threading.Thread(
        target=HotFolder(settings, on_submitted=enqueue_for_state).run,
        args=(stop,),
        name="hotfolder",
        daemon=True,
    )
    watcher.start()
    h, p = host or settings.host, port or settings.port
    console.print(f"Posthantering på http://{h}:{p}  (data: {settings.data_dir}, skannermapp: {settings.hot_folder})")
    try:
        uvicorn.run(create_app(), host=h, port=p, log_level=settings.log_level.lower())
    finally:
        stop.set()
        supervisor.stop()
        watcher.join(timeout=5)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def worker(
    queues: Annotated[str, typer.Option(help="Köer, kommaseparerade: ocr, default")] = "ocr,default",
    concurrency: Annotated[int | None, typer.Option(help="Processer (standard: antalet kärnor)")] = None,
    name: Annotated[str | None, typer.Option(help="Arbetsprocessens namn, t.ex. ocr1@%h")] = None,
) -> None:
    """Kör en Celery-arbetsprocess under övervakning: dör den (t.ex. när mäklaren startas om) startas den
    igen (för att skala ut: så många `--queues ocr`-processer som volymen kräver)."""
    from services.cli.supervise import Supervisor

    settings = load_settings()
    prepare_database(settings)
    argv = worker_argv(queues, concurrency or settings.worker_concurrency)
    if name:
        argv += ["-n", name]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    # Queued work elsewhere may wait for other hosts' workers: only death and the heartbeat count here.
    supervisor = Supervisor(settings, _start_child)
    supervisor.add("worker", argv, watch_worker=True)
    supervisor.start()
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        supervisor.stop()


def beat() -> None:
    """Kör schemaläggaren som startar städningen (köar om försändelser som fastnat i ett behandlingssteg)."""
    settings = load_settings()
    settings.ensure_dirs()
    from workers.celery_app import app as celery_app

    celery_app.start(["beat", "--loglevel", "INFO", "--schedule", str(settings.data_dir / "celerybeat-schedule")])


def watch() -> None:
    """Bevaka bara skannermappen (när API och arbetsprocesser körs någon annanstans)."""
    from services.ingest.hotfolder import HotFolder
    from workers.dispatch import enqueue_for_state

    settings = load_settings()
    prepare_database(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    console.print(f"Bevakar {settings.hot_folder}")
    try:
        HotFolder(settings, on_submitted=enqueue_for_state).run(stop)
    except KeyboardInterrupt:
        stop.set()


def migrate() -> None:
    """Skapa eller uppgradera databasschemat och läs in standardavdelningarna."""
    settings = load_settings()
    prepare_database(settings)
    console.print("databasen är uppdaterad")
