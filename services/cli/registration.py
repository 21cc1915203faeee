"""`posthantering register FILE|- --json`: the proposed registration record, nothing stored."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from services.cli.common import console, load_settings, print_json
from services.core.errors import DomainError
from services.core.messages import error_text
from services.core.pii import mask_personnummer


def register(app: typer.Typer) -> None:
    app.command(name="register")(register_file)


def register_file(
    file: Annotated[str, typer.Argument(help="Ett brev: en textfil, en skanning, eller - för standard in (stdin)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
    channel: Annotated[
        str, typer.Option(help="Kanalen brevet kom in genom, som avgör ankomstdatumet: post|mailbox|email|upload")
    ] = "post",
) -> None:
    """Föreslå registreringsposten (diarieföringen) för ett brev utan att spara något."""
    from services.classify.signals import department_codes, find_case_refs
    from services.ingest.extract import ocr_file
    from services.registration.arrival import CHANNELS, arrival_date
    from services.registration.service import propose_record

    settings = load_settings()
    if channel not in CHANNELS:
        console.print(f"[red]fel:[/red] kanalen ska vara en av {', '.join(CHANNELS)}")
        raise typer.Exit(2)
    name = ""
    if file == "-":
        text = sys.stdin.read()
    else:
        path = Path(file)
        name = path.name
        if not path.exists():
            console.print(f"[red]fel:[/red] filen finns inte: {file}")
            raise typer.Exit(1)
        if path.suffix.lower() in {".txt", ".text", ".md"}:
            text = path.read_text(encoding="utf-8", errors="replace")
        else:
            try:
                text = ocr_file(path, settings)["text"]
            except DomainError as exc:
                console.print(f"[red]fel:[/red] {error_text(exc.message, exc.status_code)}")
                raise typer.Exit(1) from exc
    proposal = propose_record(text, find_case_refs(text), department_codes(), filename=name)
    arrival = arrival_date(datetime.now(UTC), channel, settings.time_zone)
    fields = {k: {"value": v["value"], "confidence": v["confidence"], "source": v.get("source", "")}
              for k, v in proposal["fields"].items()}  # fmt: skip
    fields["sender_id"]["value"] = mask_personnummer(fields["sender_id"]["value"])
    fields["arrival_date"] = {"value": arrival.date.isoformat(), "confidence": 1.0, "source": arrival.reason}
    if as_json:
        print_json({"registration": fields})
        return
    for k, v in fields.items():
        console.print(f"{k:<20} {v['value'] or '–'}  [dim]({v['confidence']:.2f})[/dim]")
