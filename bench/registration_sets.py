"""Registration fields on every labelled set of letters (clean text), the rules alone and with the ranker,
and the ranker cross-validated by leaving one set out.

    .venv/bin/python bench/registration_sets.py [--shipped] [--cv] [--misses FIELD[,FIELD]] [--sets a,b,...]

Sets (all of them tuning data since session 5; their misses may be printed): `a`, `b` (the corpus,
../shared/corpus/letters/registration.csv), `tune` (bench/data/registration_tune, 120 letters), `fresh3`
(bench/data/fresh_letters_3, 48 letters). The held-out set bench/data/fresh_letters_4 is never read here.

Columns: `rules` (the rules alone); `--shipped`: the ranker shipped in services/registration/data/ranker.json
(trained on all four sets: an in-sample score); `--cv`: per set, a ranker trained on the three other sets
(clean text, plus the OCR text of the corpus scans when bench/.cache/routing_ocr.json exists) scores it.
The rules themselves were written reading all four sets: `--cv` only holds the ranker's layer out.
Scoring as bench/registration.py (subject: exact, where the letter states one).

Result (2026-11-29, session 5: before → after the second round of date, subject and our_dnr rules, same
day; rules written reading all four sets, so `rules` columns are training scores; `cv` holds out only the
ranker; sender, sender_kind, their_ref and recipient_unit unchanged except their_ref tune 98.3 → 99.2%):

| set | letter_date rules | letter_date cv | subject rules | subject cv | our_dnr rules |
|---|---|---|---|---|---|
| a | 100.0 → 100.0 | 100.0 → 100.0 | 98.3 → 98.3 | 96.6 → 98.3 | 100.0 → 100.0 |
| b | 96.9 → 100.0 | 96.9 → 100.0 | 83.5 → 98.9 | 83.5 → 98.9 | 99.0 → 99.0 |
| tune | 100.0 → 100.0 | 98.3 → 100.0 | 100.0 → 100.0 | 100.0 → 100.0 | 99.2 → 100.0 |
| fresh3 | 93.8 → 100.0 | 93.8 → 100.0 | 72.2 → 100.0 | 83.3 → 100.0 | 100.0 → 100.0 |
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.registration import LETTERS, SCORED, TARGETS, propose, score  # noqa: E402
from bench.registration_train import EXTRA, fit, labels  # noqa: E402

SETS = ("a", "b", "tune", "fresh3")


def folder(s: str) -> Path:
    return EXTRA.get(s, LETTERS / s)


def texts(s: str) -> list[tuple[str, str]]:
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder(s).glob("*.txt"))]


def run(s: str, ranker, lab: dict[str, dict[str, str]], misses: list[str]) -> list[dict[str, bool | None]]:
    out = []
    for letter, text in texts(s):
        rec = propose(text, ranker)
        sc = score(lab[letter], rec)
        out.append(sc)
        for f in misses:
            if sc.get(f) is False:
                k = "sender_name" if f == "sender" else f
                print(f"{letter} {f}: want {lab[letter][k]!r} got {rec[k]['value']!r}", file=sys.stderr)
    return out


def table(results: dict[str, list[dict[str, bool | None]]]) -> list[str]:
    rows = ["| field | " + " | ".join(results) + " | target |", "|---" * (len(results) + 2) + "|"]
    for field in SCORED:
        cells = []
        for res in results.values():
            vals = [r[field] for r in res if r[field] is not None]
            cells.append(f"{sum(vals) / len(vals):.1%} ({sum(vals)}/{len(vals)})" if vals else "–")
        target = f">= {TARGETS[field]:.0%}" if field in TARGETS else ""
        rows.append(f"| {field} | " + " | ".join(cells) + f" | {target} |")
    return rows


def main() -> None:
    from services.registration.extract import DEFAULT

    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--shipped", action="store_true", help="also the shipped ranker (in-sample)")
    ap.add_argument("--cv", action="store_true", help="also a ranker per set trained on the other sets")
    ap.add_argument("--misses", default="", help="print the rules' misses of these fields (comma-separated)")
    args = ap.parse_args()
    lab = labels()
    sets = args.sets.split(",")
    misses = [f for f in args.misses.split(",") if f]
    results = {f"rules {s}": run(s, None, lab, misses) for s in sets}
    if args.shipped:
        results |= {f"shipped {s}": run(s, DEFAULT, lab, []) for s in sets}
    if args.cv:
        for s in sets:
            model = fit([o for o in SETS if o != s])[0]
            results[f"cv {s}"] = run(s, model, lab, [])
    print("\n".join(table(results)))


if __name__ == "__main__":
    main()
