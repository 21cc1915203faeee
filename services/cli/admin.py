"""Administration: users and tokens, the ROI report."""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import Annotated

import typer

from services.cli.common import console, fail, load_settings, prepare_database, print_json
from services.core.errors import DomainError

users_app = typer.Typer(help="Användare och API-token", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.command()(roi)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Användarnamn")],
    role: Annotated[str, typer.Option(help="Roll: admin, registrar, department eller viewer")],
    department: Annotated[list[str] | None, typer.Option(help="Avdelningens kod (upprepa för flera)")] = None,
    token: Annotated[bool, typer.Option("--token", help="Skapa också en API-token och skriv ut den en gång")] = False,
    password: Annotated[
        bool,
        typer.Option(
            "--password", help="Fråga efter ett lösenord till webbgränssnittet (frågas, eller första raden på stdin)"
        ),
    ] = False,
) -> None:
    """Lägg till en användare; med --token skrivs en API-token ut (bara dess hash sparas)."""
    from services.core.db import session_scope
    from services.users.admin import check_password
    from services.users.service import create_user, issue_token

    settings = load_settings()
    prepare_database(settings)
    try:
        if password:
            password_text: str | None = _read_password()
            check_password(password_text or "")
        else:
            password_text = None
        with session_scope() as session:
            user = create_user(session, name, role, departments=department or [], password=password_text)
            plain = issue_token(session, user) if token else None
    except DomainError as exc:
        raise fail(exc) from exc
    console.print(f"användaren {name} ({role}) är tillagd")
    if plain:
        typer.echo(plain)


def _read_password() -> str:
    """From a hidden prompt on a terminal, else the first line of standard input: never from argv."""
    if sys.stdin.isatty():
        return str(typer.prompt("Lösenord", hide_input=True, confirmation_prompt="Upprepa lösenordet"))
    return sys.stdin.readline().rstrip("\r\n")


@users_app.command("passwd")
def users_passwd(name: Annotated[str, typer.Argument(help="Användarnamn")]) -> None:
    """Sätt en användares lösenord till webbgränssnittet (frågas, eller första raden på stdin);
    användarens inloggningar avslutas."""
    from services.core.db import session_scope
    from services.users.admin import set_password_by_name

    prepare_database(load_settings())
    password = _read_password()
    try:
        with session_scope() as session:
            set_password_by_name(session, name, password)
    except DomainError as exc:
        raise fail(exc) from exc
    console.print(f"lösenordet för {name} är ändrat; användarens inloggningar i webbgränssnittet är avslutade")


@users_app.command("token")
def users_token(
    name: Annotated[str, typer.Argument(help="Användarnamn")],
    days: Annotated[
        int | None, typer.Option(help="Dagar tills den går ut (0: aldrig); standard enligt inställningarna")
    ] = None,
) -> None:
    """Skapa en ny API-token för en användare och skriv ut den en gång."""
    from services.core.db import session_scope
    from services.users.service import get_user_by_name, issue_token

    prepare_database(load_settings())
    with session_scope() as session:
        user = get_user_by_name(session, name)
        if user is None:
            console.print(f"[red]fel:[/red] användaren {name} finns inte")
            raise typer.Exit(1)
        plain = issue_token(session, user, days)
    typer.echo(plain)


@users_app.command("revoke")
def users_revoke(name: Annotated[str, typer.Argument(help="Användarnamn")]) -> None:
    """Återkalla alla API-token för en användare och avsluta användarens inloggningar i webbgränssnittet."""
    from services.core.db import session_scope
    from services.users.admin import revoke_user

    prepare_database(load_settings())
    try:
        with session_scope() as session:
            count = revoke_user(session, name)
    except DomainError as exc:
        raise fail(exc) from exc
    console.print(f"{count} token för {name} återkallade; användarens inloggningar i webbgränssnittet är avslutade")


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Användare med roll, avdelningar, om de kan logga in, och deras token (prefix, giltighetstid, läge)."""
    from services.core.db import session_scope
    from services.users.admin import list_users
    from services.users.service import token_expired

    prepare_database(load_settings())
    with session_scope() as session:
        rows = [
            {
                "name": u.name,
                "role": u.role,
                "departments": sorted(u.department_codes),
                "active": u.active,
                "password": bool(u.password_hash),
                "tokens": [
                    {
                        "id": t.id,
                        "prefix": t.prefix,
                        "created_at": t.created_at.isoformat(),
                        "expires_at": t.expires_at.isoformat() if t.expires_at else None,
                        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                        "state": "revoked" if t.revoked else "expired" if token_expired(t) else "active",
                    }
                    for t in u.tokens
                ],
            }
            for u in list_users(session)
        ]
    if as_json:
        print_json(rows)
        return
    for r in rows:
        live = sum(t["state"] == "active" for t in r["tokens"])
        depts = ",".join(r["departments"]) or "-"
        flags = ("" if r["active"] else " (avstängd)") + (" lösenord" if r["password"] else "")
        typer.echo(f"{r['name']}\t{r['role']}\t{depts}\t{live} aktiva token{flags}")


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} är inte ett datum som 2026-01-31") from exc


def roi(
    date_from: Annotated[str | None, typer.Option("--from", help="Första dagen, ÅÅÅÅ-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Sista dagen, ÅÅÅÅ-MM-DD")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Hanterade försändelser, sparade timmar och kronor mot den manuella utgångsnivån, per avdelning,
    dokumenttyp och vecka; prognosen (återbetalning, nuvärde, ROI) utifrån den uppmätta volymen."""
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
