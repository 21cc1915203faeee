"""Separation: which pages of a scanned pile belong to which letter.

Input: every page of the file as extraction read it (its text, how it was read, and the signals of
separation_signals: ink, barcodes, layout). Output: a Decision
  {"pages": N, "documents": [{"pages": [0, 1], "confidence": 0.97}, ...],
   "blank": [2, 5], "separators": [3], "review": false, ...}
with 0-based page indexes of the file. The rules, in order:
1. Separator sheets (Code 39 PATCHT or QR POSTHANTERING:SEPARATOR) are removed; in a duplex scan the
   back of the sheet too. When a pile has separator sheets, they alone split it (confidence 1).
2. Blank pages (ink below the blank threshold and no text read) are removed, and kept with the batch.
3. Without sheets, each remaining page is scored by separation_scorer (does it start a letter?).
   In a duplex scan (most backs blank, even page count) a letter can start only on a sheet's front,
   so two sides of one sheet are never split. A decision less sure than `min_confidence` sends the
   whole pile to review instead of guessing.
4. A short file (at most `short_file_pages` content pages: an upload, a letter scanned on its own) is
   nearly always one letter: its pages are scored with a lower prior, and a later page starts a new
   letter only on positive evidence of a letter's opening (OPENING in separation_scorer). Without such
   evidence the page continues the letter, and that is not a reason for review.
5. `content_split=False` (a channel set to split at separator sheets only): no split by content.
A file with one letter comes out as one document holding all its non-blank pages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.core.settings import Settings
from services.ingest.extract import extract_document
from services.ingest.separation_scorer import OPENING, PRIOR, SHORT_FILE_PRIOR, PageView, probability_first
from services.ingest.sniff import sniff

MIN_TEXT_CHARS = 15  # a page OCR read this many letters/digits from is not blank, whatever its ink
# A letter's first page has a sender, an address, a date, a subject: a page with less text than this
# (a signature, a short enclosure, a photo) continues the letter before it.
MIN_FIRST_PAGE_CHARS = 80
SHORT_FILE_PAGES = 3  # the default of POSTHANTERING_SEPARATION_SHORT_FILE_PAGES


@dataclass
class PageIn:
    index: int
    text: str
    method: str
    signals: dict[str, Any] = field(default_factory=dict)
    rotation: int = 0


@dataclass
class Document:
    pages: list[int]
    confidence: float


@dataclass
class Decision:
    pages: int
    documents: list[Document]
    blank: list[int]
    separators: list[int]
    review: bool
    duplex: bool = False
    mode: str = "content"  # separators | content | single
    starts: dict[int, dict[str, Any]] = field(default_factory=dict)  # per page: p(first), evidence

    def as_json(self, *, details: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "pages": self.pages,
            "documents": [{"pages": d.pages, "confidence": round(d.confidence, 3)} for d in self.documents],
            "blank": self.blank,
            "separators": self.separators,
            "review": self.review,
        }
        if details:
            out.update(duplex=self.duplex, mode=self.mode, starts={str(k): v for k, v in self.starts.items()})
        return out


def is_blank(page: PageIn, blank_ink: float) -> bool:
    """No text read and (when the image was seen) less ink than the threshold. Never a page with words."""
    if sum(c.isalnum() for c in page.text) >= MIN_TEXT_CHARS:
        return False
    if "ink" in page.signals:
        return bool(page.signals["ink"] < blank_ink) and not page.signals.get("barcodes")
    return page.method == "empty"


def is_separator(page: PageIn) -> bool:
    return page.method == "separator" or bool(page.signals.get("separator"))


def decide(
    pages: list[PageIn],
    *,
    blank_ink: float,
    min_confidence: float,
    short_file_pages: int = SHORT_FILE_PAGES,
    content_split: bool = True,
) -> Decision:
    n = len(pages)
    separators = {p.index for p in pages if is_separator(p)}
    blank = {p.index for p in pages if p.index not in separators and is_blank(p, blank_ink)}
    duplex = _looks_duplex(n, blank, separators)
    if duplex:  # a separator sheet's back goes with it
        separators |= {i + 1 for i in separators if i % 2 == 0 and i + 1 < n}
        blank -= separators
    content = [p for p in pages if p.index not in separators and p.index not in blank]
    if separators:
        documents = _split_at_separators(pages, separators, blank)
        return Decision(n, documents, sorted(blank), sorted(separators), False, duplex, "separators")
    if not content_split:
        documents = [Document([p.index for p in content], 1.0)] if content else []
        return Decision(n, documents, sorted(blank), [], False, duplex, "single")
    documents, starts = _split_by_content(content, duplex, short=len(content) <= short_file_pages)
    review = any(d.confidence < min_confidence for d in documents)
    mode = "single" if len(documents) <= 1 else "content"
    return Decision(n, documents, sorted(blank), [], review, duplex, mode, starts)


def _looks_duplex(n: int, blank: set[int], separators: set[int]) -> bool:
    """Scanned on both sides: an even page count and at least half the backs (odd pages) empty."""
    if n < 2 or n % 2:
        return False
    backs = n // 2
    empty_backs = sum(1 for i in range(1, n, 2) if i in blank or i - 1 in separators)
    return empty_backs >= max(1, backs / 2)


def _split_at_separators(pages: list[PageIn], separators: set[int], blank: set[int]) -> list[Document]:
    documents: list[Document] = []
    current: list[int] = []
    for p in pages:
        if p.index in separators:
            if current:
                documents.append(Document(current, 1.0))
            current = []
        elif p.index not in blank:
            current.append(p.index)
    if current:
        documents.append(Document(current, 1.0))
    return documents


def _split_by_content(
    content: list[PageIn], duplex: bool, *, short: bool = False
) -> tuple[list[Document], dict[int, dict[str, Any]]]:
    documents: list[Document] = []
    prior = SHORT_FILE_PRIOR if short else PRIOR
    starts: dict[int, dict[str, Any]] = {}
    prev: PageView | None = None
    for p in content:
        view = PageView(p.index, p.text, p.signals)
        if prev is None:
            documents.append(Document([p.index], 1.0))
            starts[p.index] = {"p_first": 1.0, "evidence": ["first page of the file"]}
        elif duplex and p.index % 2 == 1:
            # The back of the sheet whose front came before it: never a new letter.
            documents[-1].pages.append(p.index)
            starts[p.index] = {"p_first": 0.0, "evidence": ["back of the same sheet"]}
        elif sum(c.isalnum() for c in p.text) < MIN_FIRST_PAGE_CHARS:
            documents[-1].pages.append(p.index)
            starts[p.index] = {"p_first": 0.0, "evidence": ["too little text for a first page"]}
        else:
            prob, found = probability_first(view, prev, prior=prior)
            confidence = max(prob, 1 - prob)
            starts[p.index] = {"p_first": round(prob, 3), "evidence": sorted(found)}
            if short and not any(k in found for k in OPENING):
                # A short file without any sign of a second letter's opening: one letter, no review.
                documents[-1].pages.append(p.index)
                starts[p.index]["evidence"].append("short file, no new letter's opening")
                prev = view
                continue
            if prob >= 0.5:
                documents.append(Document([p.index], confidence))
            else:
                documents[-1].pages.append(p.index)
                documents[-1].confidence = min(documents[-1].confidence, confidence)
        prev = view
    return documents, starts


def content_split(settings: Settings, channel: str) -> bool:
    """False when files from this channel are split at separator sheets only."""
    sheets_only = {c.strip() for c in settings.separation_sheets_only_channels.split(",") if c.strip()}
    return channel not in sheets_only


def split_file(path: Path, settings: Settings, *, details: bool = False, channel: str = "cli") -> dict[str, Any]:
    """`posthantering split FILE --json`: read the file and decide, storing nothing."""
    started = time.perf_counter()
    info = sniff(path, settings)
    results = list(extract_document(path, info.mime, settings))
    pages = [PageIn(r.index, r.text, r.method, r.signals, r.rotation) for r in results]
    decision = decide(
        pages,
        blank_ink=settings.separation_blank_ink,
        min_confidence=settings.separation_min_confidence,
        short_file_pages=settings.separation_short_file_pages,
        content_split=content_split(settings, channel),
    )
    out = decision.as_json(details=details)
    if details:
        out["page_signals"] = {str(r.index): r.signals for r in results}
        out["texts"] = {str(r.index): r.text for r in results}
    out["seconds"] = round(time.perf_counter() - started, 3)
    out["separation_seconds"] = round(sum(r.signals.get("seconds", 0.0) for r in results), 3)
    return out
