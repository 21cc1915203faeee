"""Small text helpers for the extractors: lines with their offsets, Swedish dates, name shapes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4, "apr": 4, "maj": 5,
    "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augusti": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8, "october": 10,
}  # fmt: skip
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_RES = (
    # 2025-03-02, 2025.03.02, 2025/03/02
    re.compile(r"(?<![\d-])(?P<y>20\d{2})[-./](?P<m>[01]?\d)[-./](?P<d>[0-3]?\d)(?![\d])"),
    # the same read by OCR with spaces: 2025 -03-02, 2025-03- 02
    re.compile(r"(?<![\d-])(?P<y>20\d{2}) ?[-./] ?(?P<m>[01]?\d) ?[-./] ?(?P<d>[0-3]?\d)(?![\d])"),
    # 2 mars 2025, 2:a mars 2025, den 2 mars 2025; 14th March 2026, 14th of March 2026, 14 March, 2026
    re.compile(
        rf"(?<!\d)(?P<d>[0-3]?\d)(?::[ae]|st|nd|rd|th)?\.?\s+(?:of\s+)?(?P<mon>{_MONTH_ALT})\.?,?\s+(?P<y>20\d{{2}})(?!\d)",
        re.I,
    ),
    # 14 mars -26, 3 april -26 (handwritten: the year in two digits after a dash)
    re.compile(rf"(?<!\d)(?P<d>[0-3]?\d)\.?\s+(?P<mon>{_MONTH_ALT})\.?\s+-\s?(?P<yy>\d{{2}})(?![\d/-])", re.I),
    # 2/3 2025, 2/3-2025, 02.03.2025
    re.compile(r"(?<![\d/.-])(?P<d>[0-3]?\d)[/.](?P<m>[01]?\d)(?:[ -]|[/.])(?P<y>20\d{2})(?!\d)"),
    # 02-03-2025, 2-3-2025
    re.compile(r"(?<![\d/.-])(?P<d>[0-3]?\d)-(?P<m>[01]?\d)-(?P<y>20\d{2})(?!\d)"),
    # 7/1-25, 14/11-25, 3/4 -25 (day/month-two-digit year); 14.3.26, 14/03/26 (a year of the 2020s or 2030s)
    re.compile(r"(?<![\d/.-])(?P<d>[0-3]?\d)/(?P<m>[01]?\d) ?-(?P<yy>\d{2})(?![\d/-])"),
    re.compile(r"(?<![\d/.,§-])(?P<d>[0-3]?\d)([./])(?P<m>[01]?\d)\2(?P<yy>[23]\d)(?![\d/-]|\.\d)"),
    # March 14, 2025; April 3rd 2025 (English, the month first)
    re.compile(
        rf"(?<!\w)(?P<mon>{_MONTH_ALT})(?:\.\s*|\s+)(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y>20\d{{2}})(?!\d)", re.I
    ),
)


# "Solvik i september 2025", "Näsby, mars 2025": a dateline without a day
DATELINE_RE = re.compile(
    rf"(?i)^([A-ZÅÄÖ][\wåäö-]+,?\s+)?(i\s+|den\s+)?(början av\s+|slutet av\s+)?({_MONTH_ALT})\.?\s+20\d{{2}}$"
)


@dataclass(frozen=True)
class Line:
    text: str  # stripped
    start: int  # offset of the stripped text in the document
    no: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def lines_of(text: str) -> list[Line]:
    out: list[Line] = []
    pos = 0
    for no, raw in enumerate(text.split("\n")):
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        out.append(Line(stripped, pos + lead, no))
        pos += len(raw) + 1
    return out


def blocks_of(lines: list[Line]) -> list[list[Line]]:
    """Paragraphs: runs of non-empty lines."""
    blocks: list[list[Line]] = []
    cur: list[Line] = []
    for ln in lines:
        if ln.text and not UNDERLINE_RE.fullmatch(ln.text):  # "-----" under a heading parts like a blank line
            cur.append(ln)
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    return blocks


UNDERLINE_RE = re.compile(r"[-=_~*]{3,}")


def find_dates(text: str) -> list[tuple[date, int, int]]:
    """Every date in the text: (date, start, end), in order of appearance."""
    found: list[tuple[date, int, int]] = []
    taken: list[tuple[int, int]] = []
    for rx in DATE_RES:
        for m in rx.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            try:
                month = MONTHS[m["mon"].lower()] if "mon" in rx.groupindex else int(m["m"])
                year = int(m["y"]) if "y" in rx.groupindex else 2000 + int(m["yy"])
                d = date(year, month, int(m["d"]))
            except (ValueError, KeyError):
                continue
            taken.append((m.start(), m.end()))
            found.append((d, m.start(), m.end()))
    found.sort(key=lambda t: t[1])
    return found


PROSE_RE = re.compile(r"\S+(\s+\S+){5,}.*[.!?]$")


def body_end(lines: list[Line]) -> int:
    """The line number of the body's last sentence (-1 when the letter has none): the signature, a footer
    and its names come after it; the letterhead and the recipient block before."""
    for ln in reversed(lines):
        if NOT_BODY_RE.match(ln.text):
            continue  # "Bilagor: kontoutdrag, årsbesked, ...": the attachments under the signature
        if len(ln.text) >= 40 and PROSE_RE.match(ln.text):
            return ln.no
        # a full line of a wrapped paragraph (OCR: its sentence ends on a short line under it)
        if len(ln.text) >= 60 and len(ln.text.split()) >= 9 and not WRAPPED_NOT_PROSE.search(ln.text):
            return ln.no
    return -1


NOT_BODY_RE = re.compile(r"(?i)^(bilag\w*|kopia|cc|ps|p\.s\.?|[\wåäö ]{2,30}:\s)")
# a footer or a table row, not a line of a paragraph: separators, addresses, numbers in columns
WRAPPED_NOT_PROSE = re.compile(r"(?i)[|·•]|www\.|@|org\.?\s?nr|\b\d{3}\s?\d{2}\s+[A-ZÅÄÖ]|\s{3,}|\d[\d ]*,\d\d\b")


def first_column(t: str) -> str:
    """ "VÄSTERBY TINGSRÄTT      2025-04-22": a line's first column, not the date or reference beside it."""
    cols = [c for c in re.split(r"\s{3,}", t) if c.strip()]
    return cols[0] if len(cols) > 1 and not find_dates(cols[0]) else t


NAME_TOKEN = re.compile(r"^[A-ZÅÄÖÉÜ][a-zåäöéüèøæ]+(?:-[A-ZÅÄÖa-zåäö][a-zåäöéüè]+)?$")
NOT_NAME_WORDS = {
    "med", "vänlig", "vänliga", "hälsning", "hälsningar", "solvik", "kommun", "telefon", "tel", "mobil", "e-post",
    "hej", "till", "från", "datum", "bilaga", "bilagor", "ärende", "angående", "rektor", "handläggare", "och",
    "enhetschef", "ordförande", "sekreterare", "kassör", "vd", "avdelning", "kontakt", "tack", "mvh", "vänligen",
    "hälsar", "undertecknad", "registrator", "ekeby", "sökande", "fastighet", "ansökan", "anmälan", "förvaltare",
    "god", "man", "barn", "mamma", "pappa", "kommunen", "att", "vi", "jag", "er", "ni", "min", "mitt", "sida",
    "org", "nr", "box", "gatan", "vägen", "skola", "skolan", "nämnden", "regionen", "region", "länsstyrelsen",
}  # fmt: skip


def looks_like_person(s: str) -> bool:
    """Two to four capitalised words ("Anna Berg", "Sven-Erik Dahl", "Jenny och Fredrik Kjellberg")."""
    s = s.strip().rstrip(",")
    if not s or len(s) > 48 or any(ch.isdigit() for ch in s):
        return False
    words = s.split()
    names = [w for w in words if w != "och"]
    if not 2 <= len(names) <= 4 or len(words) - len(names) > 1:
        return False
    return all(NAME_TOKEN.match(w) and w.lower() not in NOT_NAME_WORDS for w in names)


def split_joint_name(s: str) -> list[str]:
    """ "Jenny och Fredrik Kjellberg" -> the name as written (the label keeps it whole); two names on one
    line separated by wide spaces -> both."""
    parts = [p.strip() for p in re.split(r"\s{3,}", s.strip()) if p.strip()]
    if len(parts) == 1:  # "Camilla Rask Johan Rask": OCR closed the gap; a shared surname splits them
        w = parts[0].split()
        if len(w) == 4 and w[1] == w[3] and w[0] != w[2] and looks_like_person(parts[0]):
            return [f"{w[0]} {w[1]}", f"{w[2]} {w[3]}"]
    return parts


def normalise(s: str | None) -> str:
    return re.sub(r"\s+", " ", (s or "").strip()).casefold()


def sentence_case(s: str) -> str:
    """ANSÖKAN OM BYGGLOV -> Ansökan om bygglov (only for text written in capitals)."""
    letters = [c for c in s if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        low = s.lower()
        return low[:1].upper() + low[1:]
    return s
