"""The subject (ärendemening): a labelled subject line, a title, a heading, or the first subject-like line."""

from __future__ import annotations

import re

from services.registration.field import Field, make_field, swedish_dashes
from services.registration.layout import address_line, fold, is_key_value_block, meta_line
from services.registration.patterns import (
    ASSOCIATION_RE,
    AUTHORITY_RE,
    COMPANY_RE,
    GREETING_RE,
    KEY_VALUE_RE,
    POSTCODE_RE,
    SALUTATION_RE,
    SKIP_SUBJECT,
    STAMP_RE,
    STREET_RE,
    SUBJECT_LABEL_RE,
    TITLE_RE,
)
from services.registration.subject_shapes import (
    FOREIGN_ADDRESS_RE,
    caps,
    caps_lead,
    generic,
    header_row,
    heading_after_references,
    kind_key,
    later_is_subject,
    masthead,
    title_rest,
    without_number,
)
from services.registration.text import (
    DATELINE_RE,
    Line,
    find_dates,
    first_column,
    looks_like_person,
    sentence_case,
)


def head_blocks(blocks: list[list[Line]], n: int) -> list[list[Line]]:
    """The first n paragraphs, or (a text without blank lines: a paragraph per line) those of its first 30 lines."""
    if len(blocks) > n and all(len(b) == 1 for b in blocks[:n]):
        return [b for b in blocks if b[0].no < 30]
    return blocks[:n]


def _heading_over_paragraph(block: list[Line]) -> bool:
    """ "Information om utbrott av calicivirus" over "Smittskyddsenheten har fått rapport om ett utbrott av ..."
    with no blank line between: a line clearly shorter than the paragraph's full lines, not ending a sentence,
    with a new sentence starting under it (a wrapped paragraph's first line is about as long as the next)."""
    if len(block) < 3:
        return False
    first, nxt = block[0].text, block[1].text
    if len(first) < 80 and len(nxt) >= max(60, 1.3 * len(first)):
        return True
    if len(nxt) >= 45 and len(first) <= len(nxt) and not first.endswith((".", ",", ":", ";")) and nxt[:1].isupper():
        return bool(re.search(r"[.!?]$", block[-1].text))  # the paragraph under it ends a sentence
    return (
        len(first) < 90
        and len(nxt) >= 60
        and len(first) < 0.9 * len(nxt)
        and not first.endswith((".", ",", ":", ";"))
        and nxt[:1].isupper()
    )


def _subject_line(text: str, blocks: list[list[Line]], head_end: int, org_at: int | None = None) -> Field | None:
    """The first short line after the letterhead and the recipient block that reads like a subject."""
    for block in head_blocks(blocks, 14):
        if org_at is not None and block[0].start == org_at:
            continue  # the sender's own name in capitals ("SOLVIKS FÖRETAGARFÖRENING")
        while len(block) > 1 and ((find_dates(block[0].text) and len(block[0].text) < 40) or meta_line(block[0])):
            block = block[1:]  # "Uppsala 2025-05-05", "Vår ref: 12": read into the same paragraph as the subject
        first = block[0]
        if first.text[:1] in "\"'“”‘’|»«" and len(first.text) > 3:  # OCR noise before the subject
            rest = first.text[1:].lstrip()
            first = Line(rest, first.start + len(first.text) - len(rest), first.no)
            block = [first, *block[1:]]
        # a heading over its paragraph (OCR lost the blank line between them) counts as a line of its own
        heading = _heading_over_paragraph(block)
        if first.no < head_end or (len(block) > 2 and not heading and not all(meta_line(ln) for ln in block[1:])):
            continue
        t = first.text
        if SKIP_SUBJECT.match(t) or SALUTATION_RE.match(t) or GREETING_RE.match(t) or (find_dates(t) and len(t) < 40):
            continue
        t = first_column(t)  # "Anmälan om värmepump          Solvik 2026-03-14": the dateline beside it
        if (meta_line(first) and not KEY_VALUE_RE.match(t)) or header_row(first.text):
            continue  # "Ärendenummer 062541-2026", "Er referens      Vår referens      Datum"
        if DATELINE_RE.match(t):
            continue
        if looks_like_person(t) or POSTCODE_RE.search(t) or STREET_RE.match(t) or address_line(t) or len(t) > 140:
            continue
        if KEY_VALUE_RE.match(t) and not TITLE_RE.match(t) and not kind_key(t):
            continue  # a form's field, not "Inbjudan: Kommundagen 2026", "Remiss: Förslag till kulturplan"
        if t.endswith((",", ".", ":")) or (t.endswith(("!", "?")) and len(t) > 80) or len(t.split()) < 2:
            continue
        end = first.start + len(t)
        if len(block) > 1 and block[1].text[:1].islower() and not meta_line(block[1]):
            t, end = f"{t} {block[1].text}", block[1].end  # a subject wrapped onto a second line
        return make_field(swedish_dashes(sentence_case(t)), 0.75, text, first.start, end)
    return None


REPLY_RE = re.compile(r"(?i)^((sv|vb|re|fw|fwd|vs|aw|wg)\s*:\s*)+")
# "SAKEN" over "Anordnande av förvaltarskap": a court's or an authority's heading for the matter
MATTER_HEADING_RE = re.compile(r"(?i)^(saken|sak|ärendet|ärende|angående|ämne|rubrik|beträffande|saken gäller)\s*:?$")
# lines under a letterhead that name a part of the organisation, or how to reach it, not the letter's subject
UNIT_OR_CONTACT_RE = re.compile(
    r"(?i)avdelning|enhet|sektion|förvaltning|kontor|omsorg|tjänst|service|stab|kansli|\bbox\b|\btel|@|www\.|"
    r"org\.?\s?nr|organisationsnummer|\.se\b|\.com\b|^inneh\b|innehavare|^ägare\b|f-skatt"
)


def date_only(ln: Line) -> bool:
    dates = find_dates(ln.text)
    return bool(dates) and len(ln.text) - (dates[0][2] - dates[0][1]) < 12


def _matter_heading(text: str, blocks: list[list[Line]]) -> Field | None:
    flat = [ln for block in blocks[:16] for ln in block]
    for i, ln in enumerate(flat[:-1]):
        if MATTER_HEADING_RE.match(ln.text):
            nxt = flat[i + 1]
            if 3 < len(nxt.text) < 140 and not KEY_VALUE_RE.match(nxt.text):
                return make_field(swedish_dashes(sentence_case(nxt.text)), 0.85, text, nxt.start, nxt.end)
    return None


def _under_letterhead(text: str, blocks: list[list[Line]], org_at: int | None) -> Field | None:
    """ "KONTORSMÖBLER DIREKT" over "Höstkampanj för offentlig sektor!": the line under the sender's name
    in its letterhead, when it is a title (not a unit, an address or a way to reach the sender)."""
    if not blocks or org_at is None or blocks[0][0].start != org_at or len(blocks[0]) < 2:
        return None
    ln = blocks[0][1]
    t = ln.text
    if UNIT_OR_CONTACT_RE.search(t) or POSTCODE_RE.search(t) or STREET_RE.search(t) or find_dates(t):
        return None
    if FOREIGN_ADDRESS_RE.search(t):
        return None  # "Vestergade 41, 8000 Aarhus C, Denmark"
    if address_line(t) or DATELINE_RE.match(t):
        return None  # "Torget 3", "Lillsjö i mars 2025"
    if COMPANY_RE.search(t) or AUTHORITY_RE.search(t) or ASSOCIATION_RE.search(t) or looks_like_person(t):
        return None
    if t.endswith((".", ",", ":")) or not t[:1].isupper() or len(t) > 90:
        return None
    if not (t.endswith(("!", "?")) or re.search(r"\d", t) or len(t.split()) >= 3):
        return None
    return make_field(swedish_dashes(sentence_case(t)), 0.7, text, ln.start, ln.end)


def _headline_before_greeting(text: str, blocks: list[list[Line]], org_at: int | None) -> Field | None:
    """ "Friskare medarbetare – lägre sjukfrånvaro!" alone over "Hej!": a headline opening the letter."""
    if len(blocks) < 2 or len(blocks[0]) != 1 or not SALUTATION_RE.match(blocks[1][0].text):
        return None
    ln = blocks[0][0]
    t = ln.text
    if ln.start == org_at or looks_like_person(t) or POSTCODE_RE.search(t) or find_dates(t) or len(t) > 120:
        return None
    if t.endswith((".", ",", ":")) or len(t.split()) < 2 or SKIP_SUBJECT.match(t):
        return None
    return make_field(swedish_dashes(sentence_case(t)), 0.7, text, ln.start, ln.end)


def subject(text: str, blocks: list[list[Line]], head_end: int, org: Field | None = None) -> Field:
    """The subject, with the rest of it when it runs onto a second line, without the arrival stamp's words."""
    stamped = re.search(r"(?m)^\W*(INKOM|ANKOM)\b|\b(INKOM|ANKOM)\W*$", text[:600]) is not None
    if blocks and STAMP_RE.match(blocks[0][0].text) and len(blocks[0]) <= 2 and len(blocks[0][0].text) < 30:
        blocks = blocks[1:]  # the registry's arrival stamp read over the letter's head
    return _finish(text, blocks, _subject(text, blocks, head_end, org), stamped)


def _continues(value: str, line: str, nxt: str, last: bool) -> bool:
    """Whether the subject goes on on the next line: "… (lex" / "Sarah)", "…, dnr KS" / "2025/0112"."""
    if meta_line(Line(nxt, 0, 0)):
        return False  # "Diarienummer 2024-000318" under the subject
    if re.match(r"[–—-]\s", nxt) and len(nxt) < 100 and not nxt.endswith((".", ":")):
        return True  # "Inbjudan till Skaraborgsdagen 2025" over "– Kompetensförsörjningen i välfärden, ..."
    if KEY_VALUE_RE.match(nxt) or SALUTATION_RE.match(nxt) or nxt.endswith(":") or len(nxt) > 60:
        return False
    if find_dates(nxt) and len(nxt) < 30:
        return False
    if caps(line) and not caps(nxt):
        return False  # "LEKPLATSKATALOGEN 2027" over "från Lekgårdens Utemiljö AB": a title in capitals ends there
    return value.count("(") > value.count(")") or nxt[:1].islower() or (len(line) >= 55 and last and len(nxt) < 40)


def _finish(text: str, blocks: list[list[Line]], f: Field, stamped: bool) -> Field:
    if not f.value or f.start is None or f.end is None:
        return f
    for block in blocks:
        for k, ln in enumerate(block[:-1]):
            if ln.start <= f.end <= ln.end and f.end >= ln.end and f.start >= ln.start:
                nxt = block[k + 1]
                if _continues(f.value, ln.text, nxt.text, k + 1 == len(block) - 1):
                    raw = re.sub(r"\s*\n\s*", " ", text[f.start : nxt.end])
                    value = swedish_dashes(sentence_case(raw))
                    f = make_field(value[:1].upper() + value[1:], f.confidence, text, f.start, nxt.end)
    value = re.sub(r"(?i)\s+(inkom|ankom|inkommen)\b.*$", "", f.value)
    if stamped:
        value = re.sub(r"\s+20\d{2}-\d{2}-\d{2}$", "", value)  # the stamp's date read onto the line
    if value != f.value:
        f = make_field(value, f.confidence, text, f.start, (f.start or 0) + len(value))
    return f


def _form_context(blocks: list[list[Line]], i: int) -> bool:
    """A form's fields, in one paragraph or (as OCR reads them) in paragraphs of a line each."""
    if is_key_value_block(blocks[i]):
        return True
    near = blocks[max(0, i - 1) : i] + blocks[i + 1 : i + 2]
    return bool(KEY_VALUE_RE.match(blocks[i][0].text)) and any(KEY_VALUE_RE.match(b[0].text) for b in near)


def _names_org(line: str, org: str) -> bool:
    """The line is the organisation's name, without its company suffix."""
    bare = re.sub(r"(?i)\s+(ab|hb|kb|aktiebolag|handelsbolag|kommanditbolag)$", "", org.strip())
    return len(bare) > 3 and fold(first_column(line)) == fold(bare)


def _subject(text: str, blocks: list[list[Line]], head_end: int, org: Field | None) -> Field:
    org_at = org.start if org is not None and org.value else None
    if org_at is not None and blocks and _names_org(blocks[0][0].text, org.value if org else ""):
        org_at = blocks[0][0].start  # "NORDISKA BYGGMÄSSAN" at the top, "Nordiska Byggmässan AB" at the foot
    for bi, block in enumerate(head_blocks(blocks, 12)):
        form = _form_context(blocks, bi)  # "Ärende: Sjukpenning" among "Datum:", "Försäkrad:": a form field
        for ln in block:
            m = SUBJECT_LABEL_RE.match(ln.text)
            if (
                form
                and m
                and (
                    not re.match(r"(?i)^(ämne|amne|ang[åa]ende|re|[äaåà]rende|subject|avser)\b", m.group(1))
                    or (re.fullmatch(r"(?i)[äaåà]rende|avser", m.group(1)) is not None and len(m["s"].split()) < 2)
                )
            ):
                continue  # "Avser faktura: 20388", "Ärende: Sjukpenning" among other form fields
            if m and len(m["s"]) > 3 and not re.match(r"(?i)^(nr|\d)", m["s"]):
                reply = REPLY_RE.match(m["s"])  # "Ämne: SV: Busshållplats": the reply's marker is not the subject
                s = ln.start + m.start("s") + (reply.end() if reply else 0)
                value = m["s"][reply.end() if reply else 0 :].strip()
                heading = heading_after_references(text, blocks, bi, block)
                if heading is not None:
                    return heading
                value = swedish_dashes(value)
                return make_field(value[:1].upper() + value[1:], 0.92, text, s, ln.end)
    # a title on the first line ("Ansökan om plats i förskola", "LÄKARINTYG FÖR SJUKLÖN")
    if blocks:
        first = blocks[0][0]
        rest_ok = len(blocks[0]) == 1 or title_rest(blocks[0][1].text)
        if rest_ok and TITLE_RE.match(first.text) and len(first.text) < 120 and not first.text.endswith("."):
            value = re.split(r"\s{3,}", first.text)[0]
            return make_field(swedish_dashes(sentence_case(value)), 0.88, text, first.start, first.start + len(value))
    found = _matter_heading(text, blocks) or masthead(text, blocks)
    if found is not None:
        return found
    tagline = _under_letterhead(text, blocks, org_at)
    if tagline is not None:
        # a slogan under the sender's name yields to a subject standing alone after the head of the letter
        rest = [b for b in blocks if b[0].start > (tagline.end or 0)]
        later = _caps_or_line(text, rest, max(head_end, blocks[0][-1].no + 1), org_at)
        return later if later.value and later_is_subject(later, blocks) else tagline
    found = _headline_before_greeting(text, blocks, org_at)
    if found is not None:
        return found
    return _caps_or_line(text, blocks, head_end, org_at)


def _caps_or_line(text: str, blocks: list[list[Line]], head_end: int, org_at: int | None) -> Field:
    # a heading in capitals; a generic one ("KALLELSE", "REMISS") only when no subject line follows
    for block in head_blocks(blocks, 10):
        first = block[0]
        t = caps_lead(first_column(first.text))  # "FAKTURA        Fakturadatum 2025-04-30"
        if first.start == org_at:
            continue
        letters = [c for c in t if c.isalpha()]
        caps = len(letters) >= 5 and all(c.isupper() for c in letters)
        if not caps or STAMP_RE.match(t) or POSTCODE_RE.search(t) or COMPANY_RE.search(t) or AUTHORITY_RE.search(t):
            continue
        value = without_number(re.split(r"\s{3,}", t)[0])
        if generic(value) and len(block) == 2 and not meta_line(block[1]) and not date_only(block[1]):
            nxt = block[1]  # "BESLUT" over "Stöd för anställning – lönebidrag"
            return make_field(swedish_dashes(sentence_case(nxt.text)), 0.85, text, nxt.start, nxt.end)
        second_ok = len(block) == 1 or block[1].text.startswith("(") or meta_line(block[1])
        # a heading with a line of text under it is the letter's name when the sender is named elsewhere
        tagline = len(block) == 2 and org_at is not None and not ASSOCIATION_RE.search(t)
        # the heading of a table of references ("FAKTURA    Fakturadatum ..." over "Fakturanummer ...    ...")
        table = first.text != t and all(meta_line(ln) or re.search(r"\S\s{3,}\S", ln.text) for ln in block[1:])
        if (len(block) > 2 and not table) or (not second_ok and not table and first.no < head_end and not tagline):
            continue
        # a name in capitals over the recipient block is the letterhead ("NORDHAGE & BERG ARKITEKTER")
        letterhead = (
            block is blocks[0] and len(block) == 1 and len(blocks) > 1 and first.no < head_end - 1
        ) and not KEY_VALUE_RE.match(blocks[1][0].text)
        if generic(value) or letterhead:
            later = _subject_line(text, blocks, max(head_end, first.no + 1), org_at)
            if later is not None:
                return later
        return make_field(swedish_dashes(sentence_case(value)), 0.85, text, first.start, first.start + len(value))
    return _subject_line(text, blocks, head_end, org_at) or make_field("", 0.3)
