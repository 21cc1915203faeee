"""The sender's name (signature, form fields) and organisation (letterhead, signature, forms)."""

from __future__ import annotations

import re

from services.registration.field import Field, make_field
from services.registration.patterns import (
    GREETING_RE,
    ORG_WORDS,
    POSTCODE_RE,
    SIGN_PREFIX_RE,
    STREET_RE,
    is_org_name,
)
from services.registration.sender_org import (
    declared_org,
    org_from_domain,
    org_from_head,
    org_from_signature,
    org_with_signer,
)
from services.registration.text import Line, body_end, first_column, looks_like_person, split_joint_name


def _signature_names(lines: list[Line]) -> list[Line]:
    """Person names in the signature: after a greeting, or the last name-like lines of the letter after
    its body (not the letterhead's or the recipient block's lines of a short letter)."""
    n = len(lines)
    start = max(0, n - 25, body_end(lines) + 1)
    for i in range(n - 1, start - 1, -1):
        if GREETING_RE.match(lines[i].text):
            start = i  # "Mvh Karolina Granqvist": the name may share the greeting's line
            break
    names: list[Line] = []
    for ln in lines[start:]:
        for part in split_joint_name(ln.text):
            cleaned = SIGN_PREFIX_RE.sub("", part)
            pieces = [p.strip() for p in re.split(r"[,(]|\s\d", cleaned)]  # "Elias Berg 15 år och kompisar"
            # "Olle Sandberg, Karin Sandberg": two signers on a line; else the name before a comma
            both = len(pieces) == 2 and all(looks_like_person(p) and not is_org_name(p) for p in pieces)
            for cleaned in pieces if both else pieces[:1]:
                if looks_like_person(cleaned) and not ORG_WORDS.search(cleaned) and not is_org_name(cleaned):
                    offset = ln.text.find(cleaned)
                    names.append(Line(cleaned, ln.start + max(offset, 0), ln.no))
    return names


def _head_name(text: str, lines: list[Line]) -> Field | None:
    """The sender block at the top: a person's name over an address ("Per Gunnarsson / Ringvägen 14")."""
    filled = [ln for ln in lines[:12] if ln.text]
    if len(filled) < 2:
        return None
    first = filled[0]
    if not looks_like_person(first.text) or is_org_name(first.text):
        return None
    if not any(POSTCODE_RE.search(ln.text) or STREET_RE.search(ln.text) for ln in filled[1:4]):
        return None
    return make_field(first.text, 0.75, text, first.start, first.end)


FORM_NAME_RE = re.compile(
    r"(?im)^(namn|sökande|avsändare|från|anmälare|undertecknad|(?:återlämnad|inlämnad|ifylld|ingiven) av)\s*:\s*"
    r"(?P<n>[^\n,]+)"
)


def sender(text: str, lines: list[Line], blocks: list[list[Line]]) -> tuple[Field, Field, int | None]:
    names = _signature_names(lines)
    name: Field | None = None
    name_line: int | None = None
    if names:
        value = (
            "; ".join(n.text for n in names[:2]) if len(names) > 1 and names[1].no - names[0].no >= 2 else names[0].text
        )
        if len(names) > 1 and names[1].no == names[0].no:
            value = f"{names[0].text}; {names[1].text}"
        name = make_field(value, 0.85, text, names[0].start, names[0].start + len(names[0].text))
        name_line = names[0].no
    if name is None and (head := _head_name(text, lines)) is not None:
        name, name_line = head, text.count("\n", 0, head.start or 0)
    if name is None:
        m = FORM_NAME_RE.search(text)
        if m and looks_like_person(m["n"].split("(")[0].strip()):
            v = m["n"].split("(")[0].strip()
            name = make_field(v, 0.75, text, m.start("n"), m.start("n") + len(v))
            name_line = text.count("\n", 0, m.start())
    signer = name.value if name else ""
    org = (
        declared_org(text)
        or org_from_head(blocks, text)
        or org_with_signer(text, lines, signer, name_line, first_column(blocks[0][0].text) if blocks else "")
        or org_from_signature(lines, text)
        or org_from_domain(text, lines)
    )
    return name or make_field("", 0.4), org or make_field("", 0.75 if name else 0.4), name_line
