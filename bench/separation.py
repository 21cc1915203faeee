"""Separation benchmark: scanned piles in, letters out, scored against the piles' page-level truth.

    .venv/bin/python bench/separation.py --scans ../shared/corpus/scans/b --work /tmp/sepbench-b \
        --stacks 12 --letters 4-8

builds two sets of piles with ../shared/tools/build_stacks.py from SCANS (one with separator sheets,
PATCHT or QR per pile, one without), each pile simplex or duplex, PDF (grey JPEG, 200/300 dpi) or
1-bit G4 TIFF, and runs `posthantering split` (services.ingest.separation.split_file) on every pile.
Reports per group: boundary precision and recall, letters whose page set is exactly right, wrong
merges (a letter holding pages of two) outside review, piles sent to review, blank pages removed /
missed, content pages wrongly removed, and seconds per page: OCR vs the separation step's own work
(separator/blank/layout analysis of the page image plus the decision). Pages are read once, as in the
pipeline; the readings are cached in WORK so `--cached-only` re-scores without OCR (for tuning).
A second table scores short files cut from the piles' pages (no extra OCR): each letter of 2+ pages as
a file of its own (an upload: must stay one letter, without review) and each two neighbouring letters
of 1-2 pages as one file (two letters in a short file: split, review or wrongly merged).

The scorer's weights were set looking at piles from scans/a only; score on scans/b (not tuned on it).
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.core.settings import get_settings  # noqa: E402
from services.ingest.extract import extract_document  # noqa: E402
from services.ingest.separation import PageIn, decide  # noqa: E402
from services.ingest.sniff import sniff  # noqa: E402

BUILD = ROOT.parent / "shared" / "tools" / "build_stacks.py"


def build(scans: Path, out: Path, separators: str, stacks: int, letters: str, seed: int) -> None:
    if (out / "truth.json").exists():
        return
    cmd = [sys.executable, str(BUILD), str(scans), str(out), "--stacks", str(stacks), "--letters", letters]
    cmd += ["--seed", str(seed), "--separators", separators, "--duplex", "0.5", "--format", "mixed"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def read_pile(path: Path, cache: Path, *, ocr: bool = True) -> dict[str, Any]:
    """Every page read once (signals + OCR), cached as JSON. Without `ocr` the pages are only looked at
    (signals), for piles with separator sheets, whose split does not use the text."""
    if cache.exists():
        return json.loads(cache.read_text())
    settings = get_settings()
    if not ocr:
        from services.ingest import ocr as ocr_module

        ocr_module.read_upright = lambda *a, **k: (ocr_module.OcrText("", None, 0), 0)  # type: ignore[assignment]
    info = sniff(path, settings)
    pages = []
    for r in extract_document(path, info.mime, settings):
        sep = float(r.signals.get("seconds", 0.0))
        pages.append(
            {
                "index": r.index,
                "text": r.text,
                "method": r.method,
                "signals": r.signals,
                "rotation": r.rotation,
                "ocr_seconds": max(0.0, r.seconds - sep),
                "signal_seconds": sep,
            }
        )
    data = {"pages": pages}
    cache.write_text(json.dumps(data, ensure_ascii=False))
    return data


def score(truth: dict[str, Any], decision: dict[str, Any]) -> dict[str, float]:
    roles = truth["pages"]
    letters = [
        frozenset(i for i, r in enumerate(roles) if r.get("letter") == x["letter"] and r["role"] == "content")
        for x in truth["letters"]
    ]
    docs = [frozenset(d["pages"]) for d in decision["documents"]]
    first_content = min(min(x) for x in letters)
    truth_starts = {min(x) for x in letters} - {first_content}
    pred_starts = {min(d) for d in docs if d} - {first_content}
    letter_of = {i: n for n, x in enumerate(letters) for i in x}
    merges = sum(1 for d in docs if len({letter_of[i] for i in d if i in letter_of}) > 1)
    removed = set(decision["blank"]) | set(decision["separators"])
    blanks = {i for i, r in enumerate(roles) if r["role"] == "blank"}
    content = {i for i, r in enumerate(roles) if r["role"] == "content"}
    return {
        "piles": 1,
        "pages": len(roles),
        "letters": len(letters),
        "exact": sum(1 for x in letters if x in docs),
        "tp": len(truth_starts & pred_starts),
        "fp": len(pred_starts - truth_starts),
        "fn": len(truth_starts - pred_starts),
        "merges": merges,
        "merges_auto": 0 if decision["review"] else merges,
        "review": int(decision["review"]),
        "blank": len(blanks),
        "blank_removed": len(blanks & removed),
        "content_removed": len(content & removed),
    }


def run_set(
    name: str,
    folder: Path,
    *,
    min_confidence: float,
    blank_ink: float,
    verbose: bool,
    limit: int,
    ocr: bool,
    cached_only: bool = False,
) -> dict:
    truth = json.loads((folder / "truth.json").read_text())
    groups: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for pile, t in sorted(truth.items())[:limit]:
        if cached_only and not (folder / f"{pile}.read.json").exists():
            continue
        data = read_pile(folder / pile, folder / f"{pile}.read.json", ocr=ocr)
        pages = [PageIn(p["index"], p["text"], p["method"], p["signals"], p["rotation"]) for p in data["pages"]]
        started = time.perf_counter()
        decision = decide(pages, blank_ink=blank_ink, min_confidence=min_confidence)
        decide_seconds = time.perf_counter() - started
        if ocr:
            short_files(t, pages, groups, blank_ink=blank_ink, min_confidence=min_confidence)
        result = decision.as_json(details=True)
        s = score(t, result)
        s["ocr_seconds"] = sum(p["ocr_seconds"] for p in data["pages"])
        s["sep_seconds"] = sum(p["signal_seconds"] for p in data["pages"]) + decide_seconds
        s["ocr_pages"] = sum(1 for p in data["pages"] if p["method"] == "ocr")
        fmt = "pdf" if pile.endswith(".pdf") else "tiff"
        side = "duplex" if t["duplex"] else "simplex"
        for key in (f"{name} {side} {fmt}", f"{name} all"):
            for k, v in s.items():
                groups[key][k] += v
        if verbose and (s["exact"] < s["letters"] or s["content_removed"] or s["blank_removed"] < s["blank"]):
            _explain(pile, t, result, data)
    return groups


def short_files(
    truth: dict[str, Any], pages: list[Any], groups: dict, *, blank_ink: float, min_confidence: float
) -> None:
    """Short files cut from the pile's pages (already read): every letter of 2+ pages as a file of its own
    (an upload of one letter: must stay one letter, without review) and every two neighbouring letters
    of 1-2 pages each as one file (two letters in one short file: the price of preferring one letter)."""
    letters = truth["letters"]

    def cut(first: int, last: int) -> list[Any]:
        return [replace(p, index=p.index - first) for p in pages[first : last + 1]]

    def content_pages(x: dict[str, Any]) -> int:
        return sum(1 for r in truth["pages"][x["first"] : x["last"] + 1] if r["role"] == "content")

    for x in letters:
        if content_pages(x) < 2:
            continue
        d = decide(cut(x["first"], x["last"]), blank_ink=blank_ink, min_confidence=min_confidence)
        g = groups["short file: one letter of 2+ pages"]
        g["files"] += 1
        g["one letter"] += int(len(d.documents) == 1 and not d.review)
        g["review"] += int(d.review)
        g["split wrongly"] += int(len(d.documents) > 1 and not d.review)
    for x, y in itertools.pairwise(letters):
        if content_pages(x) > 2 or content_pages(y) > 2:
            continue
        d = decide(cut(x["first"], y["last"]), blank_ink=blank_ink, min_confidence=min_confidence)
        docs = [[i + x["first"] for i in doc.pages] for doc in d.documents]
        want = [[i for i in range(z["first"], z["last"] + 1) if truth["pages"][i]["role"] == "content"] for z in (x, y)]
        g = groups["short file: two letters of 1-2 pages"]
        g["files"] += 1
        g["split right"] += int(docs == want and not d.review)
        g["review"] += int(d.review)
        g["merged"] += int(len(docs) == 1 and not d.review)


def short_table(groups: dict[str, dict[str, float]]) -> str:
    lines = ["| short files (cut from the piles) | files | kept as one letter | split right | to review | wrong |"]
    lines.append("|---|---|---|---|---|---|")
    for key in sorted(k for k in groups if k.startswith("short file")):
        g = groups[key]
        files = g["files"] or 1
        one = f"{g['one letter']:.0f} ({g['one letter'] / files:.1%})" if "one letter" in key else "–"
        right = f"{g['split right']:.0f} ({g['split right'] / files:.1%})" if "two letters" in key else "–"
        wrong = g["split wrongly"] if "one letter" in key else g["merged"]
        what = "split" if "one letter" in key else "merged"
        lines.append(f"| {key} | {g['files']:.0f} | {one} | {right} | {g['review']:.0f} | {wrong:.0f} {what} |")
    return "\n".join(lines)


def _explain(pile: str, truth: dict[str, Any], result: dict[str, Any], data: dict[str, Any]) -> None:
    print(f"--- {pile} duplex={truth['duplex']} review={result['review']}")
    print("  truth:", [(x["letter"], x["first"], x["last"]) for x in truth["letters"]])
    print("  docs: ", [d["pages"] for d in result["documents"]], "blank", result["blank"])
    for i, r in enumerate(truth["pages"]):
        start = result["starts"].get(str(i))
        sig = data["pages"][i]["signals"]
        layout = {k: sig.get(k) for k in ("ink", "line_mm", "pitch_mm", "left_mm", "lines")}
        print(f"  {i:3d} {r['role']:9s} {r.get('letter', ''):6s} p{r.get('page', '')} {start} {layout}")


def table(groups: dict[str, dict[str, float]]) -> str:
    head = (
        "| piles (group) | piles | pages | letters | exact letters | boundary precision | boundary recall "
        "| wrong merges (auto / in review) | piles to review | blanks removed | blanks missed | content removed "
        "| OCR s/page | separation s/page | separation / OCR |"
    )
    lines = [head, "|" + "---|" * 15]
    for key in sorted(k for k in groups if not k.startswith("short file")):
        g = groups[key]
        tp, fp, fn = g["tp"], g["fp"], g["fn"]
        prec = tp / (tp + fp) if tp + fp else 1.0
        rec = tp / (tp + fn) if tp + fn else 1.0
        pages = g["pages"] or 1
        ocr = f"{g['ocr_seconds'] / pages:.3f}" if g["ocr_pages"] else "– (not OCR'd)"
        ratio = f"{g['sep_seconds'] / g['ocr_seconds']:.1%}" if g["ocr_pages"] else "–"
        lines.append(
            f"| {key} | {g['piles']:.0f} | {g['pages']:.0f} | {g['letters']:.0f} "
            f"| {g['exact']:.0f} ({g['exact'] / max(1, g['letters']):.1%}) | {prec:.3f} | {rec:.3f} "
            f"| {g['merges_auto']:.0f} / {g['merges'] - g['merges_auto']:.0f} | {g['review']:.0f} "
            f"| {g['blank_removed']:.0f}/{g['blank']:.0f} | {g['blank'] - g['blank_removed']:.0f} "
            f"| {g['content_removed']:.0f} | {ocr} | {g['sep_seconds'] / pages:.3f} | {ratio} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scans", type=Path, default=ROOT.parent / "shared" / "corpus" / "scans" / "b")
    ap.add_argument("--work", type=Path, default=Path("/tmp/posthantering-sepbench"))
    ap.add_argument("--stacks", type=int, default=12, help="piles per set (with sheets, without)")
    ap.add_argument("--letters", default="4-8")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--sets", default="sheets,none")
    ap.add_argument("--verbose", action="store_true", help="explain every pile not exactly right")
    ap.add_argument("--limit", type=int, default=1000, help="score only the first N piles of each set")
    ap.add_argument("--cached-only", action="store_true", help="score only the piles already read (no OCR)")
    ap.add_argument(
        "--ocr-sheets", action="store_true", help="OCR the piles with separator sheets too (not needed for their split)"
    )
    args = ap.parse_args()
    settings = get_settings()
    groups: dict[str, dict[str, float]] = {}
    for name in args.sets.split(","):
        folder = args.work / name
        build(args.scans, folder, "mixed" if name == "sheets" else "none", args.stacks, args.letters, args.seed)
        groups.update(
            run_set(
                "with sheets" if name == "sheets" else "no sheets",
                folder,
                min_confidence=settings.separation_min_confidence,
                blank_ink=settings.separation_blank_ink,
                verbose=args.verbose,
                limit=args.limit,
                cached_only=args.cached_only,
                ocr=name != "sheets" or args.ocr_sheets,
            )
        )
    print(f"scans: {args.scans}  piles per set: {args.stacks}  letters per pile: {args.letters}  seed: {args.seed}")
    print(
        f"blank_ink={settings.separation_blank_ink}  min_confidence={settings.separation_min_confidence}  "
        "(OCR s/page: all pages; blank and separator pages are not OCR'd; piles with sheets are not OCR'd "
        "unless --ocr-sheets: their split does not use text)"
    )
    print(table(groups))
    if any(k.startswith("short file") for k in groups):
        print()
        print(short_table(groups))


if __name__ == "__main__":
    main()
