"""Secrecy (sekretess) proposals: whether a document should be marked, under which provision and why,
and a public form of its subject without personal data. Also the envelopes that must stay closed.

Provisions (OSL 2009:400) a municipal registry meets most (REGISTRY-RULES.md): 26 kap. 1 § social
services, 25 kap. 1 § health care, 23 kap. 2 § pupil welfare, 19 kap. 3 § tenders, 21 kap. 1 § health
and sexual life at any authority. The registrar confirms or changes the proposal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.core.pii import mask_personnummer


@dataclass(frozen=True)
class Ground:
    regulation: str
    label: str
    pattern: re.Pattern[str]


GROUNDS = (
    Ground(
        "OSL 26 kap. 1 §",
        "socialtjänst",
        re.compile(
            r"(?i)orosanmälan|ekonomiskt bistånd|försörjningsstöd|missbruk|\bLVU\b|\bLVM\b|våld i nära|vårdnad|umgänge|"
            r"socialtjänst|14 kap\. 1 § socialtjänstlagen|hemtjänst|särskilt boende|\bLSS\b|personlig assistans|"
            r"lex sarah|trygghetslarm|god man|förvaltarskap|förvaltare|årsräkning|spärrat konto|skyddat boende"
        ),
    ),
    Ground(
        "OSL 25 kap. 1 §",
        "hälso- och sjukvård",
        re.compile(r"(?i)journal|vårdcentral|diagnos|patient|sjukvård|behandling på|remiss till specialist"),
    ),
    Ground(
        "OSL 23 kap. 2 §",
        "elevhälsa",
        re.compile(r"(?i)elevhälsa|skolkurator|skolsköterska|skolpsykolog|kränkande behandling|särskilt stöd"),
    ),
    Ground("OSL 19 kap. 3 §", "anbud i upphandling", re.compile(r"(?i)\banbud\b.*(bifogas|lämnas|härmed)|^anbud\b")),
    Ground(
        "OSL 21 kap. 1 §",
        "uppgift om hälsa",
        re.compile(r"(?i)läkarintyg|sjukskriv|sjukdom|sjukpenning|rehabilitering"),
    ),
)
DO_NOT_OPEN_RE = re.compile(
    r"(?i)(öppnas ej|får ej öppnas|öppnas endast av|\bpersonligt\b|personlig post|\bprivat\b|anbud\s*[-–:]\s*öppnas|"
    r"anbudskuvert|ej öppnas före)"
)


@dataclass(frozen=True)
class Secrecy:
    secret: bool
    regulation: str
    why: str
    public_subject: str
    confidence: float


def propose_secrecy(text: str, subject: str, sensitive_hint: bool = False) -> Secrecy:
    """The first provision whose words occur in the letter; a sensitive routing decision alone proposes
    26 kap. 1 § (the sensitive departments are the social ones)."""
    head = text[:4000]
    for ground in GROUNDS:
        m = ground.pattern.search(head)
        if m:
            why = f"Innehåller uppgifter om {ground.label} (”{m.group(0)}”)"
            return Secrecy(True, ground.regulation, why, public_subject(subject, ground.label), 0.8)
    if sensitive_hint:
        why = "Klassad som känslig av fördelningen (avdelning med sekretess)"
        return Secrecy(True, "OSL 26 kap. 1 §", why, public_subject(subject, "socialtjänst"), 0.6)
    return Secrecy(False, "", "", "", 0.85)


_NAME_RE = re.compile(r"\b[A-ZÅÄÖ][a-zåäöé]+(?:[ -][A-ZÅÄÖ][a-zåäöé]+)+\b")
_ADDRESS_RE = re.compile(r"\b[\wåäöÅÄÖ-]+(gatan|vägen|gränd|stigen|torget)\s+\d+\w?\b", re.I)


def public_subject(subject: str, label: str) -> str:
    """The subject without personal data: personnummer, names and street addresses removed; what is
    left is the kind of matter ("Orosanmälan – barn som kan behöva skydd eller stöd")."""
    s = mask_personnummer(subject)
    s = re.sub(r"\b\d{6,8}-XXXX\b", "", s)
    s = _ADDRESS_RE.sub("", s)
    s = _NAME_RE.sub("", s)
    s = re.sub(r"\s*,\s*(,\s*)*", ", ", s)
    s = re.sub(r"\s{2,}", " ", s).strip(" ,–-:")
    s = re.sub(r"\b(min|mitt|mina|för|om)\s*$", "", s).strip(" ,–-:")
    return s or f"Handling som rör {label}"


def do_not_open(text: str, filename: str = "") -> bool:
    """An envelope to keep closed: personally addressed, or a tender before the opening."""
    head = "\n".join(text.strip().splitlines()[:8])
    return bool(DO_NOT_OPEN_RE.search(head) or DO_NOT_OPEN_RE.search(filename))
