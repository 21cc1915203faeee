"""OCR throughput: the project's extraction path against OCRmyPDF and against raw tesseract (the floor).

A batch of rendered scans (../shared/tools/render_scans.py; 1-bit TIFF, JPEG PDFs, PNG, some hard) is
read three ways on the same cores:
  project   services.ingest.extract.extract_document per file (what an `ocr` queue worker runs per
            item, including the searchable PDF when --searchable) in N worker processes
  ocrmypdf  `ocrmypdf -l swe+eng --output-type pdf -j 1 IN OUT` per file, N files at a time (images are
            first wrapped in PDFs with img2pdf, untimed); also `-j N` one file after another
  floor     `tesseract PAGE.png - -l swe+eng` per page, one thread (OMP_THREAD_LIMIT=1), CPU seconds;
            floor wall = tesseract CPU seconds summed / cores
Prints pages per second for each, project/ocrmypdf, and project wall against the floor.
Targets: project >= 2.5x OCRmyPDF, project wall <= 1.15 x floor.

    .venv/bin/python bench/ocr_throughput.py [--limit 40] [--workers 2] [--skip-ocrmypdf]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ocr_common import (
    as_pdfs,
    children_cpu,
    ocrmypdf_exe,
    page_pngs,
    render_corpus,
    run_floor,
    run_ocrmypdf,
    table,
)


def _project_one(job: tuple[str, bool]) -> int:
    path_s, searchable = job
    from services.core.settings import get_settings
    from services.ingest.extract import extract_document
    from services.ingest.sniff import sniff

    settings = get_settings()
    path = Path(path_s)
    mime = sniff(path, settings).mime
    n = 0
    if searchable:
        from services.ingest.pdf_output import build_searchable_pdf

        with tempfile.TemporaryDirectory() as tmp:
            pages = list(extract_document(path, mime, settings, pdf_dir=Path(tmp)))
            build_searchable_pdf(path, mime, [p.index for p in pages], Path(tmp), Path(tmp) / "out.pdf")
            return len(pages)
    for _ in extract_document(path, mime, settings):
        n += 1
    return n


def run_project(files: list[str], workers: int, searchable: bool) -> tuple[float, float]:
    cpu0 = children_cpu()
    pool = Pool(workers)
    pool.map(abs, range(workers))  # start the processes before the clock
    t0 = time.perf_counter()
    pool.map(_project_one, [(f, searchable) for f in files], chunksize=1)
    wall = time.perf_counter() - t0
    pool.close()
    pool.join()
    return wall, children_cpu() - cpu0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="a")
    ap.add_argument("--limit", type=int, default=40, help="letters per set (>= 40 pages in all)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--hard", type=float, default=0.2)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--lang", default="swe+eng", help="OCRmyPDF's and the floor's languages")
    ap.add_argument("--skip-ocrmypdf", action="store_true")
    ap.add_argument("--no-searchable", action="store_true", help="project: text only, no searchable PDF")
    ap.add_argument("--out", type=Path, default=Path("/tmp/posthantering-ocr-bench"))
    args = ap.parse_args()
    os.environ["OMP_THREAD_LIMIT"] = "1"
    from services.core.settings import get_settings

    rows = render_corpus(args.out, args.sets.split(","), args.limit, args.seed, args.hard)
    files = [r["path"] for r in rows]
    pages = sum(int(r["pages"]) for r in rows)
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + int(r["pages"])
    print(f"{len(files)} files, {pages} pages ({kinds}), {args.workers} worker processes")
    print(f"project languages: {get_settings().ocr_languages}; OCRmyPDF and floor: {args.lang}")
    work = Path(tempfile.mkdtemp(prefix="ocr-throughput-"))
    results: list[list[Any]] = []

    def add(label: str, wall: float, cpu: float) -> None:
        results.append([label, pages, wall, pages / wall, cpu / pages, args.workers * pages / cpu])

    searchable = not args.no_searchable
    project = run_project(files, args.workers, searchable)
    add("project (text + searchable PDF)" if searchable else "project (text only)", *project)
    text_only = run_project(files, args.workers, False) if searchable else project
    if searchable:
        add("project (text only)", *text_only)
    ocrmypdf = None
    if not args.skip_ocrmypdf:
        pdfs = as_pdfs(files, args.out / "as-pdf")
        version = subprocess.run([str(ocrmypdf_exe()), "--version"], capture_output=True, text=True)
        print(f"ocrmypdf {version.stdout.strip()}")
        ocrmypdf = run_ocrmypdf(pdfs, work / "ocrmypdf", args.workers, args.lang, per_file=True)
        add(f"ocrmypdf -j 1, {args.workers} files at a time", *ocrmypdf)
        seq = run_ocrmypdf(pdfs, work / "ocrmypdf-seq", args.workers, args.lang, per_file=False)
        add(f"ocrmypdf -j {args.workers}, one file at a time", *seq)
    pngs = page_pngs(files, args.out / "pages")
    _, cpu = run_floor(pngs, 1, args.lang)  # one page at a time: its CPU seconds
    add(f"floor: tesseract CPU s / {args.workers} cores", cpu / args.workers, cpu)
    print()
    head = ["path", "pages", "wall s", "pages/s", "CPU s/page", f"pages/s if idle ({args.workers} cores)"]
    print(table(head, results))
    print()
    print(f"load average during the run: {os.getloadavg()[0]:.1f} (wall figures need an idle machine)")
    floor_cpu = cpu / pages
    if ocrmypdf:
        print(f"project / ocrmypdf, wall: {ocrmypdf[0] / project[0]:.2f}x  (target >= 2.5x)")
        print(f"project / ocrmypdf, CPU per page: {ocrmypdf[1] / project[1]:.2f}x")
    print(f"project wall / floor: {project[0] / (cpu / args.workers):.2f}  (target <= 1.15)")
    print(f"project CPU per page / floor: {project[1] / pages / floor_cpu:.2f}")
    if searchable:
        print(f"project text-only CPU per page / floor: {text_only[1] / pages / floor_cpu:.2f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
