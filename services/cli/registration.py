"""`posthantering register FILE|- --json`: the proposed registration record, nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from services.cli.common import console, load_settings, prepare_database, print_json, read_letter
from services.core.pii import mask_personnummer


def register(app: typer.Typer) -> None:
    app.command(name="register")(register_file)
    app.command(name="backfill-registrations")(backfill_registrations)


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


def backfill_registrations(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Räkna bara, spara inget")] = False,
    batch: Annotated[int, typer.Option(min=1, help="Försändelser per transaktion")] = 200,
) -> None:
    """Föreslå registreringsposter för försändelser som kom in innan tjänsten föreslog dem (efter en
    uppgradering). Posterna exporteras inte förrän en registrator bekräftar dem."""
    from services.classify.signals import department_codes
    from services.core.db import session_scope
    from services.registration.backfill import backfill as propose_missing
    from services.registration.backfill import missing

    settings = load_settings()
    prepare_database(settings)
    if dry_run:
        with session_scope() as session:
            count = len(missing(session, limit=10**9))
        console.print(f"{count} försändelser saknar registreringspost")
        return
    own, total = department_codes(), 0
    while True:
        with session_scope() as session:  # one transaction per batch: a stop keeps what is done
            ids = missing(session, limit=batch)
            if not ids:
                break
            done = propose_missing(session, ids, own)
        total += done
        if not done:  # another process took them meanwhile
            break
    console.print(f"{total} försändelser fick en föreslagen registreringspost")
