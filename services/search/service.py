"""Search mail by its text: one function for both databases, results only from items the user may see.

Snippets are cut from the text with personnummer masked, around the first matching word; sensitive
items show no snippet in result lists (as in the mail lists), only that they matched.

Masked digits are not searchable (issue 9): a page matches only when every number in the query occurs
in the text as users see it (personnummer masked, YYMMDD-XXXX), except the digits of a full personnummer
the query itself holds, which match that same number in the page. So the last four digits of a
masked number find nothing, and whoever already holds the whole number finds its letters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.errors import Forbidden
from services.core.models import MailItem, User
from services.core.pii import PERSONNUMMER_RE, luhn_ok, mask_personnummer
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


def _full_numbers(text: str) -> list[tuple[str, str]]:
    """(matched text, 10 digits) of every Luhn-valid personnummer in `text`."""
    found = []
    for m in PERSONNUMMER_RE.finditer(text):
        digits = m["yy"] + m["mm"] + m["dd"] + m["tail"]
        if luhn_ok(digits):
            found.append((m.group(0), digits))
    return found


def visible_match(page_text: str, query: str) -> bool:
    """Whether the page matches `query` without looking behind a personnummer mask (see the module doc)."""
    held = _full_numbers(query)
    rest = query
    for raw, _digits in held:
        rest = rest.replace(raw, " ")
    if held:
        in_page = {digits for _raw, digits in _full_numbers(page_text)}
        if not all(digits in in_page for _raw, digits in held):
            return False
    shown = mask_personnummer(page_text).lower()
    # Only digits can hide behind a mask; other words are left to the index's matching (stemming),
    # except when the pages were found by a held number's digits, not by the index.
    for word in repository.query_words(rest):
        if (held or any(c.isdigit() for c in word)) and not re.search(r"(?<!\w)" + re.escape(word.lower()), shown):
            return False
    return True


def search(session: Session, user: User, query: str, limit: int = 50) -> list[SearchHit]:
    if not permissions.can_list(user):
        raise Forbidden(f"role {user.role!r} may not search mail")
    limit = max(1, min(limit, MAX_RESULTS))
    words = repository.query_words(query)
    visible = permissions.visibility_filter(user)
    held = [digits[-4:] for _raw, digits in _full_numbers(query)]
    if held:  # the searcher holds a whole personnummer: find its pages by its digits, checked below
        pairs = repository.pages_containing(session, held, visible, limit * 5)
    else:
        pairs = repository.matching_pages(session, query, visible, limit * 5)
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
        texts = {p.index: p.text for p in item.pages}
        pages[item_id] = [i for i in pages[item_id] if visible_match(texts.get(i, ""), query)]
        if not pages[item_id]:
            continue
        first = min(pages[item_id])
        page_text = next((p.text for p in item.pages if p.index == first), "")
        snippet = None if item.sensitive else snippet_for(page_text, words)
        hits.append(SearchHit(item=item, pages=sorted(pages[item_id]), snippet=snippet))
    return hits
