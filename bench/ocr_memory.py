"""Peak memory of page-parallel extraction of a large scanned PDF (issue 3, item 3: < 1 GB per worker).

Builds an N-page scanned PDF (default 100: grayscale JPEG pages at 300 dpi, rendered letters'
page images repeated, written by PIL's PDF writer), then runs the same per-page path the
`ingest.extract_page` tasks run (services.ingest.extract.extract_page, with the searchable-PDF page)
in W worker processes, each reading its share of the pages one at a time, and finally the join of
the searchable PDF (what the worker that stores the last page does) in its own process.

Each process samples its resident set plus that of its tesseract child (pytesseract runs tesseract
as a child process per call) every 20 ms and reports the peak of that sum, and its own VmHWM.
Prints pages, seconds, pages/s and the peak RSS in MB.

    .venv/bin/python bench/ocr_memory.py [--pages 100] [--workers 2] [--sequential]

--sequential runs one process that reads the whole document in order (extract_document), the
inline path's worst case.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ocr_common import page_images, render_corpus

ROOT = Path(__file__).resolve().parents[1]


def build_pdf(dest: Path, pages: int, work: Path) -> None:
    """Distinct rendered pages (a few letters) repeated to `pages` pages, saved as JPEG pages at 300 dpi."""
    rows = render_corpus(work / "letters", ["a"], limit=6, seed=47, hard=0.0)
    distinct = [im.convert("L") for r in rows for im in page_images(Path(r["path"]), dpi=300)][:8]  # type: ignore[attr-defined]
    sequence = [distinct[i % len(distinct)] for i in range(pages)]  # the same few images, not copies
    sequence[0].save(dest, "PDF", resolution=300, save_all=True, append_images=sequence[1:], quality=75)


class RssSampler:
    """Samples this process's RSS plus its children's (tesseract) every 20 ms: the worker's real total."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            pids = [os.getpid()]
            for task in Path("/proc/self/task").iterdir():
                try:
                    pids += [int(c) for c in (task / "children").read_text().split()]
                except OSError:
                    continue
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(pid) for pid in pids))


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _peak_mb(sampler: RssSampler) -> dict[str, float]:
    hwm = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) / 1024
    return {"python_mb": round(hwm, 1), "total_mb": round(sampler.peak_kb / 1024, 1)}


def child_read(pdf: Path, indices: list[int], pdf_dir: Path) -> None:
    from services.core.settings import get_settings
    from services.ingest.extract import extract_page

    settings = get_settings()
    started = time.perf_counter()
    methods: dict[str, int] = {}
    with RssSampler() as sampler:
        for index in indices:  # one page task after another, as a worker with concurrency 1 runs them
            result = extract_page(pdf, "application/pdf", index, settings, pdf_dir=pdf_dir)
            methods[result.method] = methods.get(result.method, 0) + 1
    seconds = time.perf_counter() - started
    print(json.dumps({"pages": len(indices), "seconds": seconds, "methods": methods, **_peak_mb(sampler)}))


def child_sequential(pdf: Path, pdf_dir: Path) -> None:
    from services.core.settings import get_settings
    from services.ingest.extract import extract_document

    started = time.perf_counter()
    with RssSampler() as sampler:
        n = sum(1 for _ in extract_document(pdf, "application/pdf", get_settings(), pdf_dir=pdf_dir))
    print(json.dumps({"pages": n, "seconds": time.perf_counter() - started, **_peak_mb(sampler)}))


def child_join(pdf: Path, pages: int, pdf_dir: Path, dest: Path) -> None:
    from services.ingest.pdf_output import build_searchable_pdf

    started = time.perf_counter()
    with RssSampler() as sampler:
        ocr_pages = build_searchable_pdf(pdf, "application/pdf", list(range(pages)), pdf_dir, dest)
    print(json.dumps({"ocr_pages": ocr_pages, "seconds": time.perf_counter() - started, **_peak_mb(sampler)}))


def _spawn(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # as in a worker process
    return subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, env=env)


def _result(proc: subprocess.Popen[str]) -> dict[str, float]:
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"child failed with {proc.returncode}")
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sequential", action="store_true", help="one process reads the whole document")
    ap.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, pdf, pdf_dir, *rest = args.child
        if kind == "read":
            child_read(Path(pdf), [int(i) for i in rest[0].split(",")], Path(pdf_dir))
        elif kind == "sequential":
            child_sequential(Path(pdf), Path(pdf_dir))
        else:
            child_join(Path(pdf), int(rest[0]), Path(pdf_dir), Path(rest[1]))
        return

    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        pdf, pdf_dir = work / f"scan-{args.pages}p.pdf", work / "pages"
        build_pdf(pdf, args.pages, work)
        print(f"input: {pdf.name}, {args.pages} JPEG pages at 300 dpi, {pdf.stat().st_size / 1e6:.1f} MB")
        started = time.perf_counter()
        if args.sequential:
            readers = [_result(_spawn("--child", "sequential", str(pdf), str(pdf_dir)))]
        else:
            shares = [list(range(w, args.pages, args.workers)) for w in range(args.workers)]
            procs = [_spawn("--child", "read", str(pdf), str(pdf_dir), ",".join(map(str, s))) for s in shares if s]
            readers = [_result(p) for p in procs]
        read_seconds = time.perf_counter() - started
        join = _result(_spawn("--child", "join", str(pdf), str(pdf_dir), str(args.pages), str(work / "out.pdf")))
        total = time.perf_counter() - started

    mode = "sequential, 1 process" if args.sequential else f"page-parallel, {len(readers)} worker processes"
    print(f"mode: {mode}")
    print(f"pages: {args.pages}")
    print(f"seconds: read {read_seconds:.1f}, join {join['seconds']:.1f}, total {total:.1f}")
    print(f"pages/s: {args.pages / total:.2f}")
    for i, r in enumerate(readers):
        print(
            f"worker {i}: {r['pages']} pages, peak RSS {r['total_mb']:.0f} MB with its tesseract child "
            f"(python process alone: VmHWM {r['python_mb']:.0f} MB)"
        )
    print(f"join ({join['ocr_pages']} OCR pages): peak RSS {join['python_mb']:.0f} MB")
    worst = max([r["total_mb"] for r in readers] + [join["python_mb"]])
    print(f"peak RSS per worker (worst): {worst:.0f} MB (target < 1024 MB)")


if __name__ == "__main__":
    main()
