"""The sender's organisation: the letterhead, keys that name the sender ("Arrangör:", "Sökande:"), the
signature and footer lines, the organisation written with the signer's name, and the organisation the
sender's own e-mail or web domain names ("info@kvadrantkonsult.se" -> "Kvadrant Konsult AB")."""

from __future__ import annotations

import re

from services.registration.field import Field, make_field
from services.registration.layout import fold, is_own_authority, is_recipient_block
from services.registration.patterns import (
    ASSOCIATION_RE,
    AUTHORITY_RE,
    BUSINESS_WORDS_RE,
    COMPANY_RE,
    KEY_VALUE_RE,
    OWN_MUNICIPALITY,
    POSTCODE_RE,
    SALUTATION_RE,
    STREET_RE,
    SUBJECT_LABEL_RE,
    TITLE_RE,
)
from services.registration.text import Line, body_end, find_dates, first_column, looks_like_person

# Form keys: the ones that name the sender, and the ones that name somebody else (a contractor, a bank).
SENDER_KEY = re.compile(r"(?i)sökande|företag|firma|avsändare|arrangör|utgivare|organisation|verksamhetsutövare")
THIRD_PARTY_KEY = re.compile(
    r"(?i)install|entrepren|bank|leverantör|förvaltare|arbetsgivare|mäklare|hyresvärd|försäkring|ombud|tillverk|"
    r"fabrikat|kontrollansvarig|borr|skola|förskola|vårdgivare|revisor|bilaga|kund|mottagare|"
    r"\bparter?\b|kärande|svarande|motpart|klagande"  # the parties of a court case, not the court
)
DECLARED_SENDER_RE = re.compile(r"(?im)^(arrangör|avsändare|utgivare|utfärdare)\s*:\s*(?P<o>[^,|\n]{3,60})")
FREE_MAIL = frozenset(
    {
        "gmail", "hotmail", "outlook", "live", "yahoo", "icloud", "msn", "aol", "proton", "protonmail", "telia",
        "bredband", "bredband2", "spray", "comhem", "tele2", "bahnhof", "glocalnet", "passagen", "swipnet",
    }
)  # fmt: skip
DOMAIN_RE = re.compile(r"(?i)(?:@|\bwww\.|\b)([a-zåäö0-9][a-zåäö0-9-]{3,40})\.(?:se|com|nu|org|net|eu|info|biz)\b")
PHRASE_RE = re.compile(r"[A-ZÅÄÖÉ][\wåäöÅÄÖé-]*(?:[ \t]+(?:&[ \t]+)?[A-ZÅÄÖÉ][\wåäöÅÄÖé-]*){0,4}")
COMPANY_TAIL_RE = re.compile(r"^((?:[ \t]+[A-ZÅÄÖ][\wåäö-]*){0,2}[ \t]+(?:AB|HB|KB|Aktiebolag)\b)")


EMAIL_HEAD_RE = re.compile(r"(?i)^(från|from|skickat|sent|till|to|ämne|subject|datum|date)\s*:")


def _own_names(text: str) -> set[str]:
    return {fold(re.sub(r"(?i)s? kommun$", "", m[0])) for m in OWN_MUNICIPALITY.finditer(text)}


def org_from_domain(text: str, lines: list[Line]) -> Field | None:
    """The organisation whose name is the sender's e-mail or web domain, written somewhere in the letter
    (the letterhead, a footer, the body), with its company suffix when it has one."""
    edge = [ln.text for ln in lines[:8]] + [ln.text for ln in lines[-14:]]
    labels: list[str] = []
    own = _own_names(text)
    for m in DOMAIN_RE.finditer("\n".join(edge)):
        label = fold(m[1])
        if (
            (
                label not in FREE_MAIL
                and label not in own
                and not any(label.startswith(o) and len(o) > 3 and label[len(o) :] in ("", "s") for o in own)
            )
            and len(label) >= 5
            and label not in labels
        ):
            labels.append(label)
    best: tuple[tuple[bool, bool, int], int, int] | None = None
    for label in labels:
        for m in PHRASE_RE.finditer(text):
            words = list(re.finditer(r"\S+", m[0]))
            for i in range(len(words)):
                for j in range(i + 1, len(words) + 1):
                    span = m[0][words[i].start() : words[j - 1].end()]
                    f = fold(span)
                    if f != label and not (label.startswith(f) and len(f) >= 0.75 * len(label)):
                        continue
                    s = m.start() + words[i].start()
                    e = m.start() + words[j - 1].end()
                    if re.match(r"[\w.@]", text[s - 1 : s] or " ") or re.match(r"\.[a-z]{2,4}\b", text[e : e + 5]):
                        continue  # the domain itself, inside the address ("anna.berg@nordljus.se")
                    tail = COMPANY_TAIL_RE.match(text[e : e + 60])
                    if tail and "\n" not in tail[1]:
                        e += len(tail[1])
                    rank = (bool(tail), f == label, e - s)
                    if best is None or rank > best[0]:
                        best = (rank, s, e)
    if best is None:
        return None
    _, s, e = best
    return make_field(title_case_org(text[s:e]), 0.7, text, s, e)


def declared_org(text: str) -> Field | None:
    """ "Arrangör: Nordisk Konferens & Utbildning AB, Box 3355": the sender says who it is."""
    m = DECLARED_SENDER_RE.search(text)
    if m and (COMPANY_RE.search(m["o"]) or ASSOCIATION_RE.search(m["o"]) or AUTHORITY_RE.search(m["o"])):
        v = m["o"].strip()
        return make_field(v, 0.85, text, m.start("o"), m.start("o") + len(v))
    return None


def org_with_signer(
    text: str, lines: list[Line], name: str, name_line: int | None, letterhead: str = ""
) -> Field | None:
    """The organisation written with the signer's name: "Advokat Joakim Söder, Söder & Partners Advokatbyrå"
    or on the line under it ("Ordförande, Solviks Företagarförening"); also a name without any organisation
    word when the letterhead carries the same name ("Café Blåbär" at the top and under "Sara Lind")."""
    if not name:
        return None
    head = fold(letterhead)
    first = name.split(";")[0].strip()
    near = [lines[i] for i in range(name_line + 1, min(name_line + 3, len(lines)))] if name_line is not None else []
    candidates = [ln for ln in lines if first in ln.text and ln.no != name_line] + near
    for ln in candidates:
        parts = [p.strip() for p in re.split(r"\s*[,|]\s*", ln.text)]
        after = parts[1:] if first in ln.text else parts
        for p in after:
            if not 3 < len(p) < 60 or re.search(r"\d", p) or OWN_MUNICIPALITY.search(p) or "@" in p:
                continue
            repeated = len(head) >= 5 and fold(p) == head and fold(p) != fold(first)
            if COMPANY_RE.search(p) or ASSOCIATION_RE.search(p) or AUTHORITY_RE.search(p) or repeated:
                if is_own_authority(p):
                    continue
                s = ln.start + ln.text.find(p)
                return make_field(p, 0.75, text, s, s + len(p))
    return None


def title_case_org(s: str) -> str:
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


def _without_trailing_date(t: str) -> str:
    """ "VÄSTERBY TINGSRÄTT 2025-04-22", "Försäkringskassan Datum: 2025-06-30": OCR joins the letterhead with
    the date beside it; the name is what comes before (when it is written like an organisation's)."""
    dates = find_dates(t)
    if not dates or dates[-1][2] < len(t.rstrip(" .")) or dates[-1][1] < 4:
        return t
    name = re.sub(r"(?i)[\s,]*(datum|date)?[\s:]*$", "", t[: dates[-1][1]])
    letters = [c for c in name if c.isalpha()]
    caps = len(letters) >= 4 and all(c.isupper() for c in letters)
    named = COMPANY_RE.search(name) or AUTHORITY_RE.search(name) or ASSOCIATION_RE.search(name)
    return name if (caps or named) and not OWN_MUNICIPALITY.search(name) else t


def org_from_head(blocks: list[list[Line]], text: str) -> Field | None:
    if not blocks:
        return None
    first = blocks[0]
    if EMAIL_HEAD_RE.match(first[0].text):
        return None  # an e-mail's head ("Från: ...", "Skickat: ..."), not a letterhead
    if any(is_own_authority(ln.text) for ln in first[:3]):
        return None  # the recipient block at the top (the addressee's name is not the sender's)
    t = _without_trailing_date(first_column(first[0].text))
    org_like = bool(COMPANY_RE.search(t) or AUTHORITY_RE.search(t) or ASSOCIATION_RE.search(t))
    org_no = bool(re.search(r"(?i)org\.?\s?nr|organisationsnummer", " ".join(ln.text for ln in first[1:4])))
    if is_recipient_block(first, letterhead=True) or find_dates(t) or SALUTATION_RE.match(t):
        return None
    if looks_like_person(t) and not org_like and not org_no and not BUSINESS_WORDS_RE.search(t):
        return None
    if SUBJECT_LABEL_RE.match(t) or len(t) > 70 or POSTCODE_RE.search(t) or STREET_RE.search(t):
        return None
    letters = [c for c in t if c.isalpha()]
    caps = bool(letters) and all(c.isupper() for c in letters)
    end = first[0].start + len(t)
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
    if (TITLE_RE.match(t) and not COMPANY_RE.search(t)) or (re.match(r"(?i)^remiss\b", t) and caps):
        return None  # a document's title ("Ansökan om plats i förskola"), not a letterhead
    conf = 0.9 if (COMPANY_RE.search(value) or AUTHORITY_RE.search(value) or ASSOCIATION_RE.search(value)) else 0.7
    return make_field(title_case_org(value), conf, text, first[0].start, end)


FORM_ORG_RE = re.compile(r"(?im)^(verksamhet|företag|förening|organisation|myndighet|skola|enhet)\s*:\s*(?P<o>[^,\n]+)")


def org_from_signature(lines: list[Line], text: str) -> Field | None:
    """A form's organisation field, "För X" under the signature, or the organisation's own line in the
    signature or the footer (after the body: the recipient block of a short letter is not a footer)."""
    m = FORM_ORG_RE.search(text[:3000])
    if m and len(m["o"].strip()) < 60:
        return make_field(m["o"].strip(), 0.75, text, m.start("o"), m.start("o") + len(m["o"].strip()))
    for ln in lines[:30]:  # a form's "Företagets namn: X AB", "Sökande (entreprenör): X AB"
        km = re.match(r"^(?P<k>[^:]{3,40}):\s*(?P<o>[^,]{3,60})", ln.text)
        if km and COMPANY_RE.search(km["o"]) and (SENDER_KEY.search(km["k"]) or not THIRD_PARTY_KEY.search(km["k"])):
            s = ln.start + km.start("o")
            return make_field(km["o"].strip(), 0.8, text, s, s + len(km["o"].strip()))
    body = body_end(lines)
    for ln in reversed(lines[-14:]):
        m = re.match(r"(?i)^(för|på uppdrag av|styrelsen för|styrelsen i)\s+(?P<o>.+)$", ln.text)
        # under the signature (not a subject's second line), an organisation's name (not "för föräldrarna i 3B")
        if m and len(m["o"]) < 60 and ln.no > body and m["o"][:1].isupper():
            return make_field(m["o"].rstrip(","), 0.85, text, ln.start + m.start("o"), ln.end)
    for ln in reversed(lines[-10:]):
        t = ln.text
        if ln.no <= body or is_own_authority(t):
            continue
        if t.startswith(("-", "•", "*")) or KEY_VALUE_RE.match(t) or TITLE_RE.match(t) or re.match(r"(?i)^bilag", t):
            continue
        part = re.split(r"\s*[|,]\s*", t)[0]  # a footer: "X AB | Sveavägen 44, 111 34 Stockholm | x.se"
        part = re.sub(r"(?i)^(teamet på|hälsningar från|från|arrangör:?|utgivare:?)\s+", "", part)
        if not 3 < len(part) < 60 or POSTCODE_RE.search(part) or "@" in part or re.search(r"\d{3}", part):
            continue
        if len(part.split()) > 5 or re.match(r"(?i)^(\d+[.)]\s|(jag|vi|ni|det|den|de|man|om|när|som)\b)", part):
            continue  # a sentence or a list item, not a name
        if not part[:1].isupper() or (part.endswith(".") and not re.search(r"(?i)\b(för|fören|ek|publ)\.$", part)):
            continue  # the end of a sentence wrapped onto its own line ("skola som har tigrinja.")
        # a footer naming the sender with its web site or organisationsnummer is its letterhead at the foot
        footer = ln.no == lines[-1].no and bool(re.search(r"(?i)www\.|org\.?\s?nr", t))
        whole_clean = footer or not (POSTCODE_RE.search(t) or "@" in t or re.search(r"\d{3}", t))
        # a company's footer carries its address; an authority named with an address is where a form was
        # filled in (a care centre under a medical certificate), so only a line of its own counts
        named = AUTHORITY_RE.search(part) or (ln.no > body >= 0 and ASSOCIATION_RE.search(part))
        if COMPANY_RE.search(part) or (whole_clean and named and not OWN_MUNICIPALITY.search(part)):
            s = ln.start + t.find(part)
            return make_field(part, 0.75, text, s, s + len(part))
    return None
