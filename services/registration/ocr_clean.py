"""What OCR and PDF text layers put in a letter's text that the rules should not have to know about:
ligatures (ﬁ, ﬂ), non-breaking and zero-width spaces, soft hyphens, letters with a separate combining
accent ("a" + "¨"). `clean` returns the cleaned text and, for each of its characters, the offset of the
character it came from in the original, so every field still points at the spot in the text it was read from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
SPACES = {"\u00a0", "\u2007", "\u202f", "\u2009", "\u200a", "\u3000"}
DROPPED = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


# What tesseract makes of a few characters the rules read (pattern, replacement of group "x"):
OCR_FIXES = (
    # "@" read as "Q", "(Q" or " Q ": anna.berg(Qlive.se, solvikschack Q gmail.com
    re.compile(r"(?<=[\w.])(?P<x> ?\(?Q ?)(?=[a-z0-9-]+\.(?:se|com|nu|org|net|eu)\b)"),
    # "@" read as a capital before a mail provider: anna.bergMhotmail.com
    re.compile(
        r"(?<=[a-z0-9._-])(?P<x>[A-Z])(?=(?:gmail|hotmail|outlook|live|yahoo|icloud|telia|bredband|spray|"
        r"comhem|tele2|bahnhof|msn|me|proton)\.(?:se|com|nu|net)\b)"
    ),
    # "§" read as "s", "8" or "$": "14 kap. 1 s socialtjänstlagen", "11 8 och 14 8 MBL"
    re.compile(
        r"(?<=\d )(?P<x>[s8$])(?= (?:och|samt|eller|[A-ZÅÄÖ]{2,6}\b|[\wåäöÅÄÖ]*(?i:lagen|balken|förordningen)\b|"
        r"första|andra|tredje|st\b|stycket))"
    ),
    # a capital read inside a name: "AStrid Magnusson"
    re.compile(r"(?<=\b[A-ZÅÄÖ])(?P<x>[A-ZÅÄÖ])(?=[a-zåäö]{3,}\b)"),
    # "lgh" (apartment) read as "Igh" or "1gh"
    re.compile(r"(?<= )(?P<x>[I1]gh)(?= ?\d)"),
)
OCR_REPLACEMENT: dict[int, str | Callable[[str], str]] = {0: "@", 1: "@", 2: "§", 3: str.lower, 4: "lgh"}


def clean(text: str) -> tuple[str, list[int]]:
    """(cleaned text, offsets): offsets[i] is where the cleaned text's character i came from; one more
    entry at the end maps the end of the text."""
    chars, where = _clean_chars(text)
    for i, rx in enumerate(OCR_FIXES):
        chars, where = _substitute(chars, where, rx, OCR_REPLACEMENT[i])
    return chars, where


def _substitute(
    text: str, where: list[int], rx: re.Pattern[str], replacement: str | Callable[[str], str]
) -> tuple[str, list[int]]:
    out: list[str] = []
    new_where: list[int] = []
    pos = 0
    for m in rx.finditer(text):
        s, e = m.span("x")
        repl = replacement(m["x"]) if callable(replacement) else replacement
        out.append(text[pos:s])
        new_where.extend(where[pos:s])
        out.append(repl)
        new_where.extend([where[s]] * len(repl))
        pos = e
    out.append(text[pos:])
    new_where.extend(where[pos:])
    return "".join(out), new_where


def _clean_chars(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    where: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in DROPPED:
            i += 1
            continue
        if ch in LIGATURES:
            for c in LIGATURES[ch]:
                out.append(c)
                where.append(i)
            i += 1
            continue
        if ch in SPACES:
            ch = " "
        elif i + 1 < n and unicodedata.combining(text[i + 1]):
            composed = unicodedata.normalize("NFC", text[i : i + 2])
            if len(composed) == 1:  # "a" + combining diaeresis -> "ä"
                out.append(composed)
                where.append(i)
                i += 2
                continue
        out.append(ch)
        where.append(i)
        i += 1
    where.append(n)
    return "".join(out), where


def original_span(where: list[int], start: int | None, end: int | None) -> tuple[int | None, int | None]:
    """A span of the cleaned text as a span of the original text."""
    if start is None or end is None:
        return start, end
    start = min(max(start, 0), len(where) - 1)
    end = min(max(end, start), len(where) - 1)
    if end == start:
        return where[start], where[start]
    return where[start], where[end - 1] + 1
