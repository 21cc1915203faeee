"""Who in the municipality the letter is addressed to."""

from __future__ import annotations

import re

from services.registration.field import Field, make_field
from services.registration.layout import is_recipient_block
from services.registration.patterns import OWN_MUNICIPALITY, POSTCODE_RE, STREET_RE
from services.registration.text import Line

# --- recipient unit ---------------------------------------------------------------------------------------
# "Att: X" (attention) needs its colon ("Att kommunen ..." starts a sentence); "Till X" a capital.
ATT_RE = re.compile(r"^(?:(?i:att|attn|attention|mottagare)\s*:|(?i:till)\s*:|(?i:till)(?=\s+[A-ZÅÄÖ]))\s*(?P<u>.+)$")


def recipient_unit(text: str, lines: list[Line], blocks: list[list[Line]]) -> Field:
    for ln in lines[:40]:
        m = ATT_RE.match(ln.text)
        if m:
            u = re.sub(r"(?i),?\s*(i\s+)?[\wåäö-]+s? kommun\b.*$", "", m["u"]).strip(" ,")
            if u and not OWN_MUNICIPALITY.fullmatch(m["u"].strip()) and u.lower() not in ("kommunen",):
                s = ln.start + m.start("u")
                return make_field(u, 0.8, text, s, s + len(u))
    for i, block in enumerate(blocks[:6]):
        if not is_recipient_block(block, letterhead=i == 0):
            continue
        for ln in block:
            t = ln.text
            if (
                OWN_MUNICIPALITY.fullmatch(t)
                or POSTCODE_RE.search(t)
                or STREET_RE.search(t)
                or re.match(r"(?i)^till\b", t)
            ):
                continue
            u = re.sub(r"(?i)\s*(i|,)\s*[\wåäö-]+s? kommun$", "", t).strip(" ,")
            if u and len(u) < 80:
                return make_field(u, 0.75, text, ln.start, ln.start + len(u))
    return make_field("", 0.8)
