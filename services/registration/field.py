"""A proposed field: its value, confidence and the spot in the text it was read from."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Field:
    value: str = ""
    confidence: float = 0.5
    source: str = ""  # the text the value was read from
    start: int | None = None
    end: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def swedish_dashes(s: str) -> str:
    """OCR reads the en dash of a Swedish title as a hyphen or an em dash: "Remiss - Förslag", "årskurs 7-9"."""
    s = re.sub(r"(?<=\S) (?:[-—–]{2}|[-—]) (?=\S)", " – ", s)
    return re.sub(r"(?<![\d/-])(\d{1,4})-(\d{1,4})(?![\d/-])", lambda m: f"{m[1]}–{m[2]}", s)


def make_field(
    value: str, confidence: float, text: str = "", start: int | None = None, end: int | None = None
) -> Field:
    src = text[start:end] if start is not None and end is not None else ""
    return Field(value.strip(), round(confidence, 2), src[:200], start, end)
