"""API tokens: list (admin: everyone's, others: their own) and revoke (GET /api/v1/tokens, POST .../revoke)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query

from services.api.deps import current_user
from services.core.db import session_scope
from services.core.errors import Forbidden
from services.core.models import User
from services.users import service as users
from services.users.schemas import TokenOut

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.get("", response_model=list[TokenOut])
def list_tokens(
    user_name: str | None = Query(None, alias="user", max_length=120), user: User = Depends(current_user)
) -> list[TokenOut]:
    if user.role != "admin":
        if user_name not in (None, user.name):
            raise Forbidden("only an admin may list other users' tokens")
        user_name = user.name
    with session_scope() as session:
        return [TokenOut.from_row(t) for t in users.list_tokens(session, user_name)]


@router.post("/{token_id}/revoke", response_model=TokenOut)
def revoke_token(token_id: int = Path(..., ge=1, le=2**63 - 1), user: User = Depends(current_user)) -> TokenOut:
    with session_scope() as session:
        return TokenOut.from_row(users.revoke_token(session, token_id, by=user))
