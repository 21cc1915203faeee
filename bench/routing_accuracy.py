"""Routing accuracy, cross-validated, on clean text and on OCR text, with the paperless-ngx style baseline.

Stratified k-fold on ../shared/corpus/letters/{a,b} (seed 0). The auto-route threshold is chosen inside
each outer fold's training part (nested), so the reported auto-routed precision is honest. Variants:

- ``clean``: trained and tested on the clean letter text;
- ``ocr``: trained and tested on the OCR text of the rendered scans (bench/routing_ocr_cache.py makes
  and caches it: run that first, ~10 minutes on 2 cores);
- ``ocr+clean``: tested on OCR text, trained on the OCR and the clean text of the training letters.

Each variant is printed beside the baseline (word 1-2 gram counts, min_df 0.01, an MLP, no threshold).
The full reports (per department, confusion matrices, calibration) go to --out as JSON.

    .venv/bin/python bench/routing_accuracy.py [--variants clean,ocr,ocr+clean] [--folds 5] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from routing_ocr_cache import CACHE, load_cache  # noqa: E402

from services.classify.evaluation import baseline_report, evaluate_examples  # noqa: E402
from services.classify.training import read_corpus  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "letters"


def _line(name: str, r: dict) -> str:
    return (
        f"{name:<22} accuracy {r['accuracy']:.3f}  macro-F1 {r['macro_f1']:.3f}  "
        f"auto-routed {r['auto_rate']:.1%} at precision {r['auto_precision']:.1%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default="clean,ocr,ocr+clean")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / ".cache" / "routing_accuracy.json")
    args = parser.parse_args()
    examples = read_corpus(sorted(d for d in CORPUS.iterdir() if (d / "labels.csv").exists()))
    variants = args.variants.split(",")
    ocr = load_cache()
    if any(v.startswith("ocr") for v in variants):
        missing = [e.id for e in examples if e.id not in ocr]
        if missing:
            sys.exit(f"{len(missing)} letters have no OCR text in {CACHE}: run bench/routing_ocr_cache.py first")
    out: dict[str, dict] = {}
    for v in variants:
        started = time.perf_counter()
        if v == "clean":
            ex, extra = examples, None
        elif v == "ocr":
            ex, extra = [replace(e, text=ocr[e.id]) for e in examples], None
        elif v == "ocr+clean":
            ex, extra = [replace(e, text=ocr[e.id]) for e in examples], [[e.text] for e in examples]
        else:
            sys.exit(f"unknown variant {v!r}")
        report = evaluate_examples(ex, folds=args.folds, extra=extra)
        base = baseline_report(ex, folds=args.folds, extra=extra)
        out[v] = {"model": report, "baseline": base, "seconds": round(time.perf_counter() - started, 1)}
        print(_line(f"{v} model", report), flush=True)
        print(_line(f"{v} baseline", base), flush=True)
        ece, doc = report["calibration"]["ece"], report["doc_type_accuracy"]
        print(f"{'':<22} calibration ECE {ece:.3f}, document type accuracy {doc:.3f}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"full reports: {args.out}")


if __name__ == "__main__":
    main()
