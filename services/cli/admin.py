"""Administration: users and tokens, the ROI report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer

from services.cli.common import console, load_settings, prepare_database, print_json
from services.core.errors import DomainError

users_app = typer.Typer(help="Users and API tokens", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.command()(roi)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name")],
    role: Annotated[str, typer.Option(help="admin, registrar, department or viewer")],
    department: Annotated[list[str] | None, typer.Option(help="Department code (repeat for several)")] = None,
    token: Annotated[bool, typer.Option("--token", help="Also issue an API token and print it once")] = False,
    password: Annotated[str | None, typer.Option(help="Password for logging in to the web UI at /ui")] = None,
) -> None:
    """Add a user; with --token print a bearer token for the API (only its hash is stored)."""
    from services.core.db import session_scope
    from services.users.service import create_user, issue_token

    settings = load_settings()
    prepare_database(settings)
    try:
        with session_scope() as session:
            user = create_user(session, name, role, departments=department or [], password=password)
            plain = issue_token(session, user) if token else None
    except DomainError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(1) from exc
    console.print(f"user {name} ({role}) added")
    if plain:
        typer.echo(plain)


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-01-31") from exc


def roi(
    date_from: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Items handled, hours and kronor saved against the manual baseline, per department, type and week;
    the projection (payback, NPV, ROI) from the observed volume."""
    from services.core.db import session_scope
    from services.metering.service import roi_report

    settings = load_settings()
    prepare_database(settings)
    with session_scope() as session:
        report = roi_report(session, _day(date_from), _day(date_to))
    if as_json:
        print_json(report)
        return
    from services.cli.roi_table import print_report

    print_report(report)
