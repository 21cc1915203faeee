"""Issue 9.4: API tokens expire and can be listed and revoked; the CLI's users passwd|token|revoke|list."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli.main import app
from services.core.db import session_scope
from services.core.errors import Unauthorized
from services.core.models import User, utcnow
from services.users import service as users
from services.users.admin import login
from services.users.service import authenticate_token, bootstrap_admin, create_user, issue_token


def test_tokens_expire(migrated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with session_scope() as s:
        user = create_user(s, "rita", "registrar")
        short = issue_token(s, user, days=1)
        forever = issue_token(s, user, days=0)
        default = issue_token(s, user)
        rows = {t.prefix: t for t in users.list_tokens(s, "rita")}
        assert rows[default[:11]].expires_at is not None  # POSTHANTERING_API_TOKEN_DAYS, 365 by default
        assert rows[forever[:11]].expires_at is None
    later = utcnow() + timedelta(days=2)
    monkeypatch.setattr(users, "utcnow", lambda: later)
    with session_scope() as s:
        with pytest.raises(Unauthorized, match="expired"):
            authenticate_token(s, short)
        assert authenticate_token(s, forever).name == "rita"


def test_first_start_admin_can_get_a_password(migrated: Path) -> None:
    with session_scope() as s:
        assert bootstrap_admin(s, password="ett-bra-lösen") is not None
    with session_scope() as s:
        assert login(s, "admin", "ett-bra-lösen") is not None


def test_cli_users_passwd_token_list_revoke(migrated: Path) -> None:
    runner = CliRunner()
    with session_scope() as s:
        create_user(s, "rita", "registrar")
    # The password comes from standard input (or a hidden prompt), never from the command line.
    r = runner.invoke(app, ["users", "passwd", "rita"], input="kort\n")
    assert r.exit_code == 1 and "minst 8" in r.output  # the UI's password policy
    r = runner.invoke(app, ["users", "passwd", "rita"], input="hemligt-lösen-9\n")
    assert r.exit_code == 0, r.output
    with session_scope() as s:
        assert login(s, "rita", "hemligt-lösen-9") is not None
        assert s.query(User).filter_by(name="rita").one().session_generation == 1  # old sessions ended
    assert runner.invoke(app, ["users", "passwd", "rita", "hemligt-lösen-9"]).exit_code != 0  # no argv password

    token = runner.invoke(app, ["users", "token", "rita", "--days", "30"]).stdout.strip()
    with session_scope() as s:
        assert authenticate_token(s, token).name == "rita"
    listed = json.loads(runner.invoke(app, ["users", "list", "--json"]).stdout)
    [rita] = [u for u in listed if u["name"] == "rita"]
    assert rita["password"] and [t["state"] for t in rita["tokens"]] == ["active"]
    assert token not in json.dumps(listed)  # only the prefix is shown

    r = runner.invoke(app, ["users", "revoke", "rita"])
    assert r.exit_code == 0 and "1 token" in r.output
    with session_scope() as s, pytest.raises(Unauthorized):
        authenticate_token(s, token)
    assert (
        runner.invoke(app, ["users", "add", "bo", "--role", "viewer", "--password"], input="bo-lösen-123\n").exit_code
        == 0
    )
    with session_scope() as s:
        assert login(s, "bo", "bo-lösen-123") is not None
