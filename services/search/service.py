"""Search mail by its text: one function for both databases, results only from items the user may see.

Snippets are cut from the text with personnummer masked, around the first matching word; sensitive
items show no snippet in result lists (as in the mail lists), only that they matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.errors import Forbidden
from services.core.models import MailItem, User
from services.core.pii import mask_personnummer
from services.mail import permissions
from services.search import repository

MAX_RESULTS = 100
SNIPPET_CHARS = 200


@dataclass
class SearchHit:
    item: MailItem
    pages: list[int]  # 0-based indexes of the matching pages
    snippet: str | None


def snippet_for(text: str, words: list[str], length: int = SNIPPET_CHARS) -> str:
    flat = re.sub(r"\s+", " ", mask_personnummer(text)).strip()
    lower = flat.lower()
    positions = [p for p in (lower.find(w.lower()) for w in words) if p >= 0]
    start = max(0, min(positions) - length // 3) if positions else 0
    cut = flat[start : start + length]
    return ("…" if start > 0 else "") + cut + ("…" if start + length < len(flat) else "")


def search(session: Session, user: User, query: str, limit: int = 50) -> list[SearchHit]:
    if not permissions.can_list(user):
        raise Forbidden(f"role {user.role!r} may not search mail")
    limit = max(1, min(limit, MAX_RESULTS))
    words = repository.query_words(query)
    pairs = repository.matching_pages(session, query, permissions.visibility_filter(user), limit * 5)
    order: list[int] = []
    pages: dict[int, list[int]] = {}
    for item_id, page_index in pairs:
        if item_id not in pages:
            order.append(item_id)
            pages[item_id] = []
        pages[item_id].append(page_index)
    order = order[:limit]
    if not order:
        return []
    items = {i.id: i for i in session.scalars(select(MailItem).where(MailItem.id.in_(order)))}
    hits = []
    for item_id in order:
        item = items[item_id]
        first = min(pages[item_id])
        page_text = next((p.text for p in item.pages if p.index == first), "")
        snippet = None if item.sensitive else snippet_for(page_text, words)
        hits.append(SearchHit(item=item, pages=sorted(pages[item_id]), snippet=snippet))
    return hits
