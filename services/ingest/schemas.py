"""What the ingest service hands back: per-page extraction results, file facts, submission outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.core.models import MailItem


@dataclass
class PageResult:
    index: int  # 0-based
    text: str
    method: str  # "text-layer" | "ocr" | "empty"
    confidence: float | None  # mean word confidence 0-100 (None for text-layer and empty pages)
    seconds: float
    rotation: int  # degrees turned to read the page upright
    note: str | None = None  # why a text layer was not used ("invisible text layer", ...)
    signals: dict[str, Any] = field(default_factory=dict)  # separation: ink, barcodes, layout


@dataclass
class FileInfo:
    mime: str
    pages: int


@dataclass
class SubmitResult:
    item: MailItem
    duplicate: bool
    error: str | None = None
