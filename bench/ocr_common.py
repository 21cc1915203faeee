"""Shared by the OCR benchmarks: render a corpus of scans, load its pages, measure character error rate.

Scans are rendered with ../shared/tools/render_scans.py (no born-digital PDFs: the benchmarks are
about OCR) into a folder that is reused when it already holds a manifest for the same arguments.
"""

from __future__ import annotations

import csv
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
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


# --- the floor and OCRmyPDF, shared by bench/ocr_throughput.py and bench/throughput.py -----------
def children_cpu() -> float:
    """CPU seconds of every finished child process and its descendants (load on the machine aside)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def page_pngs(files: list[str], out: Path) -> list[Path]:
    """Every page of every scan as a PNG (untimed), for raw tesseract."""
    out.mkdir(parents=True, exist_ok=True)
    pngs = []
    for f in files:
        for i, image in enumerate(page_images(Path(f))):
            dest = out / f"{Path(f).stem}-{i}.png"
            if not dest.exists():
                image.save(dest)
            pngs.append(dest)
    return pngs


def run_floor(pngs: list[Path], processes: int, lang: str = "swe") -> tuple[float, float]:
    """Raw `tesseract PAGE - -l LANG`, one thread each (OMP_THREAD_LIMIT=1), `processes` pages at a
    time: (wall seconds, tesseract CPU seconds). The least any pipeline can take to read these pages."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(p: Path) -> None:
        subprocess.run(["tesseract", str(p), "-", "-l", lang], check=True, capture_output=True, env=env)

    cpu0 = children_cpu()
    t0 = time.perf_counter()
    with ThreadPoolExecutor(processes) as ex:
        list(ex.map(one, pngs))
    return time.perf_counter() - t0, children_cpu() - cpu0


def ocrmypdf_exe() -> str | None:
    venv = Path(sys.executable).parent / "ocrmypdf"
    return shutil.which("ocrmypdf") or (str(venv) if venv.exists() else None)


def as_pdfs(files: list[str], out: Path) -> list[Path]:
    """OCRmyPDF reads PDFs (and single images): wrap every scan in a PDF losslessly with img2pdf (untimed)."""
    import img2pdf

    out.mkdir(parents=True, exist_ok=True)
    pdfs = []
    for f in files:
        src = Path(f)
        dest = out / (src.stem + ".pdf")
        if src.suffix.lower() == ".pdf":
            shutil.copy(src, dest)
        elif not dest.exists():
            dest.write_bytes(img2pdf.convert(str(src)))
        pdfs.append(dest)
    return pdfs


def run_ocrmypdf(
    pdfs: list[Path], out: Path, workers: int, lang: str = "swe", per_file: bool = True
) -> tuple[float, float]:
    """`ocrmypdf -l LANG --output-type pdf`: with per_file, `-j 1` and `workers` files at a time; else
    `-j workers` one file after another. (wall seconds, CPU seconds)."""
    exe = ocrmypdf_exe()
    assert exe is not None, "ocrmypdf is not installed (scripts/setup.sh --bench)"
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(p: Path, jobs: int) -> None:
        cmd = [exe, "-q", "-l", lang, "--output-type", "pdf", "-j", str(jobs), str(p), str(out / p.name)]
        subprocess.run(cmd, check=True, capture_output=True, env=env)

    cpu0 = children_cpu()
    t0 = time.perf_counter()
    if per_file:
        with ThreadPoolExecutor(workers) as ex:
            list(ex.map(lambda p: one(p, 1), pdfs))
    else:
        for p in pdfs:
            one(p, workers)
    return time.perf_counter() - t0, children_cpu() - cpu0


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


def scan_ids(n: int) -> list[str]:
    """The first n corpus letters (set a, then b) whose manifest renders them as scans."""
    rows = []
    for letter_set in ("a", "b"):
        manifest = SHARED / "corpus" / "scans" / letter_set / "manifest.csv"
        rows += [r["id"] for r in csv.DictReader(manifest.open()) if r["kind"] in {"scan-tiff", "scan-pdf", "scan-png"}]
    return rows[:n]
