"""`posthantering split FILE --json`: how a scanned pile would be separated into letters (nothing stored)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from services.cli.common import console, fail, load_settings, print_json
from services.core.errors import DomainError


def register(app: typer.Typer) -> None:
    app.command()(split)


def split(
    file: Annotated[Path, typer.Argument(help="En skannad bunt: PDF eller TIFF med flera sidor")],
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ut beslutet som JSON")] = False,
    details: Annotated[bool, typer.Option(help="Även underlaget för varje sida")] = False,
) -> None:
    """Delningsbeslutet: brev med sina sidindex (från 0), tomma sidor och skiljeblad."""
    from services.ingest.separation import split_file

    if not file.exists():
        console.print(f"[red]fel:[/red] filen finns inte: {file}")
        raise typer.Exit(1)
    try:
        result = split_file(file, load_settings(), details=details)
    except DomainError as exc:
        raise fail(exc) from exc
    if as_json:
        print_json(result)
        return
    for n, doc in enumerate(result["documents"], start=1):
        pages = ", ".join(str(p + 1) for p in doc["pages"])
        console.print(f"brev {n}: sidor {pages} (säkerhet {doc['confidence']:.2f})")
    if result["blank"]:
        console.print("tomma sidor: " + ", ".join(str(p + 1) for p in result["blank"]))
    if result["separators"]:
        console.print("skiljeblad: " + ", ".join(str(p + 1) for p in result["separators"]))
    if result["review"]:
        console.print("[yellow]osäker delning: går till granskning[/yellow]")
