"""`posthantering blobs`: which blob backend is in use, and copying every blob between backends."""

from __future__ import annotations

from typing import Annotated

import typer

from services.cli.common import console, load_settings, prepare_database, print_json

blobs_app = typer.Typer(help="The blob store (originals and searchable PDFs)", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(blobs_app, name="blobs")


@blobs_app.command("copy")
def copy(
    source: Annotated[str, typer.Option("--from", help="folder or postgres")],
    dest: Annotated[str, typer.Option("--to", help="folder or postgres")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON")] = False,
) -> None:
    """Copy every original and searchable PDF the target lacks (originals checked against their
    sha256). Safe to run again and while the service runs; then set POSTHANTERING_BLOB_BACKEND to the
    target on every host and run it once more to catch what arrived meanwhile."""
    from services.core.blobs import blob_store_for, copy_blobs

    settings = load_settings()
    prepare_database(settings)
    if source == dest:
        console.print("[red]error:[/red] --from and --to name the same backend")
        raise typer.Exit(2)
    try:
        copied, present = copy_blobs(blob_store_for(source), blob_store_for(dest))
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if as_json:
        print_json({"from": source, "to": dest, "copied": copied, "already_there": present})
    else:
        console.print(f"{copied} copied, {present} already there ({source} -> {dest})")
