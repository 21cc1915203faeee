"""Small helpers shared by the CLI modules."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from services.core.errors import DomainError
from services.core.logging import configure_logging
from services.core.messages import error_text
from services.core.settings import Settings, get_settings, restrict_file_modes

console = Console(stderr=True)


def load_settings() -> Settings:
    """Settings, failing fast with a readable message on bad configuration."""
    try:
        settings = get_settings()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        console.print(f"[red]konfigurationsfel:[/red] {exc}")
        raise typer.Exit(2) from exc
    configure_logging(settings.log_level, settings.log_json)
    restrict_file_modes()
    return settings


def prepare_database(settings: Settings) -> None:
    """Create the data directory, migrate and load the default departments (idempotent)."""
    from services.core.db import session_scope
    from services.core.migrate import upgrade
    from services.core.seed import ensure_departments

    settings.ensure_dirs()
    upgrade(settings.database_url)
    with session_scope() as session:
        ensure_departments(session)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(exc: DomainError) -> typer.Exit:
    console.print(f"[red]fel:[/red] {error_text(exc.message, exc.status_code)}")
    return typer.Exit(1)


TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})


def read_letter(file: str, settings: Settings) -> tuple[str, str]:
    """A letter's text and file name (empty for standard input): `-` reads standard input, a text file
    is read as it is, anything else (a scan, a PDF) through the same extraction as the pipeline."""
    if file == "-":
        return sys.stdin.read(), ""
    path = Path(file)
    if not path.exists():
        console.print(f"[red]fel:[/red] filen finns inte: {file}")
        raise typer.Exit(1)
    if path.suffix.lower() in TEXT_SUFFIXES:
        return path.read_text(encoding="utf-8", errors="replace"), path.name
    from services.ingest.extract import ocr_file  # tesseract and the PDF readers: only for a scan

    try:
        return ocr_file(path, settings)["text"], path.name
    except DomainError as exc:
        raise fail(exc) from exc
