"""Letter structure: the recipient block, where the head of the letter ends, form-like blocks."""

from __future__ import annotations

import re

from services.registration.patterns import KEY_VALUE_RE, OWN_MUNICIPALITY
from services.registration.text import Line


def is_key_value_block(block: list[Line]) -> bool:
    return sum(1 for ln in block if KEY_VALUE_RE.match(ln.text)) >= 2


def meta_line(ln: Line) -> bool:
    return bool(KEY_VALUE_RE.match(ln.text) or re.match(r"(?i)^(diarienummer|dnr|fastighet|ert dnr|mål nr)\b", ln.text))


def is_recipient_block(block: list[Line], letterhead: bool = False) -> bool:
    """The block addressed to the municipality. The first block of a letter is its letterhead (which may
    itself be a municipality's) unless it starts "Till"/"Att"."""
    if re.search(r"(?i)^(till|att:|attn)", block[0].text):
        return True
    return not letterhead and bool(OWN_MUNICIPALITY.search(" ".join(ln.text for ln in block)))


def head_end_of(blocks: list[list[Line]]) -> int:
    """Line number after the recipient block (or after the letterhead when there is none)."""
    for i, block in enumerate(blocks[:6]):
        if is_recipient_block(block, letterhead=i == 0):
            return block[-1].no + 1
    return blocks[0][-1].no + 1 if blocks else 0
