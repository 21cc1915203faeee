"""Batches: a scanned pile (one source file) and how it was separated into letters (issue 16).

The pile itself stays a MailItem (its pages are read once, page-parallel, like any item); when it
holds more than one letter it ends in state `split` and each letter becomes a new MailItem carrying
`batch_id` and `source_pages` (0-based page indexes of the pile). The batch keeps the decision: the
letters, the blank pages and separator sheets removed (and why), and the per-page evidence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, utcnow


class Batch(Base):
    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The pile's own item (its file, pages and page images); unique: one batch per file.
    source_item_id: Mapped[int] = mapped_column(ForeignKey("mail_items.id", ondelete="CASCADE"), unique=True)
    filename: Mapped[str] = mapped_column(String(500))
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    # auto: split by the machine | review: waits for a registrar | reviewed: a registrar confirmed
    status: Mapped[str] = mapped_column(String(20), default="auto", index=True)
    mode: Mapped[str] = mapped_column(String(20), default="content")  # separators | content | single
    duplex: Mapped[bool] = mapped_column(default=False)
    # The decision as `posthantering split --json` shows it, plus per-page evidence and removed reasons.
    decision: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    reviewed_by: Mapped[str | None] = mapped_column(String(120), default=None)
