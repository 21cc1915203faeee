"""Who in the municipality the letter is addressed to."""

from __future__ import annotations

import re

from services.registration.field import Field, make_field
from services.registration.layout import is_key_value_block, is_recipient_block
from services.registration.patterns import KEY_VALUE_RE, OWN_MUNICIPALITY, POSTCODE_RE, STREET_RE
from services.registration.text import Line

# --- recipient unit ---------------------------------------------------------------------------------------
# "Att: X" (attention) needs its colon ("Att kommunen ..." starts a sentence); "Till X" a capital.
ATT_RE = re.compile(r"^(?:(?i:att|attn|attention|mottagare)\s*:|(?i:till)\s*:|(?i:till)(?=\s+[A-ZÅÄÖ]))\s*(?P<u>.+)$")


def recipient_unit(text: str, lines: list[Line], blocks: list[list[Line]]) -> Field:
    for ln in lines[:40]:
        m = ATT_RE.match(ln.text)
        if m:
            u = re.sub(r"(?i)^[\wåäö-]+s? kommun,\s*", "", m["u"])  # "Solvik kommun, reskontra"
            u = re.sub(r"(?i),?\s*(i\s+)?[\wåäö-]+s? kommun\b.*$", "", u).strip(" ,!.")
            if u and "@" not in u and not OWN_MUNICIPALITY.fullmatch(m["u"].strip()) and u.lower() != "kommunen":
                s = ln.start + m.start("u") + max(m["u"].find(u), 0)
                return make_field(u, 0.8, text, s, s + len(u))
    for i, block in enumerate(blocks[:6]):
        if not is_recipient_block(block, letterhead=i == 0) or not _addressed(block):
            continue
        units = _unit_lines(block)
        if units:
            value = "; ".join(u.text for u in units)
            return make_field(value, 0.75, text, units[0].start, units[-1].end)
    return make_field("", 0.8)


# a party's heading in a court's or an authority's decision ("SÖKANDE" over "Överförmyndarnämnden i ...")
PARTY_RE = re.compile(r"(?i)^(sökande|kärande|svarande|parter?|klagande|motpart|den enskilde|huvudman)$")


def _addressed(block: list[Line]) -> bool:
    """A recipient block names the municipality on a line of its own, or starts "Till"/"Att:"; not a form's
    fields ("Arbetsgivare: Solvik kommun") or a heading over a table."""
    if is_key_value_block(block) or KEY_VALUE_RE.match(block[0].text) or PARTY_RE.match(block[0].text):
        return False
    return bool(re.match(r"(?i)^(till\b|att:|attn\b)", block[0].text)) or any(
        _municipality_line(ln.text) for ln in block
    )


def _municipality_line(t: str) -> bool:
    """ "Solvik kommun", "Solvik kommun, leverantörsreskontra", "Socialnämnden i Solvik kommun"."""
    return bool(
        OWN_MUNICIPALITY.fullmatch(t)
        or re.match(r"(?i)^[\wåäö-]+s? kommun,\s*\S", t)
        or re.fullmatch(r"(?i)[^,\d]{3,60}\s+i\s+[\wåäö-]+s? kommun", t)
    )


def _plain_unit(t: str) -> bool:
    return bool(t) and not (
        POSTCODE_RE.search(t) or STREET_RE.search(t) or "@" in t or re.search(r"\d", t) or KEY_VALUE_RE.match(t)
    )


def _unit_lines(block: list[Line]) -> list[Line]:
    """The lines naming the unit, above the municipality's name ("Kommunstyrelsens ordförande X",
    "Kommundirektör Y") or after it on its line ("Solvik kommun, leverantörsreskontra")."""
    units: list[Line] = []
    for ln in block:
        t = ln.text
        if _municipality_line(t):
            m = re.match(r"(?i)^[\wåäö-]+s? kommun,\s*(?P<u>[^,\d]+)$", t) or re.match(
                r"(?i)^(?P<u>[^,\d]{3,60}?)\s+i\s+[\wåäö-]+s? kommun$", t
            )
            if m and not units and not POSTCODE_RE.search(t):
                units.append(Line(m["u"].strip(), ln.start + m.start("u"), ln.no))
            nxt = next((x for x in block if x.no == ln.no + 1), None)
            if not units and nxt is not None and _plain_unit(nxt.text):
                units.append(nxt)  # "Solvik kommun" over "Arbetsgivare"
            break
        if POSTCODE_RE.search(t) or STREET_RE.search(t) or "@" in t or re.fullmatch(r"(?i)till:?", t):
            continue
        tm = re.match(r"(?i)^till\s+(?P<u>\S.*)$", t)  # "Till inköpsansvarig" over "Solvik kommun"
        u = re.sub(r"(?i)(\s+i|,)\s*[\wåäö-]+s? kommun$", "", tm["u"] if tm else t).strip(" ,!.")
        if (
            not u
            or u.lower() == "kommunen"
            or len(u) > 80
            or KEY_VALUE_RE.match(t)
            or t.endswith(":")
            or OWN_MUNICIPALITY.fullmatch(u)
        ):
            continue
        units.append(Line(u, ln.start + (tm.start("u") if tm else 0), ln.no))
    if not any(_municipality_line(ln.text) for ln in block):
        return units[:1]
    return units[:3]
