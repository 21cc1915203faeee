"""Shapes of users' API tokens as the API shows them (never the token itself)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, field_validator

from services.core.models import ApiToken


class TokenOut(BaseModel):
    id: int
    user: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    state: str  # active | expired | revoked

    @field_validator("created_at", "expires_at", "last_used_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value  # SQLite: naive UTC

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
