"""Shared by the OCR benchmarks: render a corpus of scans, load its pages, measure character error rate.

Scans are rendered with ../shared/tools/render_scans.py (no born-digital PDFs: the benchmarks are
about OCR) into a folder that is reused when it already holds a manifest for the same arguments.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.scans import page_images as page_images  # noqa: E402 - shared with the tests

SHARED = ROOT.parent / "shared"
RENDER = SHARED / "tools" / "render_scans.py"
LETTERS = SHARED / "corpus" / "letters"


def render_corpus(out: Path, sets: list[str], limit: int, seed: int, hard: float) -> list[dict[str, str]]:
    """Render up to `limit` letters per set as scans; returns manifest rows with `path` and `truth` added."""
    rows: list[dict[str, str]] = []
    for letter_set in sets:
        letters = LETTERS / letter_set
        ids = sorted(p.stem for p in letters.glob("*.txt"))[:limit]
        dest = out / f"{letter_set}-s{seed}-h{hard}-n{limit}"
        manifest = dest / "manifest.csv"
        if not manifest.exists():
            cmd = [sys.executable, str(RENDER), str(letters), str(dest), "--seed", str(seed)]
            cmd += ["--only", ",".join(ids), "--digital-share", "0", "--hard", str(hard)]
            subprocess.run(cmd, check=True, capture_output=True)
        for r in csv.DictReader(manifest.open(encoding="utf-8")):
            truth = (letters / f"{r['id']}.txt").read_text(encoding="utf-8")
            rows.append({**r, "path": str(dest / r["file"]), "truth": truth})
    return rows


def kinds_of(row: dict[str, str]) -> list[str]:
    """The table rows a scan counts in: its format, and upside-down / skewed / noisy when it is."""
    kind = {"scan-tiff": "1-bit TIFF 300", "scan-png": "PNG 300"}.get(row["kind"], f"JPEG PDF {row['dpi']}")
    out = [kind]
    rot = float(row["rotation_deg"] or 0)
    if abs(rot) > 90:
        out.append("upside-down")
    if abs(((rot + 90) % 180) - 90) >= 1.5:
        out.append("skewed >=1.5deg")
    if float(row["noise"] or 0) >= 0.0006 or row.get("hard") == "1":
        out.append("noisy/hard")
    return out


# The registry's arrival stamp ("INKOM", a date, "Dnr ....") is on the page but not in the letter's text.
_STAMP_LINE = re.compile(r"^\W*(INKOM|Dnr\b.*|\d{4}\s*-\s*\d{2}\s*-\s*\d{2})\W*$", re.IGNORECASE)


def normalise(text: str, drop_stamp: bool = False) -> str:
    lines = text.splitlines()
    if drop_stamp:
        lines = [ln for ln in lines if not _STAMP_LINE.match(ln.strip())]
    return re.sub(r"\s+", " ", "\n".join(lines)).strip()


def levenshtein(a: str, b: str) -> int:
    """Edit distance by Myers' bit-parallel algorithm (Hyyrö's formulation): fast for pages of text."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    m = len(a)
    peq: dict[str, int] = {}
    for i, c in enumerate(a):
        peq[c] = peq.get(c, 0) | (1 << i)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for c in b:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
    return score


def cer(truth: str, hypothesis: str) -> float:
    t = normalise(truth)
    h = normalise(hypothesis, drop_stamp=True)
    return levenshtein(t, h) / max(len(t), 1)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def table(headers: list[str], rows: list[list[object]]) -> str:
    cells = [[str(h) for h in headers]] + [[f"{c:.2f}" if isinstance(c, float) else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)
