"""Letter structure: the recipient block, where the head of the letter ends, form-like blocks."""

from __future__ import annotations

import re

from services.registration.patterns import (
    KEY_VALUE_RE,
    OWN_MUNICIPALITY,
    POSTCODE_RE,
    SALUTATION_RE,
    STAMP_RE,
    STREET_RE,
    SUBJECT_LABEL_RE,
)
from services.registration.text import Line, find_dates


def fold(s: str) -> str:
    """ "Kontorsmöbler Direkt" -> "kontorsmoblerdirekt": a name as it is written in a domain."""
    s = s.lower().translate(str.maketrans("åäöéèüæø", "aaoeeuao"))
    return re.sub(r"[^a-z0-9]", "", s)


def own_authority() -> str:
    """The municipality the letters are addressed to (settings): never the letter's sender."""
    from services.core.settings import get_settings

    return get_settings().authority_name


def is_own_authority(s: str) -> bool:
    """ "Solvik kommun", "Socialnämnden i Solvik kommun", "Solvik Municipality", "Municipality of Solvik"."""
    own = fold(own_authority())
    place = fold(re.sub(r"(?i)s?\s+kommun$", "", own_authority()))
    s = s.strip()
    english = re.fullmatch(r"(?i)(municipality of\s+(?P<a>.+)|(?P<b>.+?)\s+municipality)", s)
    if english and place:
        return fold(english["a"] or english["b"]) in (place, place + "s")
    return bool(own) and fold(re.sub(r"(?i)^.*\bi\s+(?=\S+ kommun$)", "", s)) == own


def is_key_value_block(block: list[Line]) -> bool:
    return sum(1 for ln in block if KEY_VALUE_RE.match(ln.text)) >= 2


def meta_line(ln: Line) -> bool:
    """ "Datum: 2025-03-02", "Dnr KS 2025/12", "Fakturanummer 44120": a reference or a form's field."""
    return bool(
        KEY_VALUE_RE.match(ln.text)
        or re.match(r"(?i)^(diarienummer|dnr|fastighet|ert dnr|mål nr)\b", ln.text)
        or re.fullmatch(r"(?i)[\wåäö]*(nummer|nr|datum)\.?:?\s+\S*\d\S*", ln.text)
    )


def is_recipient_block(block: list[Line], letterhead: bool = False) -> bool:
    """The block addressed to the municipality. The first block of a letter is its letterhead (which may
    itself be a municipality's) unless it starts "Till"/"Att"."""
    if re.search(r"(?i)^(till|att:|attn)", block[0].text):
        return True
    if any(is_own_authority(ln.text) for ln in block[:3]):
        return True  # the addressee's name (at the top: the letter has no letterhead, or it is at the foot)
    return not letterhead and bool(OWN_MUNICIPALITY.search(" ".join(ln.text for ln in block)))


def head_end_of(blocks: list[list[Line]]) -> int:
    """Line number after the recipient block (or after the letterhead when there is none)."""
    for i, block in enumerate(blocks[:6]):
        if is_recipient_block(block, letterhead=i == 0):
            end = block[-1].no + 1
            for nxt in blocks[i + 1 : i + 3]:  # the rest of the address, after a blank line OCR put in
                if all(address_line(ln.text) for ln in nxt):
                    end = nxt[-1].no + 1
                else:
                    break
            return end
    return blocks[0][-1].no + 1 if blocks else 0


def split_blocks(blocks: list[list[Line]]) -> list[list[Line]]:
    """OCR often loses the blank lines between a letter's parts ("Till Solvik kommun" straight over the
    subject and the body): split a paragraph after the line that ends an address (the municipality's
    name, a postcode and town) or a dateline, and before a subject label, a greeting or a salutation."""
    out: list[list[Line]] = []
    for block in blocks:
        cur: list[Line] = []
        for i, ln in enumerate(block):
            starts = i > 0 and (
                SUBJECT_LABEL_RE.match(ln.text)
                or SALUTATION_RE.match(ln.text)
                or (_caps_heading(ln.text) and not _caps_heading(block[i - 1].text))
            )
            if starts and cur:
                out.append(cur)
                cur = []
            cur.append(ln)
            nxt = block[i + 1] if i + 1 < len(block) else None
            after = block[i + 1 : i + 3]
            if nxt is not None and _ends_part(ln.text) and not any(_continues_address(x.text) for x in after):
                out.append(cur)
                cur = []
        if cur:
            out.append(cur)
    merged: list[list[Line]] = []
    for block in out:  # "Till" alone over the names it introduces (OCR put a blank line between)
        if merged and len(merged[-1]) == 1 and re.fullmatch(r"(?i)till:?", merged[-1][0].text):
            merged[-1] = merged[-1] + block
        else:
            merged.append(block)
    return merged


def _caps_heading(t: str) -> bool:
    """ "BEGÄRAN OM UPPLYSNINGAR", "FÖRELÄGGANDE": a heading in capitals (one long word, or more)."""
    letters = [c for c in t if c.isalpha()]
    return len(letters) >= 8 and (len(t.split()) >= 2 or len(letters) >= 10) and all(c.isupper() for c in letters)


def _ends_part(t: str) -> bool:
    if OWN_MUNICIPALITY.fullmatch(t) or re.fullmatch(r"(?i)till\s+[\wåäö-]+s? kommun", t):
        return True
    if re.match(r"(?i)^till\s+\S", t) and len(t) < 60:
        return True  # "Till förvaltningens ledning" over the subject
    if re.fullmatch(r"\d{3}\s?\d{2}\s+[A-ZÅÄÖ][\wåäö -]*", t):
        return True  # "734 80 Solvik"
    dates = find_dates(t)
    if dates and len(t) < 40:
        rest = (t[: dates[0][1]] + t[dates[0][2] :]).strip(" ,.")
        return not rest or bool(re.fullmatch(r"[A-ZÅÄÖ][a-zåäö-]+(\s[A-ZÅÄÖ][a-zåäö-]+)?,?(\s[Dd]en)?", rest))
    return False


# "Tekniska förvaltningen", "Bygglovsenheten", "Kultur- och fritidsnämnden": a unit of the addressee
UNIT_LINE_RE = re.compile(
    r"^[A-ZÅÄÖ][\wåäö -]{2,50}(förvaltning(en)?|nämnd(en)?|enhet(en)?|avdelning(en)?|kontor(et)?|styrelse(n)?|"
    r"tjänst(en)?|handläggare|presidium|department|unit|office)$"
)


def unit_line(t: str) -> bool:
    """ "Tekniska förvaltningen", "Kultur- och fritidsnämnden" (not "Ansökan om hemtjänst": no "om", "för")."""
    return bool(UNIT_LINE_RE.match(t)) and not re.search(r"(?i)\b(om|för|av|på|till|med|vid|inför|angående)\b", t)


def _continues_address(t: str) -> bool:
    return bool(
        unit_line(t)
        or POSTCODE_RE.search(t)
        or STREET_RE.search(t)
        or re.match(r"(?i)^(box|att|attn|tel|telefon|e-post|org)\b", t)
        or OWN_MUNICIPALITY.fullmatch(t)
    )


# "Rådhusgatan 7", "Norra Allén 22 lgh 1301", "Box 12", "734 80 Solvik", "Solvik kommun": a line of an address
ADDRESS_LINE_RE = re.compile(
    r"(?i)^(box\s+\d+|\d{3}\s?\d{2}\s+\S.{0,30}|[A-ZÅÄÖ][\wåäöé-]*(\s[A-ZÅÄÖ][\wåäöé-]*)?\s\d{1,3}\s?[A-Z]?"
    r"(,?\s*(lgh|lägenhet|vån\.?|tr\.?)\s*\d+)?)$"
)


def address_line(t: str) -> bool:
    return bool(OWN_MUNICIPALITY.fullmatch(t) or ADDRESS_LINE_RE.match(t) or unit_line(t))


def without_stamp(blocks: list[list[Line]]) -> list[list[Line]]:
    """The letter's paragraphs without the registry's arrival stamp OCR read over its head ("INKOM" and
    the stamp's date on lines of their own)."""
    out = list(blocks)
    if out and STAMP_RE.match(out[0][0].text) and len(out[0][0].text) < 30:
        rest = out[0][1:]
        out = ([rest] if rest else []) + out[1:]
        if rest and find_dates(rest[0].text) and len(rest[0].text) < 14:
            out[0] = rest[1:]
            out = [b for b in out if b]
        elif out and len(out[0]) == 1 and find_dates(out[0][0].text) and len(out[0][0].text) < 14:
            out = out[1:]
    return out
