"""Shapes of users' API tokens as the API shows them (never the token itself)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from services.core.models import ApiToken


class TokenOut(BaseModel):
    id: int
    user: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    state: str  # active | expired | revoked

    @classmethod
    def from_row(cls, row: ApiToken) -> TokenOut:
        from services.users.service import token_expired

        state = "revoked" if row.revoked else "expired" if token_expired(row) else "active"
        return cls(
            id=row.id,
            user=row.user.name,
            prefix=row.prefix,
            created_at=row.created_at,
            expires_at=row.expires_at,
            last_used_at=row.last_used_at,
            state=state,
        )
