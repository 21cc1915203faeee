"""Candidates and their features: the common parts, and the letter's dates."""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.registration.dates import (
    LETTER_DATE_LABEL,
    NOT_LETTER_DATE,
    PLACE_RE,
    RANGE_AFTER,
    RANGE_BEFORE,
    STAMP_WORD,
    _stamp_dates,
)
from services.registration.field import Field
from services.registration.patterns import GREETING_RE, SALUTATION_RE, STAMP_RE
from services.registration.text import Line, find_dates, normalise


@dataclass
class Context:
    """A letter as the rules read it, with the rules' own proposal."""

    text: str
    lines: list[Line]
    blocks: list[list[Line]]
    head_end: int
    fields: dict[str, Field]
    salutation_no: int = -1  # the line of "Hej," / "Bästa ..." (-1: none)
    greeting_no: int = -1  # the line of "Med vänliga hälsningar" (-1: none)

    @classmethod
    def of(cls, text: str, lines: list[Line], blocks: list[list[Line]], head_end: int, fields: dict[str, Field]):
        ctx = cls(text, lines, blocks, head_end, fields)
        for ln in lines[:60]:
            if ln.text and SALUTATION_RE.match(ln.text):
                ctx.salutation_no = ln.no
                break
        for ln in reversed(lines):
            if ln.text and GREETING_RE.match(ln.text):
                ctx.greeting_no = ln.no
                break
        return ctx


@dataclass
class Candidate:
    value: str
    start: int | None
    end: int | None
    feats: dict[str, float]


def bucket(prefix: str, n: float, edges: tuple[float, ...]) -> dict[str, float]:
    """One-hot of the interval n falls in: {"len<=10": 1}."""
    for e in edges:
        if n <= e:
            return {f"{prefix}<={e:g}": 1.0}
    return {f"{prefix}>{edges[-1]:g}": 1.0}


def same(a: str, b: str) -> bool:
    return normalise(a) == normalise(b)


def _date_form(s: str) -> str:
    if re.search(r"[A-Za-zåäö]", s):
        return "words"
    if re.match(r"20\d{2}", s):
        return "iso"
    if re.search(r"/\d{1,2}-\d{2}$", s):
        return "short"
    return "dmy"


def date_candidates(ctx: Context) -> list[Candidate]:
    """Every date of the letter, and "no date"."""
    text, lines = ctx.text, ctx.lines
    dates = find_dates(text)
    rule = ctx.fields["letter_date"]
    n = max(len(lines), 1)
    stamp_dates = _stamp_dates(dates, lines, text) if dates else set()
    values = sorted({d for d, _, _ in dates})
    out: list[Candidate] = []
    for k, (d, s, e) in enumerate(dates):
        no = text.count("\n", 0, s)
        ln = lines[no]
        before = text[ln.start : s]
        rest = (ln.text[: s - ln.start] + " " + ln.text[e - ln.start :]).strip(" ,.")
        sm = STAMP_WORD.search(ln.text)
        f: dict[str, float] = {
            "rule_value": float(d.isoformat() == rule.value),
            "rule_spot": float(d.isoformat() == rule.value and rule.start == s),
            "label": float(bool(LETTER_DATE_LABEL.search(before.strip()) or re.search(r"(?i)\bdatum\b", before))),
            "not_letter_ctx": float(bool(NOT_LETTER_DATE.search(text[max(ln.start, s - 30) : s]))),
            "not_letter_line": float(bool(NOT_LETTER_DATE.search(rest))),
            "alone": float(not rest),
            "dateline": float(bool(rest) and PLACE_RE.fullmatch(rest) is not None),
            "range": float(bool(RANGE_BEFORE.search(text[max(0, s - 6) : s]) or RANGE_AFTER.match(text[e : e + 6]))),
            "stamp_line": float(bool(STAMP_RE.match(ln.text))),
            "after_stamp_word": float(bool(sm and s >= ln.start + sm.start())),
            "stamp_date": float(s in stamp_dates),
            "born": float(bool(re.search(r"(?i)född|personnummer|pnr", text[max(0, s - 40) : s]))),
            "due": float(bool(re.search(r"(?i)förfall|betala|senast|sista", text[max(0, s - 40) : s]))),
            "first_date": float(k == 0),
            "last_date": float(k == len(dates) - 1),
            "latest": float(d == values[-1]),
            "earliest": float(d == values[0] and len(values) > 1),
            "repeated": float(sum(1 for x, _, _ in dates if x == d) > 1),
            "top5": float(no < 5),
            "top15": float(no < 15),
            "bottom15": float(no >= n - 15),
            "in_signature": float(ctx.greeting_no >= 0 and no > ctx.greeting_no),
            "before_salutation": float(ctx.salutation_no >= 0 and no < ctx.salutation_no),
            "rel_pos": no / n,
            f"form_{_date_form(text[s:e])}": 1.0,
        }
        f.update(bucket("rest_len", len(rest), (0, 12, 30, 60)))
        out.append(Candidate(d.isoformat(), s, e, f))
    # "no date": what the letter's dates look like at best (a letter without a date has only due dates,
    # periods and dates in the running text)
    none = {"none": 1.0, "none_rule_empty": float(not rule.value), "none_no_dates": float(not dates)}
    for key in ("label", "alone", "dateline", "top5", "in_signature", "bottom15"):
        clean = [c for c in out if not c.feats["not_letter_ctx"] and not c.feats["range"]]
        none[f"none_any_{key}"] = float(any(c.feats[key] for c in clean))
    out.append(Candidate("", None, None, none))
    return out
