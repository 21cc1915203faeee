"""Does this page start a new letter? A scorer built from what a registrar looks at.

Evidence for a first page: a page number "Sida 1 (3)" / "1/2", a date line, a recipient or sender
address block (a postcode), a salutation or subject line, a title in capitals, the registry's arrival
stamp, a barcode; the previous page ending with a greeting and signature; a different font size or
margins than the previous page; the previous page numbered as the last ("Sida 2 (2)"). Evidence for a
continuation: "Sida 2", "2/3", "2 (2)", the previous page numbered "1 (2)" (not the last), a page that
opens with how a letter ends (a greeting, a signer's role alone on a line, "Bilagor:"), no letterhead,
date, address or salutation at the top, a first line that starts in lower case, the previous page full
and ending mid-sentence, the same font and margins.

Each piece of evidence adds a weight (log-odds); the sum gives a probability through the logistic
function. The weights were set by looking at stacks built from corpus part a only (bench/separation.py
--scans ../shared/corpus/scans/a, seeds 16 and 17) and at part a's multi-page letters rendered with
render_scans.py seeds 1-12 (page text as rendered, image signals measured), and are scored on stacks
built from part b. A short file (an upload) starts from SHORT_FILE_PRIOR instead of PRIOR.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

PRIOR = 1.0  # most pages in a registry's pile start a letter (most letters are one page)
# A short file (an upload, one letter scanned on its own) is nearly always one letter.
SHORT_FILE_PRIOR = -1.0
W = {
    "page_one": 4.0,
    "page_later": -6.0,
    "date_top": 0.8,
    "postcode_top": 1.0,
    "salutation": 1.0,
    "title_caps": 0.8,
    "stamp": 2.0,
    "barcode": 1.0,
    "no_header": -1.0,  # none of the above: no sign of a letter's opening
    "prev_closing": 1.5,
    "prev_full": -4.0,  # the previous page is written down to its bottom margin
    "prev_ends_early": 1.2,  # the previous page ends well above its bottom margin: that letter ended
    "prev_contact": 0.8,  # the previous page ends with a phone number or an address (a signature block)
    "prev_runs_on": -1.5,
    "starts_lower": -2.5,
    "same_layout": -1.0,
    "other_layout": 1.2,
    # Continuation: the page opens with the end of a letter (a greeting, a signer's role, "Bilagor:").
    "top_is_tail": -6.0,
    # Page numbers across two pages: "Sida 2 (3)" before says the letter goes on; "Sida 3 (3)" that it ended.
    "prev_not_last": -4.0,
    "prev_last": 2.0,
}
HEADER = ("page_one", "date_top", "postcode_top", "salutation", "title_caps", "stamp", "barcode")
# Positive evidence that a letter opens on this page (what a short file needs before it is split).
OPENING = (*HEADER, "prev_last")
FULL_PAGE_BOTTOM_MM = 40  # text ending closer than this to the sheet's bottom edge fills the page
EARLY_END_BOTTOM_MM = 70
OTHER_LAYOUT_MIN_LINES = 6

_MONTHS = "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
DATE = re.compile(rf"\b(19|20)\d\d-[01]\d-[0-3]\d\b|\b\d{{1,2}} ({_MONTHS}) (19|20)\d\d\b", re.I)
POSTCODE = re.compile(r"\b\d{3} ?\d{2} +[A-ZÅÄÖ][A-ZÅÄÖa-zåäö]+")
PAGE_NO = re.compile(
    r"\b(?:sida|sid\.?|page)\s*(\d{1,2})\s*(?:\(\s*(\d{1,2})\s*\)|av\s*(\d{1,2})|/\s*(\d{1,2}))?", re.I
)
PAGE_WORD = re.compile(r"^\s*sida\s+(en|ett|två|tre|fyra|fem|sex|sju|åtta|nio|tio)\b", re.I)
NUMBER_WORDS = dict(en=1, ett=1, två=2, tre=3, fyra=4, fem=5, sex=6, sju=7, åtta=8, nio=9, tio=10)
BARE_PAGE_NO = re.compile(r"^\s*(\d{1,2})\s*(?:\(\s*(\d{1,2})\s*\)|/\s*(\d{1,2}))\s*$")
SALUTATION = re.compile(
    r"^(hej|hejsan|kära|god dag|till|bästa|nyhetsbrev|ärende|angående|ämne|re:|sv:|dnr|diarienummer|"
    r"er referens|vår referens|"
    r"ansökan|anmälan|kallelse|begäran|överklagande|yttrande|remiss|faktura|beslut|underrättelse|"
    r"kommunstyrelsen|till .*kommun|solvik kommun)\b",
    re.I,
)
CLOSING = re.compile(
    r"^(med vänlig|med vänliga|vänlig hälsning|vänliga hälsningar|hälsningar|bästa hälsningar|mvh|underskrift|"
    r"tack på förhand|namnförtydligande)",
    re.I,
)
TAIL_START = re.compile(r"^(bilagor|bilaga|bil\.|kopia till|kopia:|sändlista|underskrift|namnförtydligande)\b", re.I)
ROLE = re.compile(r"\b(ordförande|handläggare|enhetschef|förvaltningschef|sekreterare|kassör|rektor|vd)\b", re.I)
STAMP = re.compile(r"\bINKOM\b")
PHONE = re.compile(r"\b0\d{1,3}[- ]\d{2,3}[ -]?\d{2}[ -]?\d{2}\b|\+46")


@dataclass
class PageView:
    """One content page as the scorer sees it (text upright, signals from separation_signals)."""

    index: int
    text: str
    signals: dict[str, Any] = field(default_factory=dict)

    @property
    def lines(self) -> list[str]:
        return [ln.strip() for ln in self.text.splitlines() if ln.strip()]


def page_number(page: PageView) -> tuple[int, int | None] | None:
    """(n, of) from "Sida 2 (3)", "Sida 2 av 3", "2/3", "2 (3)" in the first or last lines."""
    lines = page.lines
    for line in lines[:4] + lines[-4:]:
        m = PAGE_NO.search(line)
        if m:
            total = next((g for g in m.groups()[1:] if g), None)
            if int(m.group(1)) > 0:
                return int(m.group(1)), int(total) if total else None
        m = PAGE_WORD.match(line)
        if m:
            return NUMBER_WORDS[m.group(1).lower()], None
        m = BARE_PAGE_NO.match(line)
        if m:
            total = next((g for g in m.groups()[1:] if g), None)
            return int(m.group(1)), int(total) if total else None
    return None


def evidence(page: PageView, prev: PageView | None) -> dict[str, float]:
    """The pieces of evidence found for `page` starting a letter, each with its weight."""
    found: dict[str, float] = {}
    lines = page.lines
    top = lines[:12]
    number = page_number(page)
    if number is not None:
        found["page_one" if number[0] == 1 else "page_later"] = 1
    if any(DATE.search(ln) for ln in top):
        found["date_top"] = 1
    if any(POSTCODE.search(ln) for ln in top):
        found["postcode_top"] = 1
    if any(SALUTATION.match(ln) for ln in top):
        found["salutation"] = 1
    if any(_is_caps_title(ln) for ln in top[:6]):
        found["title_caps"] = 1
    if STAMP.search("\n".join(top)):
        found["stamp"] = 1
    codes = [c for c in page.signals.get("barcodes", []) if c]
    if codes:
        found["barcode"] = 1
    if not any(k in found for k in HEADER):
        found["no_header"] = 1
    if lines and lines[0][:1].islower() and not SALUTATION.match(lines[0]):
        found["starts_lower"] = 1
    if _top_is_tail(lines[:2]):
        found["top_is_tail"] = 1
    if prev is not None:
        before = page_number(prev)
        if before is not None and before[1] is not None and before[0] < before[1]:
            found["prev_not_last"] = 1
        elif before is not None and before[1] is not None and before[0] == before[1]:
            found["prev_last"] = 1
        tail = prev.lines[-3:]
        if any(CLOSING.match(ln) or (len(ln.split()) <= 4 and ROLE.search(ln)) for ln in tail):
            found["prev_closing"] = 1
        bottom = prev.signals.get("bottom_mm")
        if bottom is not None and bottom < FULL_PAGE_BOTTOM_MM:
            found["prev_full"] = 1
        elif bottom is not None and bottom > EARLY_END_BOTTOM_MM:
            found["prev_ends_early"] = 1
        if any(PHONE.search(ln) or POSTCODE.search(ln) for ln in tail):
            found["prev_contact"] = 1
        if tail and _runs_on(tail[-1]) and "prev_ends_early" not in found:
            # (mid-sentence counts where the page break cut the text, not on a page that ended early)
            found["prev_runs_on"] = 1
        same = _same_layout(page.signals, prev.signals)
        if same is True:
            found["same_layout"] = 1
        elif same is False:
            found["other_layout"] = 1
    return found


def probability_first(page: PageView, prev: PageView | None, *, prior: float = PRIOR) -> tuple[float, dict[str, float]]:
    """P(page starts a letter) and the evidence behind it (`prior`: the log-odds before any evidence)."""
    found = evidence(page, prev)
    score = prior + sum(W[k] * v for k, v in found.items())
    return 1.0 / (1.0 + math.exp(-score)), found


def _top_is_tail(top: list[str]) -> bool:
    """The page opens with how a letter ends: a greeting, a signer's role alone on a line, "Bilagor:"."""
    for line in top:
        if CLOSING.match(line) or TAIL_START.match(line):
            return True
        words = line.split()
        if 0 < len(words) <= 2 and ROLE.search(line) and not DATE.search(line):
            return True
    return False


def _is_caps_title(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.8 and "INKOM" not in line


def _runs_on(line: str) -> bool:
    """The line stops mid-sentence: no closing punctuation, ending on a small word or a comma."""
    return bool(line) and (line[-1] == "," or (line[-1].isalpha() and line[-1].islower())) and len(line) > 30


def _same_layout(a: dict[str, Any], b: dict[str, Any]) -> bool | None:
    """True: same line spacing and left margin; False: clearly different; None: cannot tell.
    (Line spacing is steadier than the height of a line, which short lines and digits change.)"""
    pa, pb = a.get("pitch_mm"), b.get("pitch_mm")
    if not pa or not pb or (a.get("lines") or 0) < 3 or (b.get("lines") or 0) < 3:
        return None
    pitch_ratio = max(pa, pb) / min(pa, pb)
    left = abs(a.get("left_mm", 0) - b.get("left_mm", 0))
    if pitch_ratio < 1.05 and left < 2.5:
        return True
    # A few lines (a signature block, "Bilagor") have their own spacing: too few to call the layout different.
    few = min(a.get("lines") or 0, b.get("lines") or 0) < OTHER_LAYOUT_MIN_LINES
    if (pitch_ratio > 1.12 or left > 4) and not few:
        return False
    return None
