from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from services.core.db import session_scope
from services.core.errors import Conflict, Unauthorized
from services.core.models import ApiToken, User
from services.users.service import (
    InvalidUser,
    actor_for,
    authenticate_token,
    create_user,
    get_user_by_name,
    issue_token,
    verify_password,
)


def test_create_user_with_departments_and_password(database: None) -> None:
    with session_scope() as s:
        u = create_user(s, "anna", "department", ["sbn", "MHN"], password="hemligt-lösen")
        uid = u.id
    with session_scope() as s:
        u = get_user_by_name(s, "anna")
        assert u is not None and u.id == uid
        assert u.department_codes == {"SBN", "MHN"}
        assert u.password_hash and "hemligt" not in u.password_hash
        assert verify_password(u, "hemligt-lösen")
        assert not verify_password(u, "fel")
        assert actor_for(u) == f"user:{uid}:anna"


@pytest.mark.parametrize(
    ("role", "departments"),
    [("boss", []), ("department", []), ("department", ["NOPE"]), ("registrar", ["NOPE"])],
)
def test_create_user_rejects(database: None, role: str, departments: list[str]) -> None:
    with session_scope() as s, pytest.raises(InvalidUser):
        create_user(s, "x", role, departments)


def test_duplicate_name_conflicts(database: None) -> None:
    with session_scope() as s:
        create_user(s, "bo", "viewer")
    with session_scope() as s, pytest.raises(Conflict):
        create_user(s, "bo", "viewer")


def test_token_stored_only_as_hash_and_authenticates(database: None) -> None:
    with session_scope() as s:
        u = create_user(s, "reg", "registrar")
        token = issue_token(s, u)
    assert token.startswith("ph_") and len(token) > 40
    with session_scope() as s:
        row = s.scalars(select(ApiToken)).one()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in (row.token_hash, row.prefix)
        assert token.startswith(row.prefix)
        assert row.last_used_at is None
    with session_scope() as s:
        assert authenticate_token(s, token).name == "reg"
    with session_scope() as s:
        assert s.scalars(select(ApiToken)).one().last_used_at is not None


@pytest.mark.parametrize("token", [None, "", "abc", "ph_notarealtoken"])
def test_bad_tokens_unauthorized(database: None, token: str | None) -> None:
    with session_scope() as s, pytest.raises(Unauthorized):
        authenticate_token(s, token)


def test_revoked_and_inactive_unauthorized(database: None) -> None:
    with session_scope() as s:
        u = create_user(s, "a", "admin")
        t1 = issue_token(s, u)
        t2 = issue_token(s, u)
    with session_scope() as s:
        s.scalars(select(ApiToken).where(ApiToken.prefix == t1[:11])).one().revoked = True
    with session_scope() as s, pytest.raises(Unauthorized):
        authenticate_token(s, t1)
    with session_scope() as s:
        assert authenticate_token(s, t2).name == "a"
        s.scalars(select(User)).one().active = False
    with session_scope() as s, pytest.raises(Unauthorized):
        authenticate_token(s, t2)
