"""The letter's own date (not a due date, a birth date or the registry's arrival stamp)."""

from __future__ import annotations

import re
from datetime import date

from services.registration.field import Field, make_field
from services.registration.patterns import STAMP_RE
from services.registration.text import DATELINE_RE, PROSE_RE, Line, find_dates

LETTER_DATE_LABEL = re.compile(
    r"(?i)^(datum|date|fakturadatum|beslutsdatum|daterad|skrivet|utfärdat|dag|invoice date)\b"
    # a form's "Ort och datum: Björkö 1 oktober 2026", "Place and date: Solvik"
    r"|^(ort|plats|place)\s*(och|,|and|&)\s*(datum|date)\b"
)
NOT_LETTER_DATE = re.compile(
    r"(?i)(förfallo|född|sista dag|senast|daterad|inkom|beslut|förelägg|period|mellan|fr\.?o\.?m|t\.?o\.?m|"
    r"giltig|vecka|möte|sammanträde|tillträde|leverans|start|slut|inflytt|avflytt|kontrollerat|besök|den \d|"
    # an event's time, a change from a day, an offer's last day ("Tid: onsdag 8 oktober", "valid until")
    r"\btid\b|från och med|upphör|until|valid|before|\bon\b|\bkl\.)"
)

RANGE_BEFORE = re.compile(r"\d\s*[–—-]\s*$")
RANGE_AFTER = re.compile(r"^\s*[–—-]\s*\d")
# the registry's arrival stamp, which OCR may read onto a line of the letter ("Solvik 2025-03-03 INKOM")
STAMP_WORD = re.compile(r"\b(INKOM|ANKOM|INKOMMEN|Inkom|Ankom|Inkommen)\b")
# "Solvik", "Norra Näsby,", "Solvik den": the place of a dateline, written with a capital (not a heading in
# capitals, "TILLGÅNGAR 1 JANUARI 2024")
PLACE_RE = re.compile(r"(?P<place>[^\W\d_][\w-]*(\s(?![Dd]en$)[^\W\d_][\w-]*)?)?,?\s*([Dd]en)?")


def is_place(rest: str) -> bool:
    """ "Solvik", "Norra Näsby,", "Wrocław", "Solvik den": capitalised words of any alphabet."""
    m = PLACE_RE.fullmatch(rest)
    if m is None:
        return False
    words = (m["place"] or "").replace("-", " ").split()
    return all(w[0].isupper() and (w[1:].islower() or len(w) == 1) for w in words)


def _stamp_dates(dates: list[tuple[date, int, int]], lines: list[Line], text: str) -> set[int]:
    """Where the arrival stamp's date is: a line of its own under "INKOM", or else a date ending one of
    the two lines under it (OCR reads the stamp into the letterhead: "Dansföreningen Rytmik 2026-03-02")."""
    stamps = [ln.no for ln in lines if STAMP_WORD.search(ln.text)]
    if not stamps:
        return set()
    # a stamp's date is in digits ("2025-03-03"), not "21 maj 2025" (the letter's dateline OCR put under it)
    numeric = [d for d in dates if not re.search(r"[A-Za-zåäö]", text[d[1] : d[2]])]
    near = [(d, text.count("\n", 0, d[1])) for d in numeric]
    near = [(d, no) for d, no in near if any(0 < no - s <= 3 for s in stamps)]
    alone = {d[1] for d, no in near if len(lines[no].text) - (min(d[2], lines[no].end) - d[1]) < 4}
    if alone:
        return alone
    # the stamp further down the head: of two dates alone on their lines, the later is the arrival
    head = [d for d in numeric if text.count("\n", 0, d[1]) < 25]
    head = [d for d in head if len(lines[text.count("\n", 0, d[1])].text) == d[2] - d[1]]
    if len(head) >= 2 and len({d[0] for d in head}) > 1:
        return {max(head)[1]}
    ending = [d[1] for d, no in near if d[2] == lines[no].end and any(0 < no - s <= 2 for s in stamps)]
    return set(ending[:1])


def letter_date(text: str, lines: list[Line]) -> Field:
    dates = find_dates(text)
    if not dates:
        return make_field("", 0.8)
    by_line: dict[int, list[tuple[date, int, int]]] = {}
    stamp_dates = _stamp_dates(dates, lines, text)
    for d in dates:
        no = text.count("\n", 0, d[1])
        ln = lines[no]
        if STAMP_RE.match(ln.text):
            continue  # the registry's own arrival stamp on the scan, not the letter's date
        sm = STAMP_WORD.search(ln.text)
        if sm and d[1] >= ln.start + sm.start():
            continue  # "2025-01-16 INKOM 2025-01-20": the stamp read onto the letter's dateline
        if d[1] in stamp_dates:
            continue  # the stamp's date under "INKOM"
        if RANGE_BEFORE.search(text[max(0, d[1] - 6) : d[1]]) or RANGE_AFTER.match(text[d[2] : d[2] + 6]):
            continue  # "3–4 februari 2026", "2025-03-01 – 2025-03-31": a period, not the letter's date
        by_line.setdefault(no, []).append(d)
    # 1. a labelled date ("Datum: 2025-03-02", "Fakturadatum 2025-03-11")
    for no, ds in by_line.items():
        ln = lines[no]
        before = text[ln.start : ds[0][1]]
        if LETTER_DATE_LABEL.search(before.strip()) or re.search(r"(?i)\b(datum|date)\b[\s:]*$", before):  # noqa: SIM102
            # "Datum för övertagande: 2025-06-01": a date labelled as something else's
            if not re.search(r"(?i)förfallo|född|^\s*\w+\s+(för|av|när)\s", before):
                d, s, e = ds[0]
                return make_field(d.isoformat(), 0.95, text, s, e)
    # 2. a line that is only a date, or "Place 2025-03-02" / "Place den 2 mars 2025", in the first or last lines
    n = len(lines)
    for no, ds in sorted(by_line.items(), key=lambda kv: (kv[0] > 25 and kv[0] < n - 15, kv[0])):
        ln = lines[no]
        d, s, e = ds[0]
        rest = (ln.text[: s - ln.start] + " " + ln.text[e - ln.start :]).strip(" ,.")
        if NOT_LETTER_DATE.search(rest):
            continue
        if not rest or is_place(rest):
            near_edge = no < 25 or no >= n - 15
            return make_field(d.isoformat(), 0.9 if near_edge else 0.7, text, s, e)
    # "Skara i augusti 2025" on a line of its own: the letter is dated without a day (no date to propose)
    dateline = next((ln for ln in lines if len(ln.text) < 50 and DATELINE_RE.match(ln.text)), None)
    if dateline is not None:
        return make_field("", 0.7, text, dateline.start, dateline.end)
    # 3. the first date in the head of the letter that is not something else's date
    for no, ds in sorted(by_line.items()):
        if no > 15:
            break
        ln = lines[no]
        if len(ln.text) >= 60 and PROSE_RE.match(ln.text):
            continue  # "Installationen utfördes 2025-03-18 av ...": a date in a sentence of the body
        for d, s, e in ds:
            if not NOT_LETTER_DATE.search(text[max(ln.start, s - 30) : s]):
                return make_field(d.isoformat(), 0.55, text, s, e)
    return make_field("", 0.5)
