"""A hand-written Swedish lexicon per department: what each department handles, as word stems.

Written from ../shared/corpus/departments.csv ("handles") and the usual division of work in a Swedish
municipality (kommunallagen's nämnder, socialtjänstlagen, LSS, plan- och bygglagen, skollagen,
föräldrabalken, miljöbalken). A stem matches at the start of a word (``bygglov`` matches "bygglovet",
"bygglovsansökan"); compound words are matched inside a word when the stem is marked with a leading
``*`` (``*avfall`` matches "matavfall"). The model sees, per department, how many distinct stems of its
list occur (``lexicon_features``), next to its n-gram features: the lexicon carries knowledge that
16 letters per department cannot teach, and the model learns how much to trust it.

Stems are department knowledge, not copied from the corpus; keep them general (a stem that only
one letter would contain is overfitting).

Each department also lists English terms (translations of its "handles": "building permit", "mould",
"home care", "sports hall", "rubbish"): letters in English were the commonest miss on the hard letters
(5 of 6 wrong, bench/data/hard_letters). Scored on bench/data/hard_letters_2, written before they were
added: top-1 72.5% -> 87.5% (a model per fold fitted on the corpus and the other folds).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin


def _load_lexicon() -> dict[str, tuple[str, ...]]:
    """The stems per department, kept as data in data/lexicon.json (shipped with the package)."""
    raw = json.loads(resources.files("services.classify").joinpath("data/lexicon.json").read_text(encoding="utf-8"))
    return {dep: tuple(stems) for dep, stems in raw.items()}


LEXICON: dict[str, tuple[str, ...]] = _load_lexicon()


def _pattern(stem: str) -> str:
    if stem.startswith("*"):
        return re.escape(stem[1:])
    return r"(?<![\wåäö])" + re.escape(stem)


@lru_cache(maxsize=1)
def compiled() -> dict[str, list[re.Pattern[str]]]:
    return {dep: [re.compile(_pattern(s)) for s in stems] for dep, stems in LEXICON.items()}


def hits(text: str) -> dict[str, list[str]]:
    """For each department, the lexicon stems found in ``text`` (lower-cased, whitespace collapsed)."""
    return {dep: list(found) for dep, found in _hits(" ".join(text.lower().split()))}


@lru_cache(maxsize=32)
def _hits(low: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """One letter's text is looked up several times per decision (department model, document type
    model, reasons): the regex scan runs once (issue 11: classify is on every item's path)."""
    out = []
    for dep, pats in compiled().items():
        # A stem's pattern can only match where the stem itself occurs: `in` rules out most stems at a
        # fraction of a regex search's cost (the regex then checks the word start).
        stems = LEXICON[dep]
        found = tuple(s.lstrip("*") for s, p in zip(stems, pats, strict=True) if s.lstrip("*") in low and p.search(low))
        if found:
            out.append((dep, found))
    return tuple(out)


def lexicon_features(texts: list[str], departments: list[str]) -> np.ndarray:
    """One column per department in ``departments``: log(1 + number of distinct stems found)."""
    rows = np.zeros((len(texts), len(departments)), dtype=np.float32)
    index = {d: k for k, d in enumerate(departments)}
    for r, text in enumerate(texts):
        for dep, found in hits(text).items():
            if dep in index:
                rows[r, index[dep]] = np.log1p(len(found))
    return rows


class LexiconFeatures(BaseEstimator, TransformerMixin):
    """A scikit-learn transformer: ``lexicon_features`` over every department of the lexicon, scaled.

    ``subject``: a second block of the same counts over the letter's heading only (``envelope.heading``),
    so that what the letter says it is about ("Orosanmälan", "Angående gatubelysning") weighs more than a
    topic word in passing (the teacher's "elev", "årskurs" in a child-protection report).
    """

    def __init__(self, scale: float = 1.0, envelope: bool = False, subject: bool = False) -> None:
        self.scale = scale
        self.envelope = envelope
        self.subject = subject

    def fit(self, texts: list[str], y: object = None) -> LexiconFeatures:
        return self

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        texts = list(texts)
        if getattr(self, "envelope", False):  # models saved before issue 15 have no such attribute
            from services.classify.envelope import letter_text

            texts_read = [letter_text(t) for t in texts]
        else:
            texts_read = texts
        blocks = [lexicon_features(texts_read, sorted(LEXICON)) * self.scale]
        if getattr(self, "subject", False):  # nor this one
            from services.classify.envelope import heading

            blocks.append(lexicon_features([heading(t) for t in texts], sorted(LEXICON)) * self.scale)
        return sparse.csr_matrix(np.hstack(blocks))
