"""What OCR and PDF text layers put in a letter's text that the rules should not have to know about:
ligatures (ﬁ, ﬂ), non-breaking and zero-width spaces, soft hyphens, letters with a separate combining
accent ("a" + "¨"). `clean` returns the cleaned text and, for each of its characters, the offset of the
character it came from in the original, so every field still points at the spot in the text it was read from.
"""

from __future__ import annotations

import unicodedata

LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
SPACES = {"\u00a0", "\u2007", "\u202f", "\u2009", "\u200a", "\u3000"}
DROPPED = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


def clean(text: str) -> tuple[str, list[int]]:
    """(cleaned text, offsets): offsets[i] is where the cleaned text's character i came from; one more
    entry at the end maps the end of the text."""
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
