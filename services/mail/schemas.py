"""API shapes for mail items and departments. Item text always leaves with personnummer masked."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from services.core.models import Department, MailItem
from services.core.pii import mask_personnummer

SNIPPET_CHARS = 160
MAX_HUMAN_SECONDS = 8 * 3600  # a touch longer than a working day is a stopwatch left running


def _utc(dt: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything stored is UTC."""
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt


def masked_snippet(text: str, length: int = SNIPPET_CHARS) -> str:
    # Mask before cutting, so a number split by the cut cannot escape the mask.
    flat = re.sub(r"\s+", " ", mask_personnummer(text[: length * 4])).strip()
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


class PageOut(BaseModel):
    index: int
    method: str
    confidence: float | None
    seconds: float
    rotation: int


class _ItemBase(BaseModel):
    id: int
    state: str
    state_reason: str | None
    filename: str
    mime: str
    size_bytes: int
    channel: str
    page_count: int
    # issue 11: false while a letter decided on its first pages still has pages being read
    text_complete: bool = True
    department: str | None
    suggested_department: str | None
    confidence: float | None
    decision: str | None
    doc_type: str | None
    sensitive: bool
    personnummer_found: bool
    created_at: datetime | None
    updated_at: datetime | None
    routed_at: datetime | None
    acknowledged_at: datetime | None

    @staticmethod
    def _common(item: MailItem) -> dict[str, Any]:
        return {
            "id": item.id,
            "state": item.state,
            "state_reason": mask_personnummer(item.state_reason) if item.state_reason else None,
            "filename": item.filename,
            "mime": item.mime,
            "size_bytes": item.size_bytes,
            "channel": item.channel,
            "page_count": item.page_count,
            "text_complete": not item.text_pending,
            "department": item.department_code,
            "suggested_department": item.suggested_department,
            "confidence": item.confidence,
            "decision": item.decision,
            "doc_type": item.doc_type,
            "sensitive": bool(item.sensitive),
            "personnummer_found": bool(item.personnummer_found),
            "created_at": _utc(item.created_at),
            "updated_at": _utc(item.updated_at),
            "routed_at": _utc(item.routed_at),
            "acknowledged_at": _utc(item.acknowledged_at),
        }


class MailItemOut(_ItemBase):
    case_refs: list[Any]
    suggestions: list[Any]
    reasons: dict[str, Any]
    ocr_confidence: float | None
    pages: list[PageOut]
    text: str
    batch_id: int | None = None  # issue 16: the scanned pile this letter came from
    source_pages: list[int] | None = None  # its page indexes (0-based) in that pile

    @classmethod
    def from_item(cls, item: MailItem) -> MailItemOut:
        return cls(
            **cls._common(item),
            batch_id=item.batch_id,
            source_pages=item.source_pages,
            case_refs=list(item.case_refs or []),
            suggestions=list(item.suggestions or []),
            reasons=dict(item.reasons or {}),
            ocr_confidence=item.ocr_confidence,
            pages=[
                PageOut(index=p.index, method=p.method, confidence=p.confidence, seconds=p.seconds, rotation=p.rotation)
                for p in item.pages
            ],
            text=mask_personnummer(item.text),
        )


class MailSummaryOut(_ItemBase):
    """A list row: no full text; a short masked snippet, none at all for sensitive items."""

    snippet: str | None

    @classmethod
    def from_item(cls, item: MailItem) -> MailSummaryOut:
        snippet = None if item.sensitive or not item.pages else masked_snippet(item.pages[0].text)
        return cls(**cls._common(item), snippet=snippet)


class MailListOut(BaseModel):
    items: list[MailSummaryOut]
    total: int
    limit: int
    offset: int


class RouteIn(BaseModel):
    department: str = Field(min_length=1, max_length=16)
    comment: str | None = Field(default=None, max_length=2000)
    human_seconds: float = Field(default=0.0, ge=0, le=MAX_HUMAN_SECONDS)

    @field_validator("department")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.strip().upper()


class AcknowledgeIn(BaseModel):
    human_seconds: float = Field(default=0.0, ge=0, le=MAX_HUMAN_SECONDS)


class ReturnIn(BaseModel):
    comment: str = Field(min_length=1, max_length=2000)
    human_seconds: float = Field(default=0.0, ge=0, le=MAX_HUMAN_SECONDS)


class SubmitOut(BaseModel):
    id: int
    state: str
    duplicate: bool


class DepartmentOut(BaseModel):
    code: str
    name: str
    handles: str
    sensitive_by_default: bool
    routable: bool
    active: bool

    @classmethod
    def from_department(cls, d: Department) -> DepartmentOut:
        return cls(
            code=d.code,
            name=d.name,
            handles=d.handles or "",
            sensitive_by_default=bool(d.sensitive_by_default),
            routable=bool(d.routable),
            active=bool(d.active),
        )


class DiscardIn(BaseModel):
    human_seconds: float = Field(default=0.0, ge=0.0, le=MAX_HUMAN_SECONDS)


class DiscardManyIn(BaseModel):
    ids: list[int] = Field(min_length=1, max_length=200)
    human_seconds: float = Field(default=0.0, ge=0.0, le=MAX_HUMAN_SECONDS)


class DiscardManyOut(BaseModel):
    discarded: list[int]
    skipped: list[int]
