"""CPU seconds per page of the page reader against raw tesseract on the same pages (load-independent).

The reader is what an `ocr` worker runs for a scanned item: services.ingest.extract.extract_document
with a page-PDF folder, then build_searchable_pdf. One process, one page at a time; CPU = this
process's own CPU (rendering, grayscale, separation signals, the join) plus tesseract's (children).
The floor is `tesseract PAGE.png - -l swe` per page (pre-rendered PNG, untimed), OMP_THREAD_LIMIT=1.
Pages: the scanned letters bench/throughput.py reads (seed 303), and the corpus scans of set a.

    .venv/bin/python bench/reader_cpu.py [--letters 16] [--corpus 12] [--profile]

Run with PYTHONPATH pointing at another checkout's root to measure that checkout's reader.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import pstats
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(os.environ.get("READER_ROOT", Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ocr_common import page_pngs, scan_ids, table  # noqa: E402
from tests.support.processes import SHARED, render_letters  # noqa: E402


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def reader(files: list[str]) -> list[tuple[str, str, bool, int, float, float, float]]:
    """Per file: (stem, suffix, a page read turned?, pages, own CPU, tesseract CPU, join CPU). A page
    read turned costs OSD and a second pass, where the floor reads the page once, wrongly."""
    from services.core.settings import get_settings
    from services.ingest.extract import extract_document
    from services.ingest.pdf_output import build_searchable_pdf
    from services.ingest.sniff import sniff

    settings = get_settings()
    out = []
    for f in files:
        path = Path(f)
        own0, kids0 = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
        with tempfile.TemporaryDirectory() as tmp:
            mime = sniff(path, settings).mime
            pages = list(extract_document(path, mime, settings, pdf_dir=Path(tmp)))
            join0 = _cpu(resource.RUSAGE_SELF)
            build_searchable_pdf(path, mime, [p.index for p in pages], Path(tmp), Path(tmp) / "out.pdf")
            join = _cpu(resource.RUSAGE_SELF) - join0
        own, kids = _cpu(resource.RUSAGE_SELF) - own0, _cpu(resource.RUSAGE_CHILDREN) - kids0
        out.append((path.stem, path.suffix, any(p.rotation for p in pages), len(pages), own, kids, join))
    return out


def floor(pngs: list[Path]) -> dict[str, float]:
    """Tesseract CPU seconds per scan (its pages' PNGs are named STEM-INDEX.png)."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    out: dict[str, float] = {}
    for p in pngs:
        kids0 = _cpu(resource.RUSAGE_CHILDREN)
        subprocess.run(["tesseract", str(p), "-", "-l", "swe"], check=True, capture_output=True, env=env)
        stem = p.stem.rsplit("-", 1)[0]
        out[stem] = out.get(stem, 0.0) + _cpu(resource.RUSAGE_CHILDREN) - kids0
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--letters", type=int, default=16)
    ap.add_argument("--corpus", type=int, default=12, help="corpus scans of set a")
    ap.add_argument("--profile", action="store_true", help="print the reader's own top functions")
    args = ap.parse_args()
    os.environ["OMP_THREAD_LIMIT"] = "1"
    print(f"reader from {ROOT}; load average {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="ph-reader-cpu-") as d:
        tmp = Path(d)
        rendered = render_letters(tmp / "scans", scan_ids(args.letters), 303, ["--digital-share", "0"])
        bench = [r["path"] for r in rendered]
        corpus_dir = SHARED / "corpus" / "scans" / "a"
        corpus = [str(corpus_dir / r["file"]) for r in csv.DictReader((corpus_dir / "manifest.csv").open())]
        corpus = [f for f in corpus if not f.endswith((".eml", ".txt"))][: args.corpus]
        rows = []
        for label, files in (("throughput letters", bench), ("corpus scans a", corpus)):
            pngs = page_pngs(files, tmp / f"pngs-{label[:3]}")
            fl = floor(pngs)
            prof = cProfile.Profile() if args.profile else None
            if prof:
                prof.enable()
            rd = reader(files)
            if prof:
                prof.disable()
                s = io.StringIO()
                pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(12)
                print(f"--- {label}: reader's own CPU by function ---\n{s.getvalue()[:4000]}")
            kinds: dict[str, int] = {}
            for _, suffix, turned, n, *_ in rd:
                kinds["turned" if turned else suffix] = kinds.get("turned" if turned else suffix, 0) + n
            named = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
            upright = [r for r in rd if not r[2]]
            for what, part in ((f"{label} ({named})", rd), (f"{label}, no page read turned", upright)):
                if part is not rd and len(part) == len(rd):
                    continue
                pages = sum(r[3] for r in part)
                floor_cpu = sum(fl[r[0]] for r in part) / pages
                own, kids, join = (sum(r[i] for r in part) / pages for i in (4, 5, 6))
                ratio = f"{(own + kids) / floor_cpu:.2f}"
                rows.append([what, pages, f"{floor_cpu:.2f}", f"{kids:.2f}", f"{own:.2f}", f"{join:.3f}", ratio])
    print(f"load average at end {os.getloadavg()}")
    headers = ["pages", "n", "floor CPU/page", "reader tesseract", "reader own", "of which join", "reader / floor"]
    print(table(headers, rows))


if __name__ == "__main__":
    main()
