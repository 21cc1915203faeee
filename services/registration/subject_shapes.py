"""Shapes of a letter's subject the main subject rules ask about: a newsletter's or an event's masthead, a
document kind as a heading or a field's key, a heading after the case's references, a heading's number."""

from __future__ import annotations

import re

from services.registration.field import Field, make_field, swedish_dashes
from services.registration.layout import meta_line
from services.registration.patterns import (
    ASSOCIATION_RE,
    COMPANY_RE,
    GENERIC_HEADINGS,
    POSTCODE_RE,
    STREET_RE,
)
from services.registration.text import MONTHS, Line, find_dates, sentence_case

# "Vestergade 41, 8000 Aarhus C, Denmark", "101 Finsbury Pavement, London EC2A 1RS": an address abroad
FOREIGN_ADDRESS_RE = re.compile(
    r"\b[A-Z]{0,2}-?\d{4,5}\s+[A-ZÅÄÖ][a-zåäöø]|\b[A-Z]{1,2}\d{1,2}[A-Z]?\s\d[A-Z]{2}\b|"
    r"\b(Denmark|Danmark|Norway|Norge|Finland|Germany|Tyskland|Poland|Polen|United Kingdom|Estonia|Latvia)\b|"
    r"^[A-ZÅÄÖ][\wåäöø-]+\s\d{1,4}[A-Z]?,\s"
)
_MONTH_OR_YEAR = re.compile(r"(?i)\b(20\d{2}|" + "|".join(MONTHS) + r")\b")


def generic(value: str) -> bool:
    """ "KALLELSE", "MEDBORGARFÖRSLAG", "INBJUDAN – HELDAGSKURS": a document's kind, not its subject."""
    v = value.lower().strip()
    return v in GENERIC_HEADINGS or re.split(r"\s+[–—-]\s+", v)[0] in GENERIC_HEADINGS


def kind_key(t: str) -> bool:
    """ "Remiss: Förslag till regional kulturplan": a line whose key is a document kind (a title, not a field)."""
    key = t.split(":", 1)[0].strip().lower()
    return key in GENERIC_HEADINGS and len(t.split(":", 1)[1].split()) >= 2


def without_number(value: str) -> str:
    """ "FAKTURA  F-55831" -> "FAKTURA": a heading without its document's number (not a year, not "nr 3/2026")."""
    out = re.sub(r"\s+([A-Z]{1,3}-\d[\d-]*|\d{5,})$", "", value)
    return out if out.strip() and out != value and len(out.split()) >= 1 and out[-1].isalpha() else value


def masthead(text: str, blocks: list[list[Line]]) -> Field | None:
    """ "KOMMUNFOKUS" over "Nyhetsbrev från Ahlberg Kommunkonsult AB · Nr 3 · Maj 2025", "NORDIC SMART
    MUNICIPALITY EXPO 2025" over "Bella Center Copenhagen · 7–8 October 2025": a newsletter's or an event's
    name in capitals over a line of its details (separated by dots or bars, with a date, a month or a year)."""
    if not blocks or len(blocks[0]) < 2:
        return None
    first, second = blocks[0][0], blocks[0][1]
    t = first.text
    letters = [c for c in t if c.isalpha()]
    if len(letters) < 5 or not all(c.isupper() for c in letters) or len(t) > 80:
        return None
    if COMPANY_RE.search(t) or ASSOCIATION_RE.search(t) or POSTCODE_RE.search(t):
        return None
    d = second.text
    if not re.search(r"[·|•+]", d) or not (find_dates(d) or _MONTH_OR_YEAR.search(d)):
        return None
    if POSTCODE_RE.search(d) or STREET_RE.search(d) or re.search(r"(?i)org\.?\s?nr|@|\btel\b|www\.|box\s\d", d):
        return None  # a letterhead's address line
    return make_field(swedish_dashes(sentence_case(t)), 0.8, text, first.start, first.end)


def heading_after_references(text: str, blocks: list[list[Line]], bi: int, block: list[Line]) -> Field | None:
    """ "Dnr SBN 2024/0312" / "Fastighet: Smedjan 5" / "Ärende: Nybyggnad av flerbostadshus" over
    "KOMPLETTERING ENLIGT FÖRELÄGGANDE": the "Ärende" among the references names the case; the heading
    in capitals standing alone under them is the letter's own subject."""
    refs = list(block)
    if bi > 0 and blocks[bi - 1][-1].no == block[0].no - 1:
        refs = blocks[bi - 1] + refs  # the label was split from the references above it (no blank line)
    if sum(1 for ln in refs if meta_line(ln)) < 2 or bi + 1 >= len(blocks):
        return None
    nxt = blocks[bi + 1]
    t = nxt[0].text
    letters = [c for c in t if c.isalpha()]
    if len(nxt) != 1 or len(letters) < 8 or not all(c.isupper() for c in letters) or len(t) > 100:
        return None
    return make_field(swedish_dashes(sentence_case(t)), 0.8, text, nxt[0].start, nxt[0].end)


def later_is_subject(later: Field, blocks: list[list[Line]]) -> bool:
    """A subject found after the head stands alone, a line of its own that is not a sentence of the body
    ("Nu är det dags att ...!"), or it is the title under a document kind ("INBJUDAN – HELDAGSKURS")."""
    for i, block in enumerate(blocks):
        if block[0].start == later.start and i + 1 < len(blocks) and later.confidence >= 0.75:
            alone = len(block) == 1 and not block[0].text.endswith((".", "!", "?"))
            return alone or (i > 0 and len(blocks[i - 1]) == 1 and generic(blocks[i - 1][0].text))
    return False


def caps(t: str) -> bool:
    letters = [c for c in t if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def header_row(t: str) -> bool:
    """ "Er referens          Vår referens          Datum": the header row of a table of references."""
    cols = [c for c in re.split(r"\s{3,}", t) if c.strip()]
    return len(cols) >= 2 and all(re.search(r"(?i)ref|datum|date|dnr|beteckning|nummer|\bnr\b", c) for c in cols)


def title_rest(t: str) -> bool:
    """What may stand under a form's title on its first line: "(blankett 3)", "enligt lagen (2018:222) om ...",
    "Socialtjänsten, Solvik kommun" (the addressee)."""
    return t.startswith("(") or t[:1].islower() or bool(re.search(r"(?i)\b[\wåäö-]+s? kommun$", t))


def caps_lead(t: str) -> str:
    """ "INKASSOKRAV Datum: 2025-07-02" -> "INKASSOKRAV": a heading in capitals and, in the same line (OCR
    closed the gap between the columns), a date's label."""
    words = t.split()
    for i, w in enumerate(words):
        if re.search(r"[a-zåäö]", w):
            if i and re.match(r"(?i)\w*(datum|date)\b", w) and any(c.isalpha() for c in "".join(words[:i])):
                return " ".join(words[:i])
            break
    return t
