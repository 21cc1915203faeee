"""Rules that read a letter's structure and propose the registration fields, each with a confidence and
the spot in the text it came from. No downloaded model: letter structure (letterhead, recipient block,
subject line, body, signature), gazetteers (company suffixes, authority words, the municipality's own
units) and validators (organisationsnummer and personnummer checksums with python-stdnum).
"""

from __future__ import annotations

from services.registration import ocr_clean
from services.registration.dates import letter_date
from services.registration.field import Field
from services.registration.layout import head_end_of, split_blocks, without_stamp
from services.registration.learned.candidates import Context
from services.registration.learned.model import Ranker, default_ranker
from services.registration.recipient import recipient_unit
from services.registration.refs import our_dnr, their_ref
from services.registration.sender import sender
from services.registration.sender_details import sender_address, sender_id, sender_kind
from services.registration.subject import subject
from services.registration.text import blocks_of, lines_of

FIELDS = (
    "sender_name",
    "sender_org",
    "sender_kind",
    "sender_address",
    "sender_id",
    "letter_date",
    "subject",
    "their_ref",
    "our_dnr",
    "recipient_unit",
)


# the ranker shipped with the package (services/registration/data/ranker.json), loaded on first use
DEFAULT = "default"


def propose_fields(
    text: str, case_refs: list[str], own_prefixes: frozenset[str], *, ranker: Ranker | str | None = DEFAULT
) -> dict[str, Field]:
    """Every field, read from the cleaned text (ligatures, odd spaces), pointing into the original text.
    `ranker`: the learned layer over the rules (the shipped one by default; None: the rules alone)."""
    cleaned, where = ocr_clean.clean(text)
    ctx = rule_context(cleaned, case_refs, own_prefixes)
    model = default_ranker() if ranker == DEFAULT else ranker
    fields = ctx.fields if model is None or isinstance(model, str) else model.apply(ctx)
    for f in fields.values():
        f.start, f.end = ocr_clean.original_span(where, f.start, f.end)
    return fields


def rule_context(text: str, case_refs: list[str], own_prefixes: frozenset[str]) -> Context:
    """The letter's lines and paragraphs and the fields the rules propose (offsets into `text`)."""
    lines = lines_of(text)
    blocks = blocks_of(lines)
    if len(blocks) <= 2 and len(lines) > 6:
        # A text layer without blank lines (born-digital PDFs read by pdfplumber): no paragraphs to
        # go by, so every line is its own block for the head, the recipient and the subject.
        blocks = [[ln] for ln in lines if ln.text]
    blocks = without_stamp(split_blocks(blocks))
    head_end = head_end_of(blocks)
    name, org, name_line = sender(text, lines, blocks)
    our = our_dnr(text, case_refs, own_prefixes, org.value, blocks)
    sid = sender_id(text, name_line, lines)
    fields = {
        "sender_name": name,
        "sender_org": org,
        "sender_kind": sender_kind(org.value, text, sid.value),
        "sender_address": sender_address(text, lines, name_line, len(blocks[0]) if blocks else 0),
        "sender_id": sid,
        "letter_date": letter_date(text, lines),
        "subject": subject(text, blocks, head_end, org),
        "their_ref": their_ref(text, lines, our.value),
        "our_dnr": our,
        "recipient_unit": recipient_unit(text, lines, blocks),
    }
    return Context.of(text, lines, blocks, head_end, fields)
