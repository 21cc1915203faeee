"""References: the municipality's own case (our_dnr) and the sender's reference (their_ref)."""

from __future__ import annotations

import re

from services.registration.field import Field, make_field
from services.registration.text import Line

THEIR_REF_RE = re.compile(
    r"(?im)^.*?\b(vår beteckning|vårt dnr|vårt diarienummer|vår ref(?:erens)?|vårt ärendenummer|ärendenummer|"
    r"mål\s?nr|målnummer|fakturanummer|fakturanr|kreditfakturanummer|kreditfaktura nr|referensnummer|"
    r"vårt ärende|diarienummer|dnr|ärende\s?nr|beteckning|ref\.?\s?nr|referens\s?nr|beslutsnummer|beslutsnr|"
    r"ärendenr|ordernummer|avtalsnummer|kundreferens)\b[\s.:]*"
    r"(?P<ref>[A-ZÅÄÖ]{0,5}[\s-]?[\w./-]*\d[\w./-]*)"
)
DNR_CONTEXT = re.compile(r"(?i)(ert dnr|er beteckning|ert diarienummer|dnr|diarienummer|ärende|er referens|ert ärende)")


def our_dnr(text: str, case_refs: list[str], own_prefixes: frozenset[str]) -> Field:
    """The municipality's own case: a case reference with one of its department prefixes, or a bare
    YYYY-NNNNNN number (the diarium's own form)."""
    for ref in case_refs:
        prefix = ref.split(" ", 1)[0].upper() if " " in ref else ""
        bare = re.fullmatch(r"20\d{2}-\d{6}", ref) is not None
        if not bare and prefix.replace("Ö", "O") not in own_prefixes and prefix not in own_prefixes:
            continue
        year, num = re.findall(r"\d+", ref)[:2]
        m = re.search(rf"{year}\s?[-/]\s?0*{int(num)}\b", text) or re.search(rf"{year}-{num}", text)
        start = m.start() if m else None
        if m is not None:
            pm = re.search(r"[A-ZÅÄÖ]{2,4}[\s-]?$", text[max(0, m.start() - 6) : m.start()])
            if pm:
                start = m.start() - (len(text[max(0, m.start() - 6) : m.start()]) - pm.start())
        context = text[max(0, (start or 0) - 30) : start or 0]
        conf = 0.97 if DNR_CONTEXT.search(context) or prefix else 0.85
        return make_field(ref, conf, text, start, m.end() if m else None)
    return make_field("", 0.8)


def their_ref(text: str, lines: list[Line], our: str) -> Field:
    our_digits = re.sub(r"\D", "", our)
    for ln in lines[:60]:
        if not ln.text or re.search(r"(?i)\b(er|ert|era)\b\s+(ref|dnr|beteckning|diarienummer)", ln.text):
            continue
        for m in THEIR_REF_RE.finditer(ln.text):
            ref = m["ref"].strip(" .,;")
            if not ref or not re.search(r"\d", ref) or re.fullmatch(r"20\d{2}-\d{2}-\d{2}", ref):
                continue
            if our_digits and re.sub(r"\D", "", ref) == our_digits:
                continue
            s = ln.start + m.start("ref")
            return make_field(ref, 0.85, text, s, s + len(ref))
    return make_field("", 0.8)
