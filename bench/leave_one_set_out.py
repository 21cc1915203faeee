"""Leave one set out: train on every other labelled set, score a whole set that played no part in that model.

The sets: corpus part a, corpus part b, bench/data/hard_letters, hard_letters_2, fresh_letters_3. For each
set, a model is trained on the other four with the shipped recipe (``training.train_classifier``: the
thresholds come from that training data's own out-of-fold predictions, at the stated confidence), and the
held-out set is decided the way the pipeline decides (``service.decide``: per-department thresholds, the
reference-line and case-reference rules; no case register, no admin rules). Reported per set: top-1 of the
final decision, auto-routed share, auto precision (misroutes), and the model's threshold.

No letter is scored by a model that saw it, and no threshold is chosen on the letters it is judged by. All
five sets have been read while tuning (the recipe was chosen on them), so this measures how the recipe
carries over to a set in another style, not a fresh-letter score.

    .venv/bin/python bench/leave_one_set_out.py            # all five sets
    .venv/bin/python bench/leave_one_set_out.py --sets hard2 fresh3
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.classify.model import Classifier  # noqa: E402
from services.classify.service import decide, default_sensitive_departments  # noqa: E402
from services.classify.thresholds import precision_lower_bound  # noqa: E402
from services.classify.training import Example, read_corpus, train_classifier  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "letters"
SETS = {
    "a": CORPUS / "a",
    "b": CORPUS / "b",
    "hard": ROOT / "bench" / "data" / "hard_letters",
    "hard2": ROOT / "bench" / "data" / "hard_letters_2",
    "fresh3": ROOT / "bench" / "data" / "fresh_letters_3",
}


def score(model: Classifier, letters: list[Example]) -> dict:
    sens = default_sensitive_departments()
    texts = [e.text for e in letters]
    proba = model.predict_proba(texts)
    doc_types = model.predict_doc_type(texts)
    right = auto = auto_right = 0
    misses = []
    for e, p, doc in zip(letters, proba, doc_types, strict=True):
        d = decide(
            e.text,
            model.classes,
            p,
            threshold=model.threshold,
            thresholds=model.department_thresholds(),
            sensitive_departments=sens,
            doc_type=doc,
        )
        ok = d.department == e.department
        right += ok
        if not ok:
            how = "AUTO-ROUTED" if d.decision == "auto" else "review"
            misses.append(f"{e.id} {e.department} -> {d.department} {d.confidence:.3f} {how} {d.reasons['rule'] or ''}")
        if d.decision == "auto":
            auto += 1
            auto_right += ok
    n = len(letters)
    return {
        "n": n,
        "top1": right / n,
        "auto_n": auto,
        "auto_wrong": auto - auto_right,
        "auto_share": auto / n,
        "misses": misses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=list(SETS), default=list(SETS))
    parser.add_argument("--misses", action="store_true", help="print each wrong letter (id, truth, decision)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / ".cache" / "leave_one_set_out.json")
    args = parser.parse_args()
    data = {name: read_corpus([path]) for name, path in SETS.items()}
    print("| held-out set | letters | trained on | top-1 | auto-routed | auto precision | threshold (per dept) |")
    print("|---|---|---|---|---|---|---|")
    rows = []
    for name in args.sets:
        base = [e for other, letters in data.items() if other != name for e in letters]
        started = time.perf_counter()
        model = train_classifier(base)
        row = {"set": name, "trained_on": len(base), "threshold": model.threshold, **score(model, data[name])}
        row["thresholds"] = model.department_thresholds()
        row["seconds"] = round(time.perf_counter() - started, 1)
        rows.append(row)
        per = ", ".join(f"{d} {t:.3f}" for d, t in sorted(row["thresholds"].items()))
        prec = (row["auto_n"] - row["auto_wrong"]) / row["auto_n"] if row["auto_n"] else 1.0
        print(
            f"| {name} | {row['n']} | {len(base)} | {row['top1']:.1%} | {row['auto_share']:.1%} | "
            f"{prec:.1%} ({row['auto_wrong']} wrong of {row['auto_n']}) | {model.threshold:.3f} ({per or '-'}) |",
            flush=True,
        )
    n = sum(r["n"] for r in rows)
    auto = sum(r["auto_n"] for r in rows)
    wrong = sum(r["auto_wrong"] for r in rows)
    top1 = sum(r["top1"] * r["n"] for r in rows) / n
    print(
        f"all held-out letters: {n}, top-1 {top1:.1%}, auto {auto / n:.1%}, auto precision "
        f"{(auto - wrong) / auto if auto else 1:.1%} ({wrong} wrong of {auto}; 80% lower bound "
        f"{precision_lower_bound(auto - wrong, auto):.1%})"
    )
    if args.misses:
        for r in rows:
            for miss in r["misses"]:
                print(f"{r['set']}: {miss}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
