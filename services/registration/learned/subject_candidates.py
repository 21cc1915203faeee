"""Subject candidates: every line of the letter's first paragraphs (as it is, after a subject label, or
joined with the line under it) and the rules' own pick, with features of the line and where it sits."""

from __future__ import annotations

import re

from services.registration.field import swedish_dashes
from services.registration.layout import address_line, is_recipient_block, meta_line
from services.registration.learned.candidates import Candidate, Context, bucket, same
from services.registration.patterns import (
    ASSOCIATION_RE,
    AUTHORITY_RE,
    COMPANY_RE,
    GENERIC_HEADINGS,
    GREETING_RE,
    KEY_VALUE_RE,
    POSTCODE_RE,
    SALUTATION_RE,
    SKIP_SUBJECT,
    STAMP_RE,
    STREET_RE,
    SUBJECT_LABEL_RE,
    TITLE_RE,
)
from services.registration.subject import MATTER_HEADING_RE, UNIT_OR_CONTACT_RE
from services.registration.text import DATELINE_RE, Line, find_dates, looks_like_person, sentence_case

MAX_BLOCKS = 16
STAMP_TAIL_RE = re.compile(r"(?i)\s+(inkom|ankom|inkommen)\b.*$")


def _clean(value: str) -> str:
    value = STAMP_TAIL_RE.sub("", swedish_dashes(sentence_case(value.strip())))
    return value[:1].upper() + value[1:]


def _line_feats(ctx: Context, ln: Line, bi: int, k: int, block: list[Line]) -> dict[str, float]:
    t = ln.text
    letters = [c for c in t if c.isalpha()]
    caps = len(letters) >= 3 and all(c.isupper() for c in letters)
    words = t.split()
    org = ctx.fields["sender_org"]
    prev = block[k - 1].text if k > 0 else (ctx.blocks[bi - 1][-1].text if bi > 0 else "")
    nxt = block[k + 1].text if k + 1 < len(block) else ""
    nxt_block = ctx.blocks[bi + 1][0].text if bi + 1 < len(ctx.blocks) else ""
    f: dict[str, float] = {
        "first_in_block": float(k == 0),
        "block_alone": float(len(block) == 1),
        "first_block": float(bi == 0),
        "in_head": float(ln.no < ctx.head_end),
        "before_salutation": float(ctx.salutation_no >= 0 and ln.no < ctx.salutation_no),
        "after_salutation": float(ctx.salutation_no >= 0 and ln.no > ctx.salutation_no),
        "next_is_salutation": float(bool(SALUTATION_RE.match(nxt_block)) and k == len(block) - 1),
        "org_line": float(org.value != "" and org.start is not None and ln.start <= org.start < ln.end),
        "under_org_line": float(bi == 0 and k == 1 and org.start == block[0].start),
        "in_recipient_block": float(is_recipient_block(block, letterhead=bi == 0)),
        "after_recipient": float(any(is_recipient_block(b) for b in ctx.blocks[max(0, bi - 2) : bi])),
        "caps": float(caps),
        "starts_lower": float(t[:1].islower()),
        "ends_period": float(t.endswith(".")),
        "ends_comma": float(t.endswith(",")),
        "ends_colon": float(t.endswith(":")),
        "ends_bang": float(t.endswith(("!", "?"))),
        "has_date": float(bool(find_dates(t))),
        "has_digit": float(bool(re.search(r"\d", t))),
        "dnr": float(bool(re.search(r"(?i)\bdnr\b|diarienr|\d{4}/\d", t))),
        "person": float(looks_like_person(t)),
        "address": float(bool(POSTCODE_RE.search(t) or STREET_RE.search(t) or address_line(t))),
        "key_value": float(bool(KEY_VALUE_RE.match(t))),
        "skip_word": float(bool(SKIP_SUBJECT.match(t))),
        "salutation": float(bool(SALUTATION_RE.match(t) or GREETING_RE.match(t))),
        "dateline": float(bool(DATELINE_RE.match(t))),
        "stamp": float(bool(STAMP_RE.match(t))),
        "company": float(bool(COMPANY_RE.search(t))),
        "authority": float(bool(AUTHORITY_RE.search(t))),
        "association": float(bool(ASSOCIATION_RE.search(t))),
        "unit_or_contact": float(bool(UNIT_OR_CONTACT_RE.search(t))),
        "title_word": float(bool(TITLE_RE.match(t))),
        "generic_heading": float(t.lower().strip(" :") in GENERIC_HEADINGS),
        "prev_matter_heading": float(bool(MATTER_HEADING_RE.match(prev))),
        "prev_generic_heading": float(prev.lower().strip(" :") in GENERIC_HEADINGS),
        "next_long": float(len(nxt) >= max(60, 1.3 * len(t))),
        "next_meta": float(k + 1 < len(block) and meta_line(block[k + 1])),
        "few_letters": float(len(letters) < 0.6 * len(t.replace(" ", ""))),
        "in_letterhead": float(bi == 0 and org.start is not None and block[0].start <= org.start <= block[-1].end),
        "body_follows": float(k == len(block) - 1 and len(nxt_block) >= 100),
        "rel_line": min(ln.no, 40) / 40,
        "rel_block": min(bi, MAX_BLOCKS) / MAX_BLOCKS,
    }
    f.update(bucket("words", len(words), (1, 2, 4, 8, 14)))
    f.update(bucket("chars", len(t), (15, 40, 80, 140)))
    return f


def subject_candidates(ctx: Context) -> list[Candidate]:
    rule = ctx.fields["subject"]
    out: dict[str, Candidate] = {}

    def add(value: str, start: int, end: int, feats: dict[str, float]) -> None:
        value = _clean(value)
        if len(value) < 3 or len(value) > 200:
            return
        key = value.casefold()
        if key in out:
            return
        feats = dict(feats)
        feats["rule"] = float(same(value, rule.value))
        if feats["rule"]:
            feats[f"rule_conf_{rule.confidence:.2f}"] = 1.0
        out[key] = Candidate(value, start, end, feats)

    for bi, block in enumerate(ctx.blocks[:MAX_BLOCKS]):
        for k, ln in enumerate(block):
            base = _line_feats(ctx, ln, bi, k, block)
            m = SUBJECT_LABEL_RE.match(ln.text)
            if m:
                lab = re.sub(r"[^a-zåäö]", "", m.group(1).lower())[:3]
                s = ln.start + m.start("s")
                add(m["s"], s, ln.end, base | {"labelled": 1.0, f"label_{lab}": 1.0})
            add(re.split(r"\s{3,}", ln.text)[0], ln.start, ln.end, base | {"whole": 1.0, "label_kept": float(bool(m))})
            if k + 1 < len(block):
                nxt = block[k + 1]
                joined = f"{ln.text} {nxt.text}"
                if m:
                    joined = f"{m['s']} {nxt.text}"
                lower = float(nxt.text[:1].islower())
                joined_feats = {"joined": 1.0, "joined_lower": lower, "labelled": float(bool(m))}
                add(joined, ln.start, nxt.end, base | joined_feats)
    if rule.value and rule.value.casefold() not in out and rule.start is not None:
        line = next((ln for b in ctx.blocks for ln in b if ln.start <= rule.start <= ln.end), None)
        base: dict[str, float] = {"rule_only": 1.0}
        if line is not None:
            bi = next(i for i, b in enumerate(ctx.blocks) if line in b)
            base |= _line_feats(ctx, line, min(bi, MAX_BLOCKS), ctx.blocks[bi].index(line), ctx.blocks[bi])
        out[rule.value.casefold()] = Candidate(
            rule.value, rule.start, rule.end, base | {"rule": 1.0, f"rule_conf_{rule.confidence:.2f}": 1.0}
        )
    return _ranked(list(out.values()))


IMPLAUSIBLE = (
    "person", "address", "key_value", "skip_word", "salutation", "dateline", "stamp", "ends_period", "ends_comma",
    "ends_colon", "few_letters", "org_line", "in_recipient_block", "starts_lower", "label_kept",
)  # fmt: skip


def _ranked(cands: list[Candidate]) -> list[Candidate]:
    """Where a candidate comes among the lines that could be a subject at all: the first such line after
    the head, the first in capitals, the first with a label."""
    plausible = sorted(
        (c for c in cands if not any(c.feats.get(k) for k in IMPLAUSIBLE) and not c.feats.get("joined")),
        key=lambda c: c.start or 0,
    )
    after_head = [c for c in plausible if not c.feats.get("in_head")]
    for name, group in (("plausible", plausible), ("after_head", after_head)):
        for i, c in enumerate(group):
            c.feats[f"{name}_rank_{min(i, 3)}"] = 1.0
    caps = [c for c in plausible if c.feats.get("caps")]
    if caps:
        caps[0].feats["first_caps"] = 1.0
    for c in cands:
        c.feats["plausible"] = float(c in plausible)
    return cands
