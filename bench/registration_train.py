"""Retrain the registration ranker shipped with the package (services/registration/data/ranker.json).

    .venv/bin/python bench/registration_train.py [--sets a,b] [--no-ocr] [--out PATH]

Trains on the hand labels of ../shared/corpus/letters/registration.csv: the clean text of every letter of
the given sets (default a, b, tune and fresh3: the 360 labelled letters, for production; "tune":
bench/data/registration_tune, "fresh3": bench/data/fresh_letters_3, tuning data since session 5)
and, unless --no-ocr, the OCR text of their scans from bench/.cache/routing_ocr.json (written by
bench/routing_ocr_cache.py) when that file exists.
The regularisation of each model is chosen by 5-fold cross-validation over the training letters; the chosen
C and the cross-validated scores are printed and stored in the file. The held-out measurement (train on one
set, score the other, both ways) is bench/registration.py's.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
LETTERS = REPO.parent / "shared" / "corpus" / "letters"
SCANS = REPO.parent / "shared" / "corpus" / "scans"
OCR_CACHE = REPO / "bench" / ".cache" / "routing_ocr.json"
# the tuning letters written for issue 12 (clean text only, labelled like the corpus): set name "tune"
TUNE = REPO / "bench" / "data" / "registration_tune"
# the letters written for issues 12 and 15 as a held-out set, spent (tuning data) since session 5: "fresh3"
FRESH3 = REPO / "bench" / "data" / "fresh_letters_3"
EXTRA = {"tune": TUNE, "fresh3": FRESH3}


def labels() -> dict[str, dict[str, str]]:
    out = {r["id"]: r for r in csv.DictReader((LETTERS / "registration.csv").open(encoding="utf-8"))}
    for folder in EXTRA.values():
        out |= {r["id"]: r for r in csv.DictReader((folder / "registration.csv").open(encoding="utf-8"))}
    return out


def _folder(s: str) -> Path:
    return EXTRA.get(s, LETTERS / s)


def texts(sets: list[str], ocr: bool) -> list[tuple[str, str]]:
    """(letter id, text) of the clean letters of `sets` and, with `ocr`, of their scans' OCR text."""
    out = [(p.stem, p.read_text(encoding="utf-8")) for s in sets for p in sorted(_folder(s).glob("*.txt"))]
    if ocr and OCR_CACHE.exists():
        cache = json.loads(OCR_CACHE.read_text(encoding="utf-8"))
        for s in sets:
            if s in EXTRA:
                continue  # no scans
            for row in csv.DictReader((SCANS / s / "manifest.csv").open(encoding="utf-8")):
                if row["id"] in cache:
                    out.append((row["id"], cache[row["id"]]))
    return out


def examples(sets: list[str], ocr: bool = True) -> list:
    from services.classify.signals import department_codes, find_case_refs
    from services.registration import ocr_clean
    from services.registration.extract import rule_context
    from services.registration.learned.train import Example

    lab = labels()
    out = []
    for letter, text in texts(sets, ocr):
        cleaned, _ = ocr_clean.clean(text)
        out.append(Example(rule_context(cleaned, find_case_refs(text), department_codes()), lab[letter]))
    return out


def fit(sets: list[str], ocr: bool = True, rule_features: bool = True):
    from services.registration.learned.train import train

    exs = examples(sets, ocr)
    note = f"trained on sets {','.join(sets)} (clean text{' + OCR text' if ocr and OCR_CACHE.exists() else ''})"
    return train(exs, note, rule_features)


def main() -> None:
    from services.registration.learned.model import DEFAULT_PATH

    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="a,b,tune,fresh3")
    ap.add_argument("--no-ocr", action="store_true")
    ap.add_argument("--out", default=str(DEFAULT_PATH))
    ap.add_argument("--no-rule-features", action="store_true", help="rank without knowing the rules' picks")
    args = ap.parse_args()
    _, data = fit(args.sets.split(","), not args.no_ocr, not args.no_rule_features)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{data['note']}: {data['letters']} texts -> {args.out}")
    for name, r in data["cv"].items():
        print(f"  {name}: C={r['C']}  cross-validated: {r['cv']}")


if __name__ == "__main__":
    main()
