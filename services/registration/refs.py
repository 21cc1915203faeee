"""References: the municipality's own case (our_dnr) and the sender's reference (their_ref)."""

from __future__ import annotations

import re
from itertools import pairwise

from services.registration.field import Field, make_field
from services.registration.layout import fold, is_own_authority, is_recipient_block
from services.registration.patterns import AUTHORITY_RE, OWN_MUNICIPALITY
from services.registration.text import Line

THEIR_REF_RE = re.compile(
    r"(?im)^.*?\b(vår beteckning|vårt dnr|vårt diarienummer|vår ref(?:erens)?|vårt ärendenummer|ärendenummer|"
    r"mål\s?nr|målnummer|fakturanummer|fakturanr|kreditfakturanummer|kreditfaktura nr|referensnummer|"
    r"vårt ärende|diarienummer|dnr|ärende\s?nr|beteckning|ref\.?\s?nr|referens\s?nr|beslutsnummer|beslutsnr|"
    r"ärendenr|ordernummer|avtalsnummer|kundreferens|offertnummer|offertnr|our ref(?:erence)?|our file)\b[\s.:]*"
    r"(?P<ref>[A-ZÅÄÖ]{0,5}[\s-]?[\w./-]*\d[\w./-]*(?::\d+)?)"
)
YOUR_REF_RE = re.compile(r"(?i)\b(er|ert|era|your)\b\s+(ref|dnr|beteckning|diarienummer|datum)")
OUR_HEAD_RE = re.compile(r"(?i)^(vår ref(erens)?|vår beteckning|vårt dnr|our ref(erence)?)$")
DNR_CONTEXT = re.compile(r"(?i)(ert dnr|er beteckning|ert diarienummer|dnr|diarienummer|ärende|er referens|ert ärende)")


def our_dnr(
    text: str,
    case_refs: list[str],
    own_prefixes: frozenset[str],
    sender_org: str = "",
    blocks: list[list[Line]] | None = None,
) -> Field:
    """The municipality's own case: a case reference with one of its department prefixes, or a bare
    YYYY-NNNNNN number (the diarium's own form); not another authority's own number (see `theirs`)."""
    for ref in case_refs:
        prefix = ref.split(" ", 1)[0].upper() if " " in ref else ""
        bare = re.fullmatch(r"20\d{2}-\d{6}", ref) is not None
        if not bare and prefix.replace("Ö", "O") not in own_prefixes and prefix not in own_prefixes:
            continue
        year, num = re.findall(r"\d+", ref)[:2]
        m = re.search(rf"{year}\s?[-/]\s?0*{int(num)}\b", text) or re.search(rf"{year}-{num}", text)
        start = m.start() if m else None
        if m is not None:
            pm = re.search(r"[A-ZÅÄÖ]{2,4}[\s-]?$", text[max(0, m.start() - 6) : m.start()])
            if pm:
                start = m.start() - (len(text[max(0, m.start() - 6) : m.start()]) - pm.start())
        if start is not None and theirs(text, start, sender_org, blocks or []):
            continue  # "Ekmarks kommun ... Diarienummer: KS 2025/412": the sender's number (their_ref)
        context = text[max(0, (start or 0) - 30) : start or 0]
        conf = 0.97 if DNR_CONTEXT.search(context) or prefix else 0.85
        return make_field(ref, conf, text, start, m.end() if m else None)
    return make_field("", 0.8)


# "Ekmarks kommuns dnr", "Länsstyrelsens diarienummer": a named authority's own number (not "kommunens dnr",
# the addressee's)
OWNER_BEFORE_RE = re.compile(
    r"(?i)(\b[A-ZÅÄÖ][\wåäö-]+s?\s+kommuns|\b[\wåäö-]+(?<!kommunen)(?<!nämnden)(?<!förvaltningen)s)\s+"
    r"(dnr|diarienummer|beteckning|ärendenummer|referens)\b[\s.:]*$"
)


def _other_authority(s: str, addressee: str) -> bool:
    """ "Ekmarks kommun" when the letter is addressed to Solvik kommun: an authority that is not the addressee."""
    if not AUTHORITY_RE.search(s):
        return False
    bare = re.sub(r"(?<=kommun)s$", "", s.strip())  # "Solvik kommuns" -> "Solvik kommun"
    return not (is_own_authority(bare) or (addressee and fold(addressee) in fold(s)))


def theirs(text: str, start: int, sender_org: str, blocks: list[list[Line]]) -> bool:
    """A reference that is the sender's own: a named authority's before it on its line ("Ekmarks kommuns
    dnr KS 2025/412"), or, when the sender is another authority, written in the sender's head above the
    recipient block without "Er"/"Ert" ("Diarienummer: KS 2025/412" under "Ekmarks kommun")."""
    ls = text.rfind("\n", 0, start) + 1
    line = text[ls : text.find("\n", start) if "\n" in text[start:] else len(text)]
    before = line[: start - ls]
    if YOUR_REF_RE.search(line) or re.search(r"(?i)\b(ert|er|your)\b", before):
        return False
    rec = next((b for i, b in enumerate(blocks[:6]) if is_recipient_block(b, i == 0)), None)
    m = OWN_MUNICIPALITY.search(" ".join(ln.text for ln in rec)) if rec else None
    addressee = m[0] if m else ""
    owner = OWNER_BEFORE_RE.search(before)
    if owner and AUTHORITY_RE.search(owner[1]) and _other_authority(owner[1], addressee):
        return True
    if not sender_org or rec is None or not _other_authority(sender_org, addressee):
        return False
    return start < rec[0].start


def _columns(ln: Line) -> list[tuple[int, str]]:
    """ "Er ref: Per Holm      Vår ref: SH-2025-0912": a line's columns with their offsets in the line."""
    return [(m.start(), m[0]) for m in re.finditer(r"\S+(?:\s{1,2}\S+)*", ln.text)]


def _table_ref(text: str, lines: list[Line]) -> Field | None:
    """A table's header row ("Datum    Vår referens    Er referens") over its values: the value under "Vår
    referens", found by its column (lines keep their spacing inside)."""
    for ln, nxt in pairwise(lines[:41]):
        cols = _columns(ln)
        if len(cols) < 2 or not nxt.text:
            continue
        for at, head in cols:
            if not OUR_HEAD_RE.match(head):
                continue
            indent = nxt.start - text.rfind("\n", 0, nxt.start) - 1
            pos = ln.start - text.rfind("\n", 0, ln.start) - 1 + at  # the column, counted from the line's start
            for vat, value in _columns(nxt):
                if abs(indent + vat - pos) <= 3 and re.search(r"\d", value):
                    return make_field(value, 0.8, text, nxt.start + vat, nxt.start + vat + len(value))
    return None


def their_ref(text: str, lines: list[Line], our: str) -> Field:
    our_digits = re.sub(r"\D", "", our)
    table = _table_ref(text, lines)
    if table is not None:
        return table
    for ln in lines[:60]:
        if not ln.text:
            continue
        for _, col in _columns(ln) if len(_columns(ln)) > 1 else [(0, ln.text)]:
            found = _labelled_ref(text, ln, col, our_digits)
            if found is not None:
                return found
    return make_field("", 0.8)


def _labelled_ref(text: str, ln: Line, col: str, our_digits: str) -> Field | None:
    """The sender's reference in one column of a line (not "Er ref"/"Ert dnr": the municipality's)."""
    if YOUR_REF_RE.search(col):
        return None
    for m in THEIR_REF_RE.finditer(col):
        ref = m["ref"].strip(" .,;")
        if not ref or not re.search(r"\d", ref) or re.fullmatch(r"20\d{2}-\d{2}-\d{2}", ref):
            continue
        if our_digits and re.sub(r"\D", "", ref) == our_digits:
            continue
        s = ln.start + ln.text.find(col) + m.start("ref")
        return make_field(ref, 0.85, text, s, s + len(ref))
    return None
