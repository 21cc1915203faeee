"""Signals read from letter text before (and beside) the model: case references, personnummer, sensitivity.

Case references (diarienummer) are normalised as follows and returned in order of first appearance,
without duplicates:

- ``Dnr SBN 2024/0312``, ``SBN 2024/0312``, ``SBN2024 / 0312``   -> ``"SBN 2024/0312"``
- ``MHN-2023-1145``, ``MHN 2023-1145``                          -> ``"MHN 2023/1145"``
- ``KS 2025/87``                                                -> ``"KS 2025/87"`` (the number is kept as written)
- ``2024-000318`` (no prefix, a six-digit serial)               -> ``"2024-000318"``
- ``Dnr 2024/312`` (no prefix, only after Dnr/Diarienummer)     -> ``"2024/312"``

The prefix is kept as written, upper-cased (``ÖFN 2024/233`` stays ``ÖFN``); ``case_ref_department``
maps it to a department code (``ÖFN`` and the OCR-mangled ``OFN`` both give ``OFN``).

A prefixed reference needs a prefix of 2-4 capital letters. The dash form (``MHN-2023-1145``) is only
accepted with a prefix that is a known department code, or right after a Dnr/Diarienummer/ärende word,
because the dash form is also used by invoice numbers (``DN-2025-00918``) and decision numbers
(``LB-2025-337816``). The bare ``YYYY-NNNNNN`` form needs exactly six digits after the year, so dates
(``2024-11-06``), invoice numbers (``2025-0412``) and phone numbers (``0224-553 81``) do not match.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from services.core.pii import PERSONNUMMER_RE, luhn_ok

# Prefixes written on letters that are not the department code itself.
PREFIX_ALIASES = {"ÖFN": "OFN", "OFN": "OFN", "0FN": "OFN", "ÖN": "OFN", "SOC": "SN", "IFO": "SN", "MBN": "MHN"}

_KEYWORD = r"(?:dnr|diarienr|diarienummer|ärende(?:nummer|nr)?|er\s+beteckning|vår\s+beteckning|beteckning)"
_YEAR = r"(?:19|20)\d{2}"

# PREFIX YYYY/N  (slash form; any 2-4 letter prefix)
_SLASH_RE = re.compile(
    rf"(?<![\wÅÄÖåäö])(?P<prefix>[A-ZÅÄÖ]{{2,4}})[\s.:-]?\s*(?P<year>{_YEAR})\s?/\s?(?P<num>\d{{1,5}})(?![\d/])"
)
# PREFIX-YYYY-NNNN  (dash form; prefix checked in code)
_DASH_RE = re.compile(
    rf"(?<![\wÅÄÖåäö-])(?P<prefix>[A-ZÅÄÖ]{{2,4}})[\s-]?(?P<year>{_YEAR})-(?P<num>\d{{3,6}})(?![\d-])"
)
# YYYY-NNNNNN  (no prefix)
_BARE_RE = re.compile(rf"(?<![\w/.:-])(?P<year>{_YEAR})-(?P<num>\d{{6}})(?![\d-])")
# Dnr YYYY/N  (no prefix; only after a keyword)
_KW_SLASH_RE = re.compile(
    rf"{_KEYWORD}[\s.:]*(?P<year>{_YEAR})\s?/\s?(?P<num>\d{{1,5}})(?![\d/])",
    re.IGNORECASE,
)
_KW_BEFORE_RE = re.compile(rf"{_KEYWORD}[\s.:]*$", re.IGNORECASE)


@lru_cache(maxsize=1)
def department_codes() -> frozenset[str]:
    """Department codes from the packaged department list (INGEN excluded: it is not a case owner)."""
    from services.core.seed import read_departments

    return frozenset(str(d["code"]) for d in read_departments() if d["routable"])


def case_ref_department(ref: str) -> str | None:
    """The department code a case reference's prefix names, or None (no prefix, or an unknown one)."""
    m = re.match(r"\s*([A-ZÅÄÖa-zåäö0]{2,4})\b", ref)
    if not m:
        return None
    prefix = m.group(1).upper()
    codes = department_codes()
    if prefix in codes:
        return prefix
    alias = PREFIX_ALIASES.get(prefix)
    return alias if alias in codes else None


def find_case_refs(text: str) -> list[str]:
    """Every case reference in ``text``, normalised (see the module docstring), in order, deduplicated."""
    hits: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, ref: str) -> None:
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        hits.append((start, ref))

    codes = department_codes()
    for m in _SLASH_RE.finditer(text):
        add(m.start(), m.end(), f"{m['prefix']} {m['year']}/{m['num']}")
    for m in _DASH_RE.finditer(text):
        prefix = m["prefix"]
        known = prefix in codes or prefix in PREFIX_ALIASES
        after_keyword = bool(_KW_BEFORE_RE.search(text[max(0, m.start() - 25) : m.start()]))
        if known or after_keyword:
            add(m.start(), m.end(), f"{prefix} {m['year']}/{m['num']}")
    for m in _KW_SLASH_RE.finditer(text):
        add(m.start("year"), m.end(), f"{m['year']}/{m['num']}")
    for m in _BARE_RE.finditer(text):
        add(m.start(), m.end(), f"{m['year']}-{m['num']}")

    seen: set[str] = set()
    out: list[str] = []
    for _, ref in sorted(hits):
        if ref not in seen:
            seen.add(ref)
            out.append(ref)
    return out


# --- personnummer / samordningsnummer -------------------------------------------------------------

# The same pattern the masking uses (services/core/pii.py), so what is found is also masked.
_PNR_RE = PERSONNUMMER_RE
# A ten-digit run right after these words is a phone or customer number, not a personnummer.
_PHONE_BEFORE_RE = re.compile(r"(?:tel|tfn|telefon|mobil|mob|fax|phone|kundnr|fakturanr|ocr)[\s.:]*$", re.IGNORECASE)


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def parse_personnummer(match: re.Match[str], today: date | None = None) -> str | None:
    """Normalise one regex match to ``YYYYMMDD-NNNN``; None if the Luhn check or the date fails."""
    today = today or date.today()
    yy, mm, dd, tail = match["yy"], match["mm"], match["dd"], match["tail"]
    if not luhn_ok(yy + mm + dd + tail):
        return None
    day = int(dd)
    real_day = day - 60 if day > 60 else day  # samordningsnummer: day + 60
    month = int(mm)
    if match["century"]:
        year = int(match["century"] + yy)
        if year > today.year:
            return None
    else:
        year = (today.year // 100) * 100 + int(yy)
        if year > today.year or (year == today.year and (month, real_day) > (today.month, today.day)):
            year -= 100
        if match["sep"] == "+":  # a hundred years or older
            year -= 100
    if not _valid_date(year, month, real_day):
        return None
    return f"{year:04d}{mm}{dd}-{tail}"


def find_personnummer(text: str, *, today: date | None = None) -> list[str]:
    """Luhn-valid, date-valid personnummer and samordningsnummer as ``YYYYMMDD-NNNN``, deduplicated.

    Ten digits with no separator directly after "tel"/"tfn"/"kundnr"/... are skipped (phone numbers
    such as 0701234567 are often date- and Luhn-valid).
    """
    out: list[str] = []
    for m in _PNR_RE.finditer(text):
        if not m["sep"] and not m["century"] and _PHONE_BEFORE_RE.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        # "12 34 56 78 90"-style digit groups: a space separator between two runs that are themselves
        # part of a longer spaced number (phone/account) is not a personnummer.
        if m["sep"] is None and text[m.start("tail") - 1 : m.start("tail")] == " ":
            nxt = text[m.end() : m.end() + 3]
            prv = text[max(0, m.start() - 3) : m.start()]
            if re.match(r"\s\d", nxt) or re.search(r"\d\s$", prv):
                continue
        pnr = parse_personnummer(m, today)
        if pnr and pnr not in out:
            out.append(pnr)
    return out


# --- sensitivity -------------------------------------------------------------------------------------

# Sensitive on their own (sekretess under OSL 26 kap, 23 kap 2 §, 25 kap): child protection, coercive care,
# domestic violence, abuse at school.
STRONG_SENSITIVE_TERMS = (
    "orosanmälan",
    "lvu",
    "lvm",
    "våld i nära relation",
    "skyddad identitet",
    "skyddade personuppgifter",
    "sekretessmarkering",
    "kränkande behandling",
    "kränkningar",
    "missbruk",
    "omedelbart omhändertag",
    "barn som kan behöva skydd",
)
# Sensitive together with a personnummer: health, social welfare, guardianship, family law.
SENSITIVE_TERMS = (
    *STRONG_SENSITIVE_TERMS,
    "god man",
    "förvaltare",
    "huvudman",
    "vårdnad",
    "umgänge",
    "faderskap",
    "ekonomiskt bistånd",
    "försörjningsstöd",
    "läkarintyg",
    "intyg från",
    "diagnos",
    "sjukdom",
    "sjukskriv",
    "sjukpenning",
    "rehabilitering",
    "stroke",
    "diabetes",
    "demens",
    "cancer",
    "psykisk",
    "depression",
    "adhd",
    "autism",
    "funktionsnedsättning",
    "rörelsehindr",
    "artros",
    "operation",
    "vårdcentral",
    "arbetsterapeut",
    "sjukhus",
    "hemtjänst",
    "särskilt boende",
    "lss",
    "personlig assistans",
    "behandlingshem",
    "alkohol",
    "narkotika",
    "polisanmäl",
    "misshandel",
    "skuld",
)


def sensitive_terms_in(text: str, *, strong_only: bool = False) -> list[str]:
    low = " ".join(text.lower().split())
    terms = STRONG_SENSITIVE_TERMS if strong_only else SENSITIVE_TERMS
    return [t for t in terms if re.search(rf"(?<!\w){re.escape(t)}", low)]
