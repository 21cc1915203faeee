"""OCR text of the shared corpus scans, cached for the routing evaluation.

Reads ../shared/corpus/scans/{a,b}/manifest.csv, OCRs every scan with services.ingest.extract.ocr_file
(in --jobs processes, one OCR thread each) and writes {id: text} to bench/.cache/routing_ocr.json
(gitignored). Files already in the cache are skipped, so an interrupted run resumes.

    OMP_THREAD_LIMIT=1 .venv/bin/python bench/routing_ocr_cache.py [--jobs 2]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CACHE = ROOT / "bench" / ".cache" / "routing_ocr.json"
SCANS = ROOT.parent / "shared" / "corpus" / "scans"


def scan_files(scans: Path = SCANS) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for manifest in sorted(scans.glob("*/manifest.csv")):
        for row in csv.DictReader(manifest.open(encoding="utf-8")):
            files[row["id"]] = manifest.parent / row["file"]
    return files


def load_cache(path: Path = CACHE) -> dict[str, str]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _ocr(path: str) -> str:
    from services.core.settings import get_settings
    from services.ingest.extract import ocr_file

    return ocr_file(Path(path), get_settings())["text"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    cache = load_cache()
    todo = {k: v for k, v in scan_files().items() if k not in cache}
    print(f"{len(cache)} cached, {len(todo)} to OCR", flush=True)
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(_ocr, str(p)): k for k, p in todo.items()}
        for n, fut in enumerate(as_completed(futures), 1):
            cache[futures[fut]] = fut.result()
            if n % 10 == 0 or n == len(todo):
                tmp = CACHE.with_suffix(".tmp")
                tmp.write_text(json.dumps(cache, ensure_ascii=False, sort_keys=True), encoding="utf-8")
                tmp.replace(CACHE)
                print(f"{n}/{len(todo)} {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
