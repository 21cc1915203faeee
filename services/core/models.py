"""The shared domain model. Every service reads and writes these tables; only core defines them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True), dict[str, Any]: JSON, list[Any]: JSON}


class Department(Base):
    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    handles: Mapped[str] = mapped_column(Text, default="")
    sensitive_by_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # False for INGEN (advertising): a classification target, never an inbox.
    routable: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class MailItem(Base):
    __tablename__ = "mail_items"
    __table_args__ = (
        Index("ix_mail_items_state_updated_at", "state", "updated_at"),
        Index("ix_mail_items_department_state", "department_code", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(500))
    mime: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(20), default="upload")  # upload | hotfolder | cli
    # issue 12: the intake channel for the arrival date (FL 22 §) as it came in: post | mailbox | email |
    # upload, from the inbox subfolder it was taken from (None: decided from `channel` and the settings).
    intake_channel: Mapped[str | None] = mapped_column(String(12), default=None)

    state: Mapped[str] = mapped_column(String(20), index=True)
    state_reason: Mapped[str | None] = mapped_column(Text, default=None)  # why quarantined/failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)

    page_count: Mapped[int] = mapped_column(Integer, default=0)
    ocr_confidence: Mapped[float | None] = mapped_column(Float, default=None)

    # Classification outcome
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), default=None)
    suggested_department: Mapped[str | None] = mapped_column(String(16), default=None)
    confidence: Mapped[float | None] = mapped_column(Float, default=None)
    decision: Mapped[str | None] = mapped_column(String(10), default=None)  # auto | review
    doc_type: Mapped[str | None] = mapped_column(String(40), default=None)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    personnummer_found: Mapped[bool] = mapped_column(Boolean, default=False)
    case_refs: Mapped[list[Any]] = mapped_column(JSON, default=list)
    suggestions: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{department, confidence}]
    reasons: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    model_version: Mapped[str | None] = mapped_column(String(64), default=None)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    routed_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    # issue 16: a letter separated from a scanned pile: the pile's batch and its page indexes there.
    batch_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)  # batches.id
    source_pages: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    # issue 11: decided on its first pages while the rest are still being read (services/pipeline/early.py);
    # false again once the last page is in (the `text_completed` event says when).
    text_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), index=True)

    pages: Mapped[list[Page]] = relationship(
        back_populates="item", order_by="Page.index", cascade="all, delete-orphan", lazy="selectin"
    )
    department: Mapped[Department | None] = relationship(lazy="joined")

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("item_id", "index", name="uq_pages_item_id_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("mail_items.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)  # 0-based
    text: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(String(20))  # text-layer | ocr | empty
    confidence: Mapped[float | None] = mapped_column(Float, default=None)  # mean word confidence 0-100
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    rotation: Mapped[int] = mapped_column(Integer, default=0)  # degrees turned to read it upright
    signals: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)  # issue 16: ink, barcodes, layout

    item: Mapped[MailItem] = relationship(back_populates="pages")


class Event(Base):
    """Audit trail and metering: one row per state change or human action."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("mail_items.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))  # "system:worker", "user:3:anna", ...
    action: Mapped[str] = mapped_column(String(40))  # received, extracted, classified, routed, ...
    from_state: Mapped[str | None] = mapped_column(String(20), default=None)
    to_state: Mapped[str | None] = mapped_column(String(20), default=None)
    machine_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    human_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # admin | registrar | department | viewer
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped to end every UI session of the user (logout everywhere, password change, deactivation).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    departments: Mapped[list[UserDepartment]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="user"
    )
    tokens: Mapped[list[ApiToken]] = relationship(cascade="all, delete-orphan", back_populates="user")

    @property
    def department_codes(self) -> set[str]:
        return {d.department_code for d in self.departments}


class UserDepartment(Base):
    __tablename__ = "user_departments"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), primary_key=True)

    user: Mapped[User] = relationship(back_populates="departments")


class ApiToken(Base):
    """Bearer tokens: only the sha256 of the token is stored, never the token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown to admins to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)  # None: never (tokens made before 0006)

    user: Mapped[User] = relationship(back_populates="tokens", lazy="joined")


class ModelVersion(Base):
    """A trained classifier: its file, its evaluation report, whether it is the one in use."""

    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=False)


class RoiModel(Base):
    """A version of the manual-handling baseline and cost assumptions. Reports name the version they used."""

    __tablename__ = "roi_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120), default="system")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Case(Base):
    """A known case (ärende) in the case register: imported from the diarium, or learnt from routed mail."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # normalised as signals.find_case_refs
    department_code: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(10), default="import")  # import | routed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoutingRule(Base):
    """An admin's sender or keyword rule, applied before the model (services/classify/rules.py)."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # sender | keyword
    pattern: Mapped[str] = mapped_column(String(500))
    is_regex: Mapped[bool] = mapped_column(Boolean, default=False)
    department_code: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer, default=100)  # lower first
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120), default="system")


from services.core import models_blobs as _models_blobs  # noqa: E402,F401  (issue 11: blob backend tables)
from services.core import models_registration as _models_registration  # noqa: E402,F401  (issue 12: tables on Base)
from services.core import models_reliability as _models_reliability  # noqa: E402,F401  (issue 10)
from services.core import models_security  # noqa: E402, F401  (issue 9: registers its tables)
from services.core import models_separation as _models_separation  # noqa: E402,F401  (issue 16: batches)
from services.core import models_workstation as _models_workstation  # noqa: E402,F401  (issue 14: its tables join the metadata)
