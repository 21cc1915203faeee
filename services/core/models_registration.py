"""Registration (diarieföring): the record OSL 5 kap. asks for, one per mail item, and its exports.

The record's proposed fields live in `fields` as {name: {value, confidence, source, start, end}} so the
validation station can show where each value came from; the columns beside it are what lists, exports
and the daily import query on. A registrar's edits overwrite `fields[name]` with confidence 1.0 and
source "registrator".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, utcnow


class RegistrationRecord(Base):
    __tablename__ = "registration_records"
    __table_args__ = (Index("ix_registration_records_arrival_date", "arrival_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("mail_items.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="proposed")  # proposed | confirmed
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Inkomstdatum by FL 22 § and how it was reached (channel, rule, or the registrar's override reason).
    arrival_date: Mapped[date] = mapped_column(Date)
    intake_channel: Mapped[str] = mapped_column(String(12), default="post")  # post | mailbox | email | upload
    arrival_reason: Mapped[str] = mapped_column(Text, default="")
    arrival_overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    do_not_open: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_by: Mapped[str | None] = mapped_column(String(120), default=None)
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    exported_at: Mapped[datetime | None] = mapped_column(default=None)
    # Export wanted (confirmed, or auto-routed with auto-export on) and not yet delivered to every connector.
    export_pending: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # The current delivery round (reset by a manual re-send): tries so far, when the first was, when the
    # next is due (backoff), and when/why it was given up (a refusal, or too many tries / too long).
    export_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    export_started_at: Mapped[datetime | None] = mapped_column(default=None)
    export_next_at: Mapped[datetime | None] = mapped_column(default=None)
    export_failed_at: Mapped[datetime | None] = mapped_column(default=None)
    export_failure: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExportDelivery(Base):
    """The delivery log: one row per try of one connector for one item."""

    __tablename__ = "export_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("mail_items.id", ondelete="CASCADE"), index=True)
    connector: Mapped[str] = mapped_column(String(40))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
