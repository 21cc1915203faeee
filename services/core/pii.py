"""Personal data patterns shared by logging (redaction) and classification (detection)."""

from __future__ import annotations

import re

# YYYYMMDD-NNNN, YYMMDD-NNNN, YYMMDD+NNNN (100+ years), YYMMDDNNNN, YYYYMMDDNNNN, "YYMMDD NNNN", and a
# separator with spaces around it ("580922 - 7738"). One pattern for finding (services/classify/signals.py,
# which also checks the date) and for masking (which masks every Luhn-valid match, date or not).
PERSONNUMMER_RE = re.compile(
    r"(?<![\d+/.,:-])(?P<century>18|19|20)?(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})"
    r"(?:[ \t]{0,2}(?P<sep>[-+\u2013])[ \t]{0,2}|[ \t])?(?P<tail>\d{4})(?![\d/]|[-.,]\d)"
)


def luhn_ok(digits10: str) -> bool:
    total = 0
    for i, ch in enumerate(digits10):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def mask_personnummer(text: str) -> str:
    """Replace every Luhn-valid personnummer/samordningsnummer with a masked form (YYMMDD-XXXX)."""

    def _sub(m: re.Match[str]) -> str:
        date = (m["century"] or "") + m["yy"] + m["mm"] + m["dd"]
        if not luhn_ok(date[-6:] + m["tail"]):
            return m.group(0)
        return f"{date}-XXXX"

    return PERSONNUMMER_RE.sub(_sub, text)
