"""The dialect-specific queries: which pages match a query, best first.

SQLite uses the FTS5 table `pages_fts` (created with its triggers by migration 0003_ui); PostgreSQL
uses `to_tsvector('swedish', text)` with the GIN index of the same migration. Both return
(item_id, page_index) pairs restricted to the items the caller may see.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, column, func, select, table, text
from sqlalchemy.orm import Session

from services.core.models import MailItem, Page

WORD_RE = re.compile(r"\w+", re.UNICODE)
PAGES_FTS = table("pages_fts", column("rowid"), column("rank"))


def query_words(query: str) -> list[str]:
    return WORD_RE.findall(query or "")[:12]


def fts5_query(words: list[str]) -> str:
    """Every word must occur; each as a prefix, since Swedish compounds (bygglovsansökan) are one word."""
    return " ".join(f'"{w}"*' for w in words)


def _has_fts5(session: Session) -> bool:
    row = session.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pages_fts'")).first()
    return row is not None


def matching_pages(session: Session, query: str, visible: ColumnElement[bool], limit: int) -> list[tuple[int, int]]:
    words = query_words(query)
    if not words:
        return []
    dialect = session.get_bind().dialect.name
    base = select(Page.item_id, Page.index).join(MailItem, MailItem.id == Page.item_id).where(visible)
    if dialect == "postgresql":
        vector = func.to_tsvector(text("'swedish'"), Page.text)
        tsquery = func.websearch_to_tsquery(text("'swedish'"), query)
        stmt = base.where(vector.op("@@")(tsquery)).order_by(func.ts_rank(vector, tsquery).desc(), Page.id.desc())
    elif dialect == "sqlite" and _has_fts5(session):
        stmt = (
            base.join(PAGES_FTS, PAGES_FTS.c.rowid == Page.id)
            .where(text("pages_fts MATCH :q").bindparams(q=fts5_query(words)))
            .order_by(PAGES_FTS.c.rank, Page.id.desc())
        )
    else:  # no full-text index (a database built without the migration): a plain scan
        stmt = base
        for w in words:
            stmt = stmt.where(Page.text.ilike(f"%{w}%"))
        stmt = stmt.order_by(Page.id.desc())
    return [(int(i), int(p)) for i, p in session.execute(stmt.limit(limit)).all()]


def pages_containing(
    session: Session, fragments: list[str], visible: ColumnElement[bool], limit: int
) -> list[tuple[int, int]]:
    """Pages whose text contains every fragment (a plain scan: only for a search by a whole personnummer)."""
    stmt = select(Page.item_id, Page.index).join(MailItem, MailItem.id == Page.item_id).where(visible)
    for fragment in fragments:
        stmt = stmt.where(Page.text.contains(fragment, autoescape=True))
    return [(int(i), int(p)) for i, p in session.execute(stmt.order_by(Page.id.desc()).limit(limit)).all()]
