"""OCR accuracy: character error rate (CER) against the letters' own text, per kind of scan.

Renders letters with ../shared/tools/render_scans.py (scans only, a share of them "hard"), reads each
file through the project's extraction path (services.ingest.extract.extract_document) and, with
--variants, through preprocessing alternatives, and prints per kind (1-bit TIFF, JPEG PDF at 200 and
300 dpi, PNG, upside-down, skewed, noisy) the median and 90th percentile CER. Targets: median <= 2%,
p90 <= 5%. Whitespace is collapsed before comparing, and the registry's arrival stamp (INKOM, date,
Dnr), which is on the page but not in the letter, is dropped from the OCR text.

    .venv/bin/python bench/ocr_accuracy.py [--sets a,b] [--limit 40] [--hard 0.2] [--workers 2]
        [--variants project,swe+eng,psm4,psm6,dpi-native,otsu,deskew,osd-first]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from multiprocessing import Pool
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ocr_common import cer, kinds_of, page_images, percentile, render_corpus, table

# name -> how a page is read. "project" is the real extraction path with the configured settings;
# the others change one thing against the project's defaults.
VARIANTS: dict[str, dict[str, Any]] = {
    "project": {},
    "swe+eng": {"lang": "swe+eng"},
    "swe": {"lang": "swe"},
    "psm4": {"config": "--psm 4"},
    "psm6": {"config": "--psm 6"},
    "dpi-native": {"dpi": "native"},
    "otsu": {"pre": "otsu"},
    "deskew": {"pre": "deskew"},
    "osd-first": {"orient": "osd"},
}


def _otsu(image: Any) -> Any:
    import numpy as np

    a = np.asarray(image, dtype=np.uint8)
    hist = np.bincount(a.ravel(), minlength=256).astype(float)
    w = np.cumsum(hist)
    mu = np.cumsum(hist * np.arange(256))
    total, mt = w[-1], mu[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mt * w - mu * total) ** 2 / (w * (total - w))
    t = int(np.nanargmax(between))
    from PIL import Image

    return Image.fromarray(np.where(a > t, 255, 0).astype(np.uint8))


def _deskew(image: Any) -> Any:
    """Projection-profile skew estimate on a reduced image, -3..3 degrees in 0.25 steps."""
    import numpy as np

    small = image.reduce(4)
    best, best_score = 0.0, -1.0
    for step in range(-12, 13):
        angle = step / 4
        rotated = np.asarray(small.rotate(angle, fillcolor=255), dtype=np.float32)
        profile = (rotated < 128).sum(axis=1).astype(np.float64)
        score = float(np.sum(np.diff(profile) ** 2))
        if score > best_score:
            best, best_score = angle, score
    return image.rotate(best, fillcolor=255, expand=False) if best else image


def _read_variant(path: Path, row: dict[str, str], variant: dict[str, Any], lang: str) -> str:
    from services.ingest import ocr

    dpi = 300
    if variant.get("dpi") == "native" and row["dpi"]:
        dpi = int(row["dpi"])
    texts = []
    for image in page_images(path, dpi=dpi):
        gray = ocr.to_grayscale(image)
        if variant.get("pre") == "otsu":
            gray = _otsu(gray)
        elif variant.get("pre") == "deskew":
            gray = _deskew(gray)
        config = variant.get("config", "")
        if variant.get("orient") == "osd":
            rotation = ocr.detect_rotation(gray) or 0
            texts.append(ocr.read_text(ocr.turn(gray, rotation), lang, config).text)
        else:
            texts.append(ocr.read_upright(gray, lang, config)[0].text)
    return "\n\n".join(texts)


def _one(job: tuple[str, dict[str, str]]) -> dict[str, Any]:
    name, row = job
    from services.core.settings import get_settings
    from services.ingest.extract import extract_document
    from services.ingest.sniff import sniff

    settings = get_settings()
    variant = VARIANTS[name]
    lang = variant.get("lang", settings.ocr_languages)
    path = Path(row["path"])
    cpu0, t0 = time.process_time(), time.perf_counter()
    children0 = os.times().children_user + os.times().children_system
    if name == "project":
        text = "\n\n".join(p.text for p in extract_document(path, sniff(path, settings).mime, settings))
    else:
        text = _read_variant(path, row, variant, lang)
    cpu = time.process_time() - cpu0 + (os.times().children_user + os.times().children_system - children0)
    return {
        "variant": name,
        "id": row["id"],
        "kinds": kinds_of(row),
        "pages": int(row["pages"]),
        "cer": cer(row["truth"], text),
        "cpu": cpu,
        "wall": time.perf_counter() - t0,
    }


def report(name: str, results: list[dict[str, Any]]) -> str:
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        for k in ["all", *r["kinds"]]:
            by_kind.setdefault(k, []).append(r)
    order = ["all", "1-bit TIFF 300", "JPEG PDF 200", "JPEG PDF 300", "PNG 300", "upside-down", "skewed >=1.5deg"]
    order += ["noisy/hard"]
    rows = []
    for k in order + sorted(set(by_kind) - set(order)):
        rs = by_kind.get(k)
        if not rs:
            continue
        cers = [r["cer"] * 100 for r in rs]
        pages = sum(r["pages"] for r in rs)
        rows.append(
            [
                k,
                len(rs),
                pages,
                statistics.median(cers),
                percentile(cers, 0.9),
                max(cers),
                sum(r["cpu"] for r in rs) / pages,
            ]
        )
    head = ["kind", "letters", "pages", "CER median %", "CER p90 %", "CER max %", "CPU s/page"]
    return f"variant: {name}\n" + table(head, rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="a,b")
    ap.add_argument("--limit", type=int, default=40, help="letters per set")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--hard", type=float, default=0.2)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--variants", default="project")
    ap.add_argument("--out", type=Path, default=Path("/tmp/posthantering-ocr-bench"))
    ap.add_argument("--worst", type=int, default=0, help="also list the N worst letters per variant")
    args = ap.parse_args()
    os.environ["OMP_THREAD_LIMIT"] = "1"
    names = [v for v in args.variants.split(",") if v]
    unknown = set(names) - set(VARIANTS)
    if unknown:
        ap.error(f"unknown variants {sorted(unknown)}; known: {', '.join(VARIANTS)}")
    rows = render_corpus(args.out, args.sets.split(","), args.limit, args.seed, args.hard)
    print(f"{len(rows)} scanned letters, {sum(int(r['pages']) for r in rows)} pages, {args.workers} workers")
    with Pool(args.workers) as pool:
        for name in names:
            t0 = time.perf_counter()
            results = list(pool.imap_unordered(_one, [(name, r) for r in rows]))
            print()
            print(report(name, results))
            print(f"({time.perf_counter() - t0:.0f} s wall)")
            for r in sorted(results, key=lambda r: -r["cer"])[: args.worst]:
                print(f"  worst: {r['id']} {r['cer'] * 100:.2f}% {' / '.join(r['kinds'])}")


if __name__ == "__main__":
    main()
