"""Sender organisation candidates (what each sender rule finds, and "no organisation": a private person)
and the features of the chosen sender that tell its kind (person, company, association, authority)."""

from __future__ import annotations

import re

from services.registration.learned.candidates import Candidate, Context, bucket, same
from services.registration.patterns import ASSOCIATION_RE, AUTHORITY_RE, COMPANY_RE, ORGNR_RE, OWN_MUNICIPALITY
from services.registration.sender_details import COMPANY_HINT_RE, orgnr_form
from services.registration.sender_org import (
    declared_org,
    org_from_domain,
    org_from_head,
    org_from_signature,
    org_with_signer,
)
from services.registration.text import looks_like_person

KINDS = ("person", "company", "association", "authority")
# titles in a signature: an association's officers, an official's or an employee's role
ASSOCIATION_TITLE_RE = re.compile(r"(?i)\b(ordförande|sekreterare|kassör|styrelse(n|ledamot)?|medlem|ledare)\b")
AUTHORITY_TITLE_RE = re.compile(
    r"(?i)\b(handläggare|enhetschef|rektor|förvaltningschef|inspektör|utredare|domare|notarie|"
    r"myndighet|registrator|chef|samordnare|tjänsteman|rådman|beslut)\b"
)
COMPANY_TITLE_RE = re.compile(
    r"(?i)\b(vd|verkställande|account|säljare|sales|kundansvarig|projektledare|konsult|advokat|"
    r"ägare|delägare|kundtjänst|offert|rabatt|erbjudande|pris)\b"
)


def _org_rules(ctx: Context) -> list[tuple[str, object]]:
    name = ctx.fields["sender_name"]
    name_line = ctx.text.count("\n", 0, name.start) if name.value and name.start is not None else None
    return [
        ("declared", declared_org(ctx.text)),
        ("head", org_from_head(ctx.blocks, ctx.text)),
        ("with_signer", org_with_signer(ctx.text, ctx.lines, name.value, name_line)),
        ("signature", org_from_signature(ctx.lines, ctx.text)),
        ("domain", org_from_domain(ctx.text, ctx.lines)),
    ]


def _org_words(prefix: str, v: str) -> dict[str, float]:
    letters = [c for c in v if c.isalpha()]
    return {
        f"{prefix}company": float(bool(COMPANY_RE.search(v))),
        f"{prefix}authority": float(bool(AUTHORITY_RE.search(v))),
        f"{prefix}association": float(bool(ASSOCIATION_RE.search(v))),
        f"{prefix}own_municipality": float(bool(OWN_MUNICIPALITY.search(v))),
        f"{prefix}person_shape": float(looks_like_person(v)),
        f"{prefix}caps": float(bool(letters) and all(c.isupper() for c in letters)),
        f"{prefix}contact": float(bool(re.search(r"[@<>]|www\.|\.se\b|\d", v))),
        f"{prefix}key": float(bool(re.match(r"^[\wåäöÅÄÖ ]{2,20}:", v))),
        f"{prefix}stamp": float(bool(re.search(r"(?i)\b(inkom|ankom)\b", v))),
    }


def org_candidates(ctx: Context) -> list[Candidate]:
    found = [(src, f) for src, f in _org_rules(ctx) if f is not None and f.value]  # type: ignore[union-attr]
    rule = ctx.fields["sender_org"]
    has_name = float(bool(ctx.fields["sender_name"].value))
    jag = len(re.findall(r"(?i)\bjag\b|\bmig\b|\bmin\b|\bmitt\b", ctx.text))
    vi = len(re.findall(r"(?i)\bvi\b|\boss\b|\bvår\b|\bvårt\b", ctx.text))
    out: dict[str, Candidate] = {}
    for rank, (src, f) in enumerate(found):
        key = f.value.casefold()  # type: ignore[union-attr]
        if key in out:
            out[key].feats[f"also_{src}"] = 1.0
            out[key].feats["agree"] = out[key].feats.get("agree", 0.0) + 1.0
            continue
        v = f.value  # type: ignore[union-attr]
        no = ctx.text.count("\n", 0, f.start or 0)  # type: ignore[union-attr]
        feats = {
            f"src_{src}": 1.0,
            f"first_found_{src}": float(rank == 0),
            "rule": float(same(v, rule.value)),
            "has_name": has_name,
            "top5": float(no < 5),
            "bottom15": float(no >= len(ctx.lines) - 15),
            "orgnr_in_text": float(bool(ORGNR_RE.search(ctx.text))),
            **_org_words("", v),
            **bucket("words", len(v.split()), (1, 2, 4, 6)),
        }
        out[key] = Candidate(v, f.start, f.end, feats)  # type: ignore[union-attr]
    none = {
        "none": 1.0,
        "none_has_name": has_name,
        "none_rule_empty": float(not rule.value),
        "none_found": min(len(found), 3) / 3,
        "none_jag": float(jag > vi),
        "none_orgnr": float(bool(ORGNR_RE.search(ctx.text))),
    }
    return [*out.values(), Candidate("", None, None, none)]


def kind_features(ctx: Context, org: str, sender_id: str) -> dict[str, float]:
    """What tells a sender's kind: the organisation's name, the legal form in its organisationsnummer,
    titles and words of the signature, how the letter speaks (jag/vi)."""
    text = ctx.text
    # the signature: the lines after the closing greeting (else the last lines), not the recipient's title
    sign = ctx.lines[ctx.greeting_no + 1 :] if ctx.greeting_no >= 0 else ctx.lines[-8:]
    tail = "\n".join(ln.text for ln in sign[:15])
    form = orgnr_form(sender_id)
    digits = re.sub(r"\D", "", sender_id)
    jag = len(re.findall(r"(?i)\bjag\b|\bmig\b|\bmin\b|\bmitt\b", text))
    vi = len(re.findall(r"(?i)\bvi\b|\boss\b|\bvår\b|\bvårt\b", text))
    f: dict[str, float] = {
        "no_org": float(not org),
        "has_name": float(bool(ctx.fields["sender_name"].value)),
        f"orgnr_{form or 'none'}": 1.0,
        "personnummer": float(len(digits) in (10, 12) and not form),
        "company_hint": float(bool(COMPANY_HINT_RE.search(text))),
        "association_title": float(bool(ASSOCIATION_TITLE_RE.search(tail))),
        "authority_title": float(bool(AUTHORITY_TITLE_RE.search(tail))),
        "company_title": float(bool(COMPANY_TITLE_RE.search(tail))),
        "offer_words": float(bool(COMPANY_TITLE_RE.search(text))),
        "jag_more": float(jag > vi),
        "vi_more": float(vi > jag),
        "dnr_in_head": float(bool(re.search(r"(?i)\bdnr\b|diarienummer|vår beteckning", text[:800]))),
        "tail_company": float(bool(COMPANY_RE.search(tail))),
        "tail_authority": float(bool(AUTHORITY_RE.search(tail) and not OWN_MUNICIPALITY.search(tail))),
        "tail_association": float(bool(ASSOCIATION_RE.search(tail))),
    }
    if org:
        f.update(_org_words("org_", org))
    return f
