"""The sender's name (signature, form fields) and organisation (letterhead, signature, forms)."""

from __future__ import annotations

import re

from services.registration.field import Field, make_field
from services.registration.layout import is_recipient_block
from services.registration.patterns import (
    ASSOCIATION_RE,
    AUTHORITY_RE,
    COMPANY_RE,
    GREETING_RE,
    KEY_VALUE_RE,
    ORG_WORDS,
    OWN_MUNICIPALITY,
    POSTCODE_RE,
    SALUTATION_RE,
    SIGN_PREFIX_RE,
    STREET_RE,
    SUBJECT_LABEL_RE,
    TITLE_RE,
)
from services.registration.text import Line, find_dates, looks_like_person, split_joint_name


def _signature_names(lines: list[Line]) -> list[Line]:
    """Person names in the signature: after a greeting, or the last name-like lines of the letter."""
    n = len(lines)
    start = max(0, n - 25)
    for i in range(n - 1, start - 1, -1):
        if GREETING_RE.match(lines[i].text):
            start = i  # "Mvh Karolina Granqvist": the name may share the greeting's line
            break
    names: list[Line] = []
    for ln in lines[start:]:
        for part in split_joint_name(ln.text):
            cleaned = SIGN_PREFIX_RE.sub("", part)
            cleaned = re.split(r"[,(]", cleaned)[0].strip()
            if looks_like_person(cleaned) and not ORG_WORDS.search(cleaned):
                offset = ln.text.find(cleaned)
                names.append(Line(cleaned, ln.start + max(offset, 0), ln.no))
    return names


def _title_case_org(s: str) -> str:
    words = s.split()
    small = {"i", "och", "för", "av", "på", "till", "län", "tingsrätt", "kommun", "region", "&"}
    if any(c.islower() for c in s):
        return s
    out = []
    for i, w in enumerate(words):
        lw = w.lower()
        if w in ("AB", "HB", "KB", "VVS", "IF", "IK", "BK", "SK"):
            out.append(w)
        elif i > 0 and lw in small:
            out.append(lw)
        else:
            out.append(lw[:1].upper() + lw[1:])
    return " ".join(out)


def _org_from_head(blocks: list[list[Line]], text: str) -> Field | None:
    if not blocks:
        return None
    first = blocks[0]
    t = first[0].text
    org_like = bool(COMPANY_RE.search(t) or AUTHORITY_RE.search(t) or ASSOCIATION_RE.search(t))
    org_no = bool(re.search(r"(?i)org\.?\s?nr|organisationsnummer", " ".join(ln.text for ln in first[1:4])))
    if is_recipient_block(first, letterhead=True) or find_dates(t) or SALUTATION_RE.match(t):
        return None
    if looks_like_person(t) and not org_like and not org_no:
        return None
    if SUBJECT_LABEL_RE.match(t) or len(t) > 70 or POSTCODE_RE.search(t) or STREET_RE.search(t):
        return None
    letters = [c for c in t if c.isalpha()]
    caps = bool(letters) and all(c.isupper() for c in letters)
    end = first[0].end
    value = t
    # "LÄNSSTYRELSEN / I NORRSUNDS LÄN": a capitals letterhead over two lines
    if caps and len(first) > 1 and re.match(r"^(I|FÖR|AV)\s", first[1].text):
        value = f"{t} {first[1].text}"
        end = first[1].end
    org_word = bool(COMPANY_RE.search(value) or AUTHORITY_RE.search(value) or ASSOCIATION_RE.search(value))
    rest = " ".join(ln.text for ln in first[1:4])
    letterhead = bool(
        POSTCODE_RE.search(rest) or STREET_RE.search(rest) or re.search(r"(?i)tel|org\.?\s?nr|@|www", rest)
    )
    if not org_word and not letterhead:
        return None  # a heading ("LÄKARINTYG FÖR SJUKLÖN") or a line of text, not a letterhead
    if len(first) == 1 and not (caps or COMPANY_RE.search(t) or AUTHORITY_RE.search(t) or ASSOCIATION_RE.search(t)):
        return None
    if re.match(r"(?i)^(ansökan|anmälan|begäran|klagomål|faktura|remiss|orosanmälan)\b", t) and caps:
        return None  # a form's title, not a letterhead
    conf = 0.9 if (COMPANY_RE.search(value) or AUTHORITY_RE.search(value) or ASSOCIATION_RE.search(value)) else 0.7
    return make_field(_title_case_org(value), conf, text, first[0].start, end)


FORM_ORG_RE = re.compile(r"(?im)^(verksamhet|företag|förening|organisation|myndighet|skola|enhet)\s*:\s*(?P<o>[^,\n]+)")


def _org_from_signature(lines: list[Line], text: str) -> Field | None:
    m = FORM_ORG_RE.search(text[:3000])
    if m and len(m["o"].strip()) < 60:
        return make_field(m["o"].strip(), 0.75, text, m.start("o"), m.start("o") + len(m["o"].strip()))
    for ln in lines[:30]:  # a form's "Företagets namn: X AB", "Sökande (entreprenör): X AB"
        km = re.match(r"^(?P<k>[^:]{3,40}):\s*(?P<o>[^,]{3,60})", ln.text)
        if km and COMPANY_RE.search(km["o"]) and not re.search(r"(?i)installatör|entreprenad|bank|leverantör", km["k"]):
            s = ln.start + km.start("o")
            return make_field(km["o"].strip(), 0.8, text, s, s + len(km["o"].strip()))
    for ln in reversed(lines[-14:]):
        m = re.match(r"(?i)^(för|på uppdrag av|styrelsen för|styrelsen i)\s+(?P<o>.+)$", ln.text)
        if m and len(m["o"]) < 60:
            return make_field(m["o"].rstrip(","), 0.85, text, ln.start + m.start("o"), ln.end)
    for ln in reversed(lines[-10:]):
        t = ln.text
        if t.startswith(("-", "•", "*")) or KEY_VALUE_RE.match(t) or TITLE_RE.match(t) or re.match(r"(?i)^bilag", t):
            continue
        if 3 < len(t) < 60 and (COMPANY_RE.search(t) or (AUTHORITY_RE.search(t) and not OWN_MUNICIPALITY.search(t))):  # noqa: SIM102
            if not POSTCODE_RE.search(t) and "@" not in t and not re.search(r"\d{3}", t):
                v = re.sub(r"(?i)^(teamet på|hälsningar från|från)\s+", "", t.split(",")[0])
                return make_field(v, 0.75, text, ln.start, ln.start + len(t.split(",")[0]))
    return None


FORM_NAME_RE = re.compile(r"(?im)^(namn|sökande|avsändare|från|anmälare|undertecknad)\s*:\s*(?P<n>[^\n,]+)")


def sender(text: str, lines: list[Line], blocks: list[list[Line]]) -> tuple[Field, Field, int | None]:
    names = _signature_names(lines)
    name: Field | None = None
    name_line: int | None = None
    if names:
        value = (
            "; ".join(n.text for n in names[:2]) if len(names) > 1 and names[1].no - names[0].no > 2 else names[0].text
        )
        if len(names) > 1 and names[1].no == names[0].no:
            value = f"{names[0].text}; {names[1].text}"
        name = make_field(value, 0.85, text, names[0].start, names[0].start + len(names[0].text))
        name_line = names[0].no
    if name is None:
        m = FORM_NAME_RE.search(text)
        if m and looks_like_person(m["n"].split("(")[0].strip()):
            v = m["n"].split("(")[0].strip()
            name = make_field(v, 0.75, text, m.start("n"), m.start("n") + len(v))
            name_line = text.count("\n", 0, m.start())
    org = _org_from_head(blocks, text) or _org_from_signature(lines, text)
    return name or make_field("", 0.4), org or make_field("", 0.75 if name else 0.4), name_line
