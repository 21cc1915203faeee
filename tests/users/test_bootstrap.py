from __future__ import annotations

from pathlib import Path

from services.core.db import session_scope
from services.users.service import authenticate_token, bootstrap_admin


def test_first_start_creates_one_admin_with_a_working_token(migrated: Path) -> None:
    with session_scope() as s:
        token = bootstrap_admin(s)
    assert token is not None and token.startswith("ph_")
    with session_scope() as s:
        assert authenticate_token(s, token).role == "admin"
        assert bootstrap_admin(s) is None  # second start: nothing new, no token shown
