"""Read the letter, not the envelope: what the model sees of a letter.

Letterheads, address blocks and contact lines say who writes and where they live, not what the letter
is about; yet their words ("Storgatan", "vägen", a town, a phone number) are department words too (TN
handles streets). A letter citing Dnr SBN 2024/0312 was sent to TN because of "gatan" in two address
lines. So before the features are computed (``model.normalise_letter``, the lexicon too):

- street addresses with a number (``Storgatan 27``, ``Lärkvägen 9 lgh 1104``, ``Box 1182``), postcodes
  with their town (``734 80 Solvik``), e-mail, web and phone numbers and ``Org.nr`` are cut out of
  their line (the rest of the line stays: "Kärande: Robin Ekström," still says it is a court case);
  lines that held nothing but such parts and their labels ("Adress:", "Tel", "Besöksadress:") go;
- the subject line (``Ärende:``, ``Angående``, ``Ang.``, ``Re:``, ``Subject:``, ``Rubrik:``, or an
  upper-case heading among the first lines) is repeated once at the end, so the subject weighs more
  than any one body line;
- so is the letter's focus sentence (``focus_sentences``): a sentence in which the writer says what the
  letter is mainly about ("Det viktigaste är skolbytet", "detta gäller bara lampan", "men nu gäller det
  snöröjning", "my main question is ..."). A letter with two topics, or one citing another department's
  case in passing, is decided by the matter it asks about, not by the longer aside.

A street named in the body without a house number ("plogbilen kör förbi på Enebacksvägen") is the
matter itself and stays.
"""

from __future__ import annotations

import re
from functools import lru_cache

_STREET = r"(?:gatan|vägen|gränd|stigen|torget|backen|allén|platsen|leden|stråket|road|street|avenue|lane)"
_ADDRESS_PARTS = [
    re.compile(rf"\b[\wåäöÅÄÖéü-]*{_STREET}\s+\d+\s?[a-zA-Z]?\b(?:\s*,?\s*(?:lgh|lägenhet|vån)\.?\s*\d+)?", re.I),
    re.compile(r"\b(?:box|pl|postbox)\s+\d+\b", re.I),
    re.compile(r"\b(?:se-)?\d{3}\s?\d{2}\s+[A-ZÅÄÖ][\wåäöÅÄÖ-]+(?:\s+[A-ZÅÄÖ][\wåäöÅÄÖ-]+)?"),
    re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    re.compile(r"\b(?:https?://|www\.)\S+", re.I),
    re.compile(r"\b[\w-]+\.(?:se|com|nu|org|net)\b", re.I),
    re.compile(r"(?:\+46|\b0)\d{1,3}[-\s/]?\d{2,3}(?:[\s-]?\d{2}){1,3}\b"),
    re.compile(r"\b(?:org\.?\s*nr|organisationsnummer|bankgiro|plusgiro|bg|pg)\.?:?\s*[\d-]{5,}", re.I),
]
_LABEL_ONLY = re.compile(
    r"^[\s,.:;|/()-]*(?:(?:post|besöks|leverans|faktura|fakturerings|hem)?adress|tel(?:efon)?(?:\s*dagtid)?|"
    r"mobil|e-?post|e-?mail|mail|webb?|fax|hemsida|växel|org\.?\s*nr|c/o|telefon|phone|address)?[\s,.:;|/()-]*$",
    re.I,
)
_SUBJECT = re.compile(
    r"^\s*(?:ärende|ämne|angående|ang\.|avser|gäller|re|sv|subject|rubrik|betr\.?)(?![\wåäö])\s*[:.-]?\s*(.{6,})$", re.I
)
HEADING_LINES = 8


def strip_envelope(text: str) -> str:
    """The letter without address and contact parts (see the module docstring); line structure kept."""
    out: list[str] = []
    for line in text.splitlines():
        cut = line
        for pat in _ADDRESS_PARTS:
            cut = pat.sub(" ", cut)
        if cut != line and _LABEL_ONLY.match(cut):
            continue
        out.append(cut)
    return "\n".join(out)


def subject_line(text: str) -> str | None:
    """The letter's subject: a labelled subject line, else an upper-case heading among its first lines."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in lines[: HEADING_LINES * 2]:
        m = _SUBJECT.match(ln)
        if m:
            return m.group(1).strip()
    for ln in lines[:HEADING_LINES]:
        letters = [c for c in ln if c.isalpha()]
        if len(letters) >= 8 and all(c.isupper() for c in letters) and len(ln.split()) >= 2:
            return ln
    return None


HEADING_WORDS = 6
_MAIL_HEADER = re.compile(r"^\s*(?:från|skickat|till|kopia|datum|from|sent|to|cc|date)\s*:", re.I)


def heading(text: str) -> str:
    """The letter's heading, for the lexicon's subject block: its subject (``subject_line``), else its first
    line when that is short (a note's "Orosanmälan", "Ansökan om skolskjuts"), else ''; plus its focus
    sentences (``focus_sentences``). Address parts are
    cut first, so a letterhead's street does not count."""
    body, subject, focus = _read(text)
    if subject:
        return "\n".join([subject, *focus])
    first = next((ln.strip() for ln in body.splitlines() if ln.strip() and not _MAIL_HEADER.match(ln)), "")
    return "\n".join(([first] if len(first.split()) <= HEADING_WORDS else []) + list(focus))


# Discourse markers of a letter's main matter (Swedish and English); general phrases, not topic words.
_FOCUS = re.compile(
    r"(?<![\wåäö])(?:(?:det|detta|ärendet|frågan|brevet|mitt ärende|min fråga)\s+gäller(?:\s+(?:bara|endast|enbart|"
    r"främst|nu|egentligen))?|gäller\s+(?:bara|endast|enbart)|(?:det|den)\s+viktigaste|viktigast|framför allt|"
    r"huvudsakligen|främst|min huvudfråga|(?:men\s+)?nu\s+gäller|"
    r"(?:men|utan)\s+(?:nu\s+)?(?:detta|det här)\s+(?:är|gäller)|"
    r"most important|mainly|main question|main issue|this is (?:only |just )?about|my question is)(?![\wåäö])",
    re.I,
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
FOCUS_SENTENCES = 2


def focus_sentences(text: str) -> list[str]:
    """Where the writer says what the letter is mainly about: each sentence holding a focus marker, from the
    marker on ("..., detta gäller bara lampan" gives "detta gäller bara lampan"); at most ``FOCUS_SENTENCES``."""
    found = []
    for sentence in _SENTENCE.finditer(text):
        m = _FOCUS.search(sentence.group(0))
        if m:
            found.append(sentence.group(0)[m.start() :].strip())
    return found[:FOCUS_SENTENCES]


def letter_text(text: str) -> str:
    """What the model reads: the letter without its envelope, its subject and focus sentences once more."""
    body, subject, focus = _read(text)
    extra = ([subject] if subject else []) + list(focus)
    return "\n".join([body, *extra]) if extra else body


@lru_cache(maxsize=32)
def _read(text: str) -> tuple[str, str, tuple[str, ...]]:
    """The letter without its envelope, its subject line and its focus sentences: read once per letter,
    though the model (``letter_text``) and the lexicon (``heading``, ``letter_text``) each ask."""
    body = strip_envelope(text)
    return body, subject_line(body), tuple(focus_sentences(body))  # cached: nothing to mutate
