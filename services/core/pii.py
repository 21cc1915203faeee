"""Personal data patterns shared by logging (redaction) and classification (detection)."""

from __future__ import annotations

import re

# YYYYMMDD-NNNN, YYMMDD-NNNN, YYMMDD+NNNN (100+ years), with or without the separator, or with a space.
PERSONNUMMER_RE = re.compile(r"(?<![\d-])((?:19|20)?\d{6})[-+ ]?(\d{4})(?![\d])")


def luhn_ok(digits10: str) -> bool:
    total = 0
    for i, ch in enumerate(digits10):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def mask_personnummer(text: str) -> str:
    """Replace every Luhn-valid personnummer/samordningsnummer with a masked form (YYMMDD-XXXX)."""

    def _sub(m: re.Match[str]) -> str:
        date, tail = m.group(1), m.group(2)
        ten = date[-6:] + tail
        if not luhn_ok(ten):
            return m.group(0)
        return f"{date}-XXXX"

    return PERSONNUMMER_RE.sub(_sub, text)
