"""Tables of the registry's workstation (issue 14): e-mail notice settings per user and the notice outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, utcnow


class NotificationSetting(Base):
    """How a user wants to hear of new mail in their inbox: none, immediate, or a daily digest."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    mode: Mapped[str] = mapped_column(String(10), default="none")  # none | immediate | daily


class Notification(Base):
    """One notice owed to one user for one delivered item; sent_at is set when the e-mail went out."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "item_id", name="uq_notifications_user_id_item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("mail_items.id", ondelete="CASCADE"))
    department_code: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
