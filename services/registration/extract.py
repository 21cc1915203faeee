"""Rules that read a letter's structure and propose the registration fields, each with a confidence and
the spot in the text it came from. No downloaded model: letter structure (letterhead, recipient block,
subject line, body, signature), gazetteers (company suffixes, authority words, the municipality's own
units) and validators (organisationsnummer and personnummer checksums with python-stdnum).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from stdnum.se import orgnr, personnummer

from services.registration.text import (
    Line,
    blocks_of,
    find_dates,
    lines_of,
    looks_like_person,
    sentence_case,
    split_joint_name,
)

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


@dataclass
class Field:
    value: str = ""
    confidence: float = 0.5
    source: str = ""  # the text the value was read from
    start: int | None = None
    end: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def swedish_dashes(s: str) -> str:
    """OCR reads the en dash of a Swedish title as a hyphen: "Remiss - Förslag", "årskurs 7-9"."""
    s = re.sub(r"(?<=\S) - (?=\S)", " – ", s)
    return re.sub(r"(?<![\d/-])(\d{1,4})-(\d{1,4})(?![\d/-])", lambda m: f"{m[1]}–{m[2]}", s)


def _f(value: str, confidence: float, text: str = "", start: int | None = None, end: int | None = None) -> Field:
    src = text[start:end] if start is not None and end is not None else ""
    return Field(value.strip(), round(confidence, 2), src[:200], start, end)


# --- gazetteers -------------------------------------------------------------------------------------------
COMPANY_RE = re.compile(
    r"\b(AB|HB|KB|Aktiebolag|Handelsbolag|Ltd|GmbH|Oy|AS|A/S|Inc|Advokatbyrå|Advokatfirma|Inkasso)\b|\(publ\)"
)
AUTHORITY_RE = re.compile(
    r"(?i)\b(kommun|region(en)?\b|regionen|länsstyrelsen|tingsrätt|hovrätt|förvaltningsrätt|myndighet|verket|"
    r"försäkringskassan|polis|arbetsförmedlingen|lantmäteriet|skatteverket|kronofogden|inspektionen|"
    r"skola|skolan|förskola|gymnasium|äldreboende|vårdcentral|sjukhus|gmina|municipality|landsting|"
    r"\w+(?:skola|skolan|gymnasiet|boende|boendet|förskolan)\b|"
    r"migrationsverket|transportstyrelsen|trafikverket|domstol|åklagar|statens|rikspolis|IVO)"
)
ASSOCIATION_RE = re.compile(
    r"(?i)(förening|föreningen|klubb|byalag|förbund|\bIF\b|\bIK\b|\bBK\b|\bFF\b|\bSK\b|idrottssällskap|"
    r"scoutkår|hembygds|\bvision\b|kommunal\b|fack|pensionärs|\bPRO\b|\bSPF\b|basket|innebandy|fotboll|"
    r"blues|kör\b|sällskap|riksförbund|samfällighet|bostadsrättsförening|\bbrf\b|allians|nätverk)"
)
# The addressee: "<name> kommun" (the letters' own municipality; not tied to one name).
OWN_MUNICIPALITY = re.compile(r"(?i)\b[\wåäö-]+s? kommun\b")
POSTCODE_RE = re.compile(r"\b\d{3}\s?\d{2}\s+[A-ZÅÄÖ][A-Za-zÅÄÖåäö]+")
STREET_RE = re.compile(
    r"(?i)\b([A-ZÅÄÖ][\wåäö-]*(gatan|vägen|gränd|torget|plan|stigen|backe|allé|väg|gata)\s+\d+\w?|box\s+\d+)"
)
GREETING_RE = re.compile(r"(?i)^(med\s+)?(vänlig(a)?|bästa|varma)\s+hälsning(ar)?|^mvh\b|^hälsningar|^vänligen")
ORGNR_RE = re.compile(r"(?i)org(?:anisations)?\.?\s*-?\s*nr\.?:?\s*(\d{6}-?\d{4})")
PNR_LABEL_RE = re.compile(r"(?i)personnummer:?\s*((?:19|20)?\d{6}[-+ ]?\d{4})")

# --- references ---------------------------------------------------------------------------------------
THEIR_REF_RE = re.compile(
    r"(?im)^.*?\b(vår beteckning|vårt dnr|vårt diarienummer|vår ref(?:erens)?|vårt ärendenummer|ärendenummer|"
    r"mål\s?nr|målnummer|fakturanummer|fakturanr|kreditfakturanummer|kreditfaktura nr|referensnummer|"
    r"vårt ärende|diarienummer|dnr|ärende\s?nr|beteckning|ref\.?\s?nr)\b[\s.:]*"
    r"(?P<ref>[A-ZÅÄÖ]{0,5}[\s-]?[\w./-]*\d[\w./-]*)"
)
DNR_CONTEXT = re.compile(r"(?i)(ert dnr|er beteckning|ert diarienummer|dnr|diarienummer|ärende|er referens|ert ärende)")

SUBJECT_LABEL_RE = re.compile(
    r"(?i)^(ärende|angående|ang\.|rubrik|ämne|re|betr\.|beträffande|avser)\s*[:.]?\s+(?P<s>.+)$"
)
SKIP_SUBJECT = re.compile(
    r"(?i)^(till|att|attn|datum|hej|bästa|dear|till berörd|sida|bilag|från|avsändare|mottagare|tel|telefon|e-post|"
    r"org|\d|www\.|ert dnr|vår beteckning|vår ref|er ref|dnr|mål nr|fastighet|hejsan|god dag|kära|inkom|ankom)"
)
SALUTATION_RE = re.compile(r"(?i)^(hej|hejsan|bästa|till berörd|god dag|kära|dear|till dig|hello)\b")


def _value_after_label(line: Line, label_re: re.Pattern[str]) -> tuple[str, int, int] | None:
    m = label_re.search(line.text)
    if not m:
        return None
    g = "ref" if "ref" in label_re.groupindex else "s"
    return m[g].strip(), line.start + m.start(g), line.start + m.end(g)


# --- letter date -------------------------------------------------------------------------------------------
LETTER_DATE_LABEL = re.compile(r"(?i)^(datum|date|fakturadatum|daterad|skrivet|utfärdat|dag)\b")
NOT_LETTER_DATE = re.compile(
    r"(?i)(förfallo|född|sista dag|senast|daterad|inkom|beslut|förelägg|period|mellan|fr\.?o\.?m|t\.?o\.?m|"
    r"giltig|vecka|möte|sammanträde|tillträde|leverans|start|slut|inflytt|avflytt|kontrollerat|besök|den \d)"
)


def letter_date(text: str, lines: list[Line]) -> Field:
    dates = find_dates(text)
    if not dates:
        return _f("", 0.8)
    by_line: dict[int, list[tuple[date, int, int]]] = {}
    for d in dates:
        no = text.count("\n", 0, d[1])
        previous = next((ln.text for ln in reversed(lines[:no]) if ln.text), "")
        if STAMP_RE.match(previous) or STAMP_RE.match(lines[no].text):
            continue  # the registry's own arrival stamp on the scan, not the letter's date
        by_line.setdefault(no, []).append(d)
    # 1. a labelled date ("Datum: 2025-03-02", "Fakturadatum 2025-03-11")
    for no, ds in by_line.items():
        ln = lines[no]
        before = text[ln.start : ds[0][1]]
        if LETTER_DATE_LABEL.search(before.strip()) or re.search(r"(?i)\b(datum|date)\b[\s:]*$", before):  # noqa: SIM102
            if not re.search(r"(?i)förfallo|född", before):
                d, s, e = ds[0]
                return _f(d.isoformat(), 0.95, text, s, e)
    # 2. a line that is only a date, or "Place 2025-03-02" / "Place den 2 mars 2025", in the first or last lines
    n = len(lines)
    for no, ds in sorted(by_line.items(), key=lambda kv: (kv[0] > 25 and kv[0] < n - 15, kv[0])):
        ln = lines[no]
        d, s, e = ds[0]
        rest = (ln.text[: s - ln.start] + " " + ln.text[e - ln.start :]).strip(" ,.")
        if NOT_LETTER_DATE.search(rest):
            continue
        if not rest or re.fullmatch(r"(?i)([A-ZÅÄÖ][\wåäö-]+(\s[A-ZÅÄÖ][\wåäö-]+)?)?,?\s*(den)?", rest):
            near_edge = no < 25 or no >= n - 15
            return _f(d.isoformat(), 0.9 if near_edge else 0.7, text, s, e)
    # 3. the first date in the head of the letter that is not something else's date
    for no, ds in sorted(by_line.items()):
        if no > 15:
            break
        ln = lines[no]
        for d, s, e in ds:
            if not NOT_LETTER_DATE.search(text[max(ln.start, s - 30) : s]):
                return _f(d.isoformat(), 0.55, text, s, e)
    return _f("", 0.5)


# --- references -----------------------------------------------------------------------------------------
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
        return _f(ref, conf, text, start, m.end() if m else None)
    return _f("", 0.8)


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
            return _f(ref, 0.85, text, s, s + len(ref))
    return _f("", 0.8)


# --- subject --------------------------------------------------------------------------------------------
TITLE_RE = re.compile(
    r"(?i)^(ansökan|anmälan|begäran|medborgarförslag|läkarintyg|årsräkning|förteckning|överklagande|överklagan|"
    r"kreditfaktura|faktura|klagomål|synpunkt(er)?|orosanmälan|rapport|redovisning|komplettering|intyg|"
    r"förfrågan|uppsägning|intresseanmälan|betalningspåminnelse|inkassokrav|påminnelse|samråd)\b"
)
STAMP_RE = re.compile(r"(?i)^(inkom|ankom|inkommen|ankomststämpel)\b")
GENERIC_HEADINGS = {"kallelse", "remiss", "beslut", "meddelande", "information", "protokoll", "inbjudan", "brev"}
KEY_VALUE_RE = re.compile(r"^[\wåäöÅÄÖ ./()-]{2,40}:\s")


def _is_key_value_block(block: list[Line]) -> bool:
    return sum(1 for ln in block if KEY_VALUE_RE.match(ln.text)) >= 2


def _meta_line(ln: Line) -> bool:
    return bool(KEY_VALUE_RE.match(ln.text) or re.match(r"(?i)^(diarienummer|dnr|fastighet|ert dnr|mål nr)\b", ln.text))


def _subject_line(text: str, blocks: list[list[Line]], head_end: int) -> Field | None:
    """The first short line after the letterhead and the recipient block that reads like a subject."""
    for block in blocks[:14]:
        if len(block) > 1 and find_dates(block[0].text) and len(block[0].text) < 40:
            block = block[1:]  # "Uppsala 2025-05-05" read into the same paragraph as the subject
        first = block[0]
        if first.no < head_end or (len(block) > 2 and not all(_meta_line(ln) for ln in block[1:])):
            continue
        t = first.text
        if SKIP_SUBJECT.match(t) or SALUTATION_RE.match(t) or GREETING_RE.match(t) or (find_dates(t) and len(t) < 40):
            continue
        if looks_like_person(t) or POSTCODE_RE.search(t) or STREET_RE.match(t) or len(t) > 140:
            continue
        if KEY_VALUE_RE.match(t):
            continue
        if t.endswith((",", ".", ":")) or (t.endswith(("!", "?")) and len(t) > 80) or len(t.split()) < 2:
            continue
        end = first.end
        if len(block) > 1 and block[1].text[:1].islower() and not _meta_line(block[1]):
            t, end = f"{t} {block[1].text}", block[1].end  # a subject wrapped onto a second line
        return _f(swedish_dashes(sentence_case(t)), 0.75, text, first.start, end)
    return None


def subject(text: str, lines: list[Line], head_end: int) -> Field:
    blocks = blocks_of(lines)
    for block in blocks[:12]:
        form = _is_key_value_block(block)  # "Ärende: Sjukpenning" among "Datum:", "Försäkrad:": a form field
        for ln in block:
            m = SUBJECT_LABEL_RE.match(ln.text)
            if (
                form
                and m
                and (
                    not re.match(r"(?i)^(ämne|angående|re|ärende)\b", m.group(1))
                    or (m.group(1).lower() == "ärende" and len(m["s"].split()) < 2)
                )
            ):
                continue  # "Avser faktura: 20388", "Ärende: Sjukpenning" among other form fields
            if m and len(m["s"]) > 3 and not re.match(r"(?i)^(nr|\d)", m["s"]):
                s = ln.start + m.start("s")
                value = m["s"].strip()
                return _f(value[:1].upper() + value[1:], 0.92, text, s, ln.end)
    # a title on the first line ("Ansökan om plats i förskola", "LÄKARINTYG FÖR SJUKLÖN")
    if blocks:
        first = blocks[0][0]
        rest_ok = len(blocks[0]) == 1 or blocks[0][1].text.startswith("(")
        if rest_ok and TITLE_RE.match(first.text) and len(first.text) < 120 and not first.text.endswith("."):
            value = re.split(r"\s{3,}", first.text)[0]
            return _f(swedish_dashes(sentence_case(value)), 0.88, text, first.start, first.start + len(value))
    # a heading in capitals; a generic one ("KALLELSE", "REMISS") only when no subject line follows
    for block in blocks[:10]:
        first = block[0]
        t = first.text
        letters = [c for c in t if c.isalpha()]
        caps = len(letters) >= 5 and all(c.isupper() for c in letters)
        if not caps or STAMP_RE.match(t) or POSTCODE_RE.search(t) or COMPANY_RE.search(t) or AUTHORITY_RE.search(t):
            continue
        value = re.split(r"\s{3,}", t)[0]
        if value.lower() in GENERIC_HEADINGS and len(block) == 2 and not _meta_line(block[1]):
            nxt = block[1]  # "BESLUT" over "Stöd för anställning – lönebidrag"
            return _f(swedish_dashes(sentence_case(nxt.text)), 0.85, text, nxt.start, nxt.end)
        second_ok = len(block) == 1 or block[1].text.startswith("(") or _meta_line(block[1])
        if len(block) > 2 or (not second_ok and first.no < head_end):
            continue
        if value.lower() in GENERIC_HEADINGS:
            later = _subject_line(text, blocks, max(head_end, first.no + 1))
            if later is not None:
                return later
        return _f(swedish_dashes(sentence_case(value)), 0.85, text, first.start, first.start + len(value))
    return _subject_line(text, blocks, head_end) or _f("", 0.3)


# --- sender -----------------------------------------------------------------------------------------------
def _is_recipient_block(block: list[Line], letterhead: bool = False) -> bool:
    """The block addressed to the municipality. The first block of a letter is its letterhead (which may
    itself be a municipality's) unless it starts "Till"/"Att"."""
    if re.search(r"(?i)^(till|att:|attn)", block[0].text):
        return True
    return not letterhead and bool(OWN_MUNICIPALITY.search(" ".join(ln.text for ln in block)))


def _head_end(blocks: list[list[Line]]) -> int:
    """Line number after the recipient block (or after the letterhead when there is none)."""
    for i, block in enumerate(blocks[:6]):
        if _is_recipient_block(block, letterhead=i == 0):
            return block[-1].no + 1
    return blocks[0][-1].no + 1 if blocks else 0


def _signature_names(lines: list[Line]) -> list[Line]:
    """Person names in the signature: after a greeting, or the last name-like lines of the letter."""
    n = len(lines)
    start = max(0, n - 25)
    for i in range(n - 1, start - 1, -1):
        if GREETING_RE.match(lines[i].text):
            start = i  # "Mvh Karolina Granqvist": the name may share the greeting's line
            break
    names: list[Line] = []
    for ln in lines[start:]:
        for part in split_joint_name(ln.text):
            cleaned = SIGN_PREFIX_RE.sub("", part)
            cleaned = re.split(r"[,(]", cleaned)[0].strip()
            if looks_like_person(cleaned) and not ORG_WORDS.search(cleaned):
                offset = ln.text.find(cleaned)
                names.append(Line(cleaned, ln.start + max(offset, 0), ln.no))
    return names


SIGN_PREFIX_RE = re.compile(r"(?i)^(/|–|-|mvh|hälsningar|underskrift:?|undertecknad:?|vänliga hälsningar|hälsning)\s*")
ORG_WORDS = re.compile(
    r"(?i)förening|klubb|\bAB\b|kommun|nordea|swedbank|handelsbanken|konto|banken|skola|förskola|boende|nämnd"
)


def _title_case_org(s: str) -> str:
    words = s.split()
    small = {"i", "och", "för", "av", "på", "till", "län", "tingsrätt", "kommun", "region", "&"}
    if any(c.islower() for c in s):
        return s
    out = []
    for i, w in enumerate(words):
        lw = w.lower()
        if w in ("AB", "HB", "KB", "VVS", "IF", "IK", "BK", "SK"):
            out.append(w)
        elif i > 0 and lw in small:
            out.append(lw)
        else:
            out.append(lw[:1].upper() + lw[1:])
    return " ".join(out)


def _org_from_head(blocks: list[list[Line]], text: str) -> Field | None:
    if not blocks:
        return None
    first = blocks[0]
    t = first[0].text
    org_like = bool(COMPANY_RE.search(t) or AUTHORITY_RE.search(t) or ASSOCIATION_RE.search(t))
    org_no = bool(re.search(r"(?i)org\.?\s?nr|organisationsnummer", " ".join(ln.text for ln in first[1:4])))
    if _is_recipient_block(first, letterhead=True) or find_dates(t) or SALUTATION_RE.match(t):
        return None
    if looks_like_person(t) and not org_like and not org_no:
        return None
    if SUBJECT_LABEL_RE.match(t) or len(t) > 70 or POSTCODE_RE.search(t) or STREET_RE.search(t):
        return None
    letters = [c for c in t if c.isalpha()]
    caps = bool(letters) and all(c.isupper() for c in letters)
    end = first[0].end
    value = t
    # "LÄNSSTYRELSEN / I NORRSUNDS LÄN": a capitals letterhead over two lines
    if caps and len(first) > 1 and re.match(r"^(I|FÖR|AV)\s", first[1].text):
        value = f"{t} {first[1].text}"
        end = first[1].end
    org_word = bool(COMPANY_RE.search(value) or AUTHORITY_RE.search(value) or ASSOCIATION_RE.search(value))
    rest = " ".join(ln.text for ln in first[1:4])
    letterhead = bool(
        POSTCODE_RE.search(rest) or STREET_RE.search(rest) or re.search(r"(?i)tel|org\.?\s?nr|@|www", rest)
    )
    if not org_word and not letterhead:
        return None  # a heading ("LÄKARINTYG FÖR SJUKLÖN") or a line of text, not a letterhead
    if len(first) == 1 and not (caps or COMPANY_RE.search(t) or AUTHORITY_RE.search(t) or ASSOCIATION_RE.search(t)):
        return None
    if re.match(r"(?i)^(ansökan|anmälan|begäran|klagomål|faktura|remiss|orosanmälan)\b", t) and caps:
        return None  # a form's title, not a letterhead
    conf = 0.9 if (COMPANY_RE.search(value) or AUTHORITY_RE.search(value) or ASSOCIATION_RE.search(value)) else 0.7
    return _f(_title_case_org(value), conf, text, first[0].start, end)


FORM_ORG_RE = re.compile(r"(?im)^(verksamhet|företag|förening|organisation|myndighet|skola|enhet)\s*:\s*(?P<o>[^,\n]+)")


def _org_from_signature(lines: list[Line], text: str) -> Field | None:
    m = FORM_ORG_RE.search(text[:3000])
    if m and len(m["o"].strip()) < 60:
        return _f(m["o"].strip(), 0.75, text, m.start("o"), m.start("o") + len(m["o"].strip()))
    for ln in lines[:30]:  # a form's "Företagets namn: X AB", "Sökande (entreprenör): X AB"
        km = re.match(r"^(?P<k>[^:]{3,40}):\s*(?P<o>[^,]{3,60})", ln.text)
        if km and COMPANY_RE.search(km["o"]) and not re.search(r"(?i)installatör|entreprenad|bank|leverantör", km["k"]):
            s = ln.start + km.start("o")
            return _f(km["o"].strip(), 0.8, text, s, s + len(km["o"].strip()))
    for ln in reversed(lines[-14:]):
        m = re.match(r"(?i)^(för|på uppdrag av|styrelsen för|styrelsen i)\s+(?P<o>.+)$", ln.text)
        if m and len(m["o"]) < 60:
            return _f(m["o"].rstrip(","), 0.85, text, ln.start + m.start("o"), ln.end)
    for ln in reversed(lines[-10:]):
        t = ln.text
        if t.startswith(("-", "•", "*")) or KEY_VALUE_RE.match(t) or TITLE_RE.match(t) or re.match(r"(?i)^bilag", t):
            continue
        if 3 < len(t) < 60 and (COMPANY_RE.search(t) or (AUTHORITY_RE.search(t) and not OWN_MUNICIPALITY.search(t))):  # noqa: SIM102
            if not POSTCODE_RE.search(t) and "@" not in t and not re.search(r"\d{3}", t):
                v = re.sub(r"(?i)^(teamet på|hälsningar från|från)\s+", "", t.split(",")[0])
                return _f(v, 0.75, text, ln.start, ln.start + len(t.split(",")[0]))
    return None


def sender_kind(org: str, text: str) -> Field:
    if not org:
        return _f("person", 0.8)
    if COMPANY_RE.search(org):
        return _f("company", 0.92)
    if ASSOCIATION_RE.search(org):
        return _f("association", 0.85)
    if AUTHORITY_RE.search(org):
        return _f("authority", 0.9)
    if re.search(r"(?i)org\.?\s*nr|f-skatt|momsreg", text):
        return _f("company", 0.8)
    return _f("company", 0.6)


def sender_address(text: str, lines: list[Line], name_line: int | None, head_lines: int) -> Field:
    """The street and postcode lines nearest the sender's name, or in the letterhead."""
    blocks = blocks_of(lines)
    skip = {ln.no for i, b in enumerate(blocks[:6]) if _is_recipient_block(b, letterhead=i == 0) for ln in b}
    candidates = list(range(name_line + 1, min(name_line + 6, len(lines)))) if name_line is not None else []
    candidates += list(range(0, min(head_lines, 8)))
    for i in candidates:
        ln = lines[i]
        if not POSTCODE_RE.search(ln.text) or OWN_MUNICIPALITY.search(ln.text) or ln.no in skip:
            continue
        prev = lines[i - 1] if i > 0 else None
        if STREET_RE.search(ln.text) or "," in ln.text:
            value = re.split(r"\s*\|\s*", ln.text)[0]
            return _f(value, 0.85, text, ln.start, ln.start + len(value))
        if prev is not None and prev.text and not looks_like_person(prev.text):
            return _f(f"{prev.text}, {ln.text}", 0.8, text, prev.start, ln.end)
        return _f(ln.text, 0.6, text, ln.start, ln.end)
    return _f("", 0.5)


def sender_id(text: str, name_line: int | None, lines: list[Line]) -> Field:
    m = ORGNR_RE.search(text[:1500])
    if m and orgnr.is_valid(m.group(1)):
        return _f(orgnr.format(m.group(1)), 0.95, text, m.start(1), m.end(1))
    if name_line is not None:  # a personnummer written with the sender's own name (forms: "Sökande")
        window = "\n".join(ln.text for ln in lines[max(0, name_line - 2) : name_line + 3])
        pm = PNR_LABEL_RE.search(window)
        if pm and personnummer.is_valid(pm.group(1)):
            idx = text.find(pm.group(1))
            return _f(personnummer.format(pm.group(1)), 0.85, text, idx, idx + len(pm.group(1)))
    return _f("", 0.8)


FORM_NAME_RE = re.compile(r"(?im)^(namn|sökande|avsändare|från|anmälare|undertecknad)\s*:\s*(?P<n>[^\n,]+)")


def sender(text: str, lines: list[Line], blocks: list[list[Line]]) -> tuple[Field, Field, int | None]:
    names = _signature_names(lines)
    name: Field | None = None
    name_line: int | None = None
    if names:
        value = (
            "; ".join(n.text for n in names[:2]) if len(names) > 1 and names[1].no - names[0].no > 2 else names[0].text
        )
        if len(names) > 1 and names[1].no == names[0].no:
            value = f"{names[0].text}; {names[1].text}"
        name = _f(value, 0.85, text, names[0].start, names[0].start + len(names[0].text))
        name_line = names[0].no
    if name is None:
        m = FORM_NAME_RE.search(text)
        if m and looks_like_person(m["n"].split("(")[0].strip()):
            v = m["n"].split("(")[0].strip()
            name = _f(v, 0.75, text, m.start("n"), m.start("n") + len(v))
            name_line = text.count("\n", 0, m.start())
    org = _org_from_head(blocks, text) or _org_from_signature(lines, text)
    return name or _f("", 0.4), org or _f("", 0.75 if name else 0.4), name_line


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
                return _f(u, 0.8, text, s, s + len(u))
    for i, block in enumerate(blocks[:6]):
        if not _is_recipient_block(block, letterhead=i == 0):
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
                return _f(u, 0.75, text, ln.start, ln.start + len(u))
    return _f("", 0.8)


def propose_fields(text: str, case_refs: list[str], own_prefixes: frozenset[str]) -> dict[str, Field]:
    lines = lines_of(text)
    blocks = blocks_of(lines)
    if len(blocks) <= 2 and len(lines) > 12:
        # A text layer without blank lines (born-digital PDFs read by pdfplumber): no paragraphs to
        # go by, so every line is its own block for the head, the recipient and the subject.
        blocks = [[ln] for ln in lines if ln.text]
    head_end = _head_end(blocks)
    name, org, name_line = sender(text, lines, blocks)
    our = our_dnr(text, case_refs, own_prefixes)
    return {
        "sender_name": name,
        "sender_org": org,
        "sender_kind": sender_kind(org.value, text),
        "sender_address": sender_address(text, lines, name_line, len(blocks[0]) if blocks else 0),
        "sender_id": sender_id(text, name_line, lines),
        "letter_date": letter_date(text, lines),
        "subject": subject(text, lines, head_end),
        "their_ref": their_ref(text, lines, our.value),
        "our_dnr": our,
        "recipient_unit": recipient_unit(text, lines, blocks),
    }
