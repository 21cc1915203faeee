"""`posthantering register FILE|- --json`: the proposed registration record, nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from services.cli.common import console, load_settings, print_json, read_letter
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
    from services.registration.arrival import CHANNELS, arrival_date
    from services.registration.service import propose_record

    settings = load_settings()
    if channel not in CHANNELS:
        console.print(f"[red]fel:[/red] kanalen ska vara en av {', '.join(CHANNELS)}")
        raise typer.Exit(2)
    text, name = read_letter(file, settings)
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
