"""Small queries the ingest service needs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.models import MailItem


def get_by_sha(session: Session, sha: str) -> MailItem | None:
    return session.scalars(select(MailItem).where(MailItem.sha256 == sha)).first()
