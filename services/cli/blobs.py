"""`posthantering blobs`: which blob backend is in use, and copying every blob between backends."""

from __future__ import annotations

from typing import Annotated

import typer

from services.cli.common import console, load_settings, prepare_database, print_json
from services.core.messages import error_text

blobs_app = typer.Typer(help="Fillagret (originalfiler och sökbara PDF:er)", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(blobs_app, name="blobs")


@blobs_app.command("copy")
def copy(
    source: Annotated[str, typer.Option("--from", help="Varifrån: folder eller postgres")],
    dest: Annotated[str, typer.Option("--to", help="Vart: folder eller postgres")],
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ut antalen som JSON")] = False,
) -> None:
    """Kopiera varje originalfil och sökbar PDF som målet saknar (originalen kontrolleras mot sin
    sha256). Kan köras flera gånger och medan tjänsten är igång; sätt sedan POSTHANTERING_BLOB_BACKEND
    till målet på varje server och kör en gång till för att få med det som kommit in under tiden."""
    from services.core.blobs import blob_store_for, copy_blobs

    settings = load_settings()
    prepare_database(settings)
    if source == dest:
        console.print("[red]fel:[/red] --from och --to anger samma lagring")
        raise typer.Exit(2)
    try:
        copied, present = copy_blobs(blob_store_for(source), blob_store_for(dest))
    except ValueError as exc:
        console.print(f"[red]fel:[/red] {error_text(str(exc), 400)}")
        raise typer.Exit(2) from exc
    if as_json:
        print_json({"from": source, "to": dest, "copied": copied, "already_there": present})
    else:
        console.print(f"{copied} kopierade, {present} fanns redan ({source} -> {dest})")
