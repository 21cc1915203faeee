"""What kind of sender it is, its address and its organisations- or personnummer."""

from __future__ import annotations

import re

from stdnum.se import orgnr, personnummer

from services.registration.field import Field, make_field
from services.registration.layout import is_recipient_block
from services.registration.patterns import (
    ASSOCIATION_RE,
    AUTHORITY_RE,
    COMPANY_RE,
    ORGNR_RE,
    OWN_MUNICIPALITY,
    PNR_LABEL_RE,
    POSTCODE_RE,
    STREET_RE,
)
from services.registration.text import Line, blocks_of, looks_like_person

# The first digit of an organisationsnummer is its legal form (Bolagsverket): 2 state, region, municipality;
# 5 limited company; 6 simple partnership; 7 economic association (also housing co-operatives); 8 non-profit
# association or foundation; 9 trading or limited partnership.
ORGNR_FORM = {"2": "authority", "5": "company", "6": "company", "7": "association", "8": "association", "9": "company"}
OFFICER_RE = re.compile(r"(?im)^(ordförande|vice ordförande|sekreterare|kassör|styrelseledamot|för styrelsen)\b")
COMPANY_HINT_RE = re.compile(r"(?i)org\.?\s*nr|f-skatt|momsreg|\bmoms\b|bankgiro|plusgiro|faktura")


def orgnr_form(sender_id: str) -> str:
    """The kind of organisation an organisationsnummer belongs to ("" for a personnummer or none)."""
    digits = re.sub(r"\D", "", sender_id)
    if len(digits) != 10 or int(digits[2]) < 2 or not orgnr.is_valid(digits):
        return ""  # a personnummer (a sole trader's) has a month, 01-12, in digits 3-4
    return ORGNR_FORM.get(digits[0], "")


def sender_kind(org: str, text: str, sender_id: str = "") -> Field:
    """Person, company, association or authority: the organisation's name (its suffix or the words
    authorities and associations are named with), else the legal form in its organisationsnummer."""
    form = orgnr_form(sender_id)
    if not org:
        if form and form != "authority":
            return make_field(form, 0.7)
        return make_field("person", 0.9 if sender_id else 0.8)
    if COMPANY_RE.search(org):
        return make_field("company", 0.92)
    if form:
        return make_field(form, 0.9)
    if re.search(r"(?i)kommunalförbund|kommunförbund|räddningstjänst", org):
        return make_field("authority", 0.9)  # municipalities' federations: "förbund", but authorities
    if ASSOCIATION_RE.search(org):
        return make_field("association", 0.85)
    if AUTHORITY_RE.search(org):
        return make_field("authority", 0.9)
    officer = OFFICER_RE.search("\n".join(text.splitlines()[-15:]))
    if officer:  # "Ordförande, Sveriges Lärare Solvik": a board's officers sign for an association
        return make_field("association", 0.7)
    if COMPANY_HINT_RE.search(text):
        return make_field("company", 0.8)
    return make_field("company", 0.6)


def sender_address(text: str, lines: list[Line], name_line: int | None, head_lines: int) -> Field:
    """The street and postcode lines nearest the sender's name, or in the letterhead."""
    blocks = blocks_of(lines)
    skip = {ln.no for i, b in enumerate(blocks[:6]) if is_recipient_block(b, letterhead=i == 0) for ln in b}
    candidates = list(range(name_line + 1, min(name_line + 6, len(lines)))) if name_line is not None else []
    candidates += list(range(0, min(head_lines, 8)))
    for i in candidates:
        ln = lines[i]
        if not POSTCODE_RE.search(ln.text) or OWN_MUNICIPALITY.search(ln.text) or ln.no in skip:
            continue
        prev = lines[i - 1] if i > 0 else None
        if STREET_RE.search(ln.text) or "," in ln.text:
            value = re.split(r"\s*\|\s*", ln.text)[0]
            return make_field(value, 0.85, text, ln.start, ln.start + len(value))
        if prev is not None and prev.text and not looks_like_person(prev.text):
            return make_field(f"{prev.text}, {ln.text}", 0.8, text, prev.start, ln.end)
        return make_field(ln.text, 0.6, text, ln.start, ln.end)
    return make_field("", 0.5)


def sender_id(text: str, name_line: int | None, lines: list[Line]) -> Field:
    """The sender's organisationsnummer (in the letterhead or the footer; not the municipality's own,
    written as "Ert org.nr"/"Kund"), or a personnummer written with the sender's own name."""
    head, tail_start = text[:1500], max(1500, len(text) - 1200)
    for offset, part in ((0, head), (tail_start, text[tail_start:])):
        for m in ORGNR_RE.finditer(part):
            before = part[max(0, m.start() - 20) : m.start()]
            if re.search(r"(?i)\b(er|ert|era|kund|kundens|köpare|mottagare)\w*\s*$", before):
                continue
            if orgnr.is_valid(m.group(1)):
                s, e = offset + m.start(1), offset + m.end(1)
                return make_field(orgnr.format(m.group(1)), 0.95, text, s, e)
    if name_line is not None:  # a personnummer written with the sender's own name (forms: "Sökande")
        window = "\n".join(ln.text for ln in lines[max(0, name_line - 2) : name_line + 3])
        pm = PNR_LABEL_RE.search(window)
        if pm and personnummer.is_valid(pm.group(1)):
            idx = text.find(pm.group(1))
            return make_field(personnummer.format(pm.group(1)), 0.85, text, idx, idx + len(pm.group(1)))
    return make_field("", 0.8)
