"""Per-field accuracy of the proposed registration record against the hand labels: the rules alone, and the
rules with the learned ranker over them (services/registration/learned/), scored by 2-fold cross-validation.

    .venv/bin/python bench/registration.py [--ocr [N]] [--errors FIELD] [--rules-only] [--ablation] [--erms]
    .venv/bin/python bench/registration.py --set fresh3|fresh4 [--rules-only]

`--set fresh3`: bench/data/fresh_letters_3 (48 letters written 2026-11-29; held out until session 4, tuning
data since session 5: `--errors FIELD` prints its misses), clean text only: the rules alone, and the ranker
trained on corpus sets a, b and the tuning letters. Every labelled set side by side, and the ranker
cross-validated by leaving one set out: bench/registration_sets.py. The held-out set is now
bench/data/fresh_letters_4 (scored by the lead only; never read by these scripts).
        [--train-tune]
    .venv/bin/python bench/registration.py --set tune [--errors FIELD]     # or --dir DIR [--labels CSV]

`--set tune` scores the rules on set a and on the tuning letters of bench/data/registration_tune/ (120
letters written for issue 12 in shapes set a lacks, labelled like the corpus before any run; their misses
may be printed: the rules are tuned on them). `--dir`/`--labels` score any folder of labelled letters.
`--train-tune` trains each ranker fold on the tuning letters too (fold b←a: sets a + tune).

Labels: ../shared/corpus/letters/registration.csv (192 letters). Clean text is each letter's .txt; with
`--ocr` every scan of each set (../shared/corpus/scans/<set>/manifest.csv; `--ocr N`: the first N) is
scored on its OCR text too: the text of bench/.cache/routing_ocr.json, written once by
`OMP_THREAD_LIMIT=1 .venv/bin/python bench/routing_ocr_cache.py` (the project's extraction, ~16 min on 2
shared vCPUs), else OCR'd here and cached under /tmp.

Scoring, after normalising case and spacing:
- sender: the proposed name is one of the labelled names, or the proposed organisation is the labelled one
  (for letters with a labelled name or organisation);
- subject: exact, only where the letter states one (subject_explicit = yes);
- every other field: exact (an empty label must be proposed empty).

Columns:
- `rules a`, `rules b`: the rules alone (both training scores since session 5: the rules read a and b).
- `lrn b←a`: the ranker as shipped, trained on set a's labels (clean and OCR text; C chosen by
  cross-validation within a), scoring set b. `lrn a←b`: the swapped fold. `lrn mean`: the 2-fold mean.
- The shipped ranker re-ranks letter_date, subject and sender_org and knows the rules' picks. sender_kind
  is the rules' reading of the chosen organisation; the classifier gives its confidence.
- `gen` (`--ablation`): the ranker without the rule-pick features; there the kind classifier picks the kind.
- `--errors FIELD` (alias `--misses`) prints the rules' misses of sets a and b (both tuning data now).
- The confidence lines show how often a field is right at each confidence. The validation station marks a
  field below 0.8.

Result (2026-11-29, session 5, after the second round of date, subject and our_dnr rules; `--ocr --train-tune`).
The rules were written reading sets a, b, the tuning letters and fresh_letters_3: every column is a
training score now (the held-out set is bench/data/fresh_letters_4, scored by the lead). Before this
round (same run, rules): clean b letter_date 96.9%, subject 83.5%; OCR b 92.7%, 80.2%.

Clean text:

| field | rules a | rules b | lrn b←a | lrn a←b | rules mean | lrn mean | n a/b | target |
|---|---|---|---|---|---|---|---|---|
| letter_date | 100.0% | 100.0% | 100.0% | 100.0% | **100.0%** | **100.0%** | 96/96 | >= 97% |
| our_dnr | 100.0% | 99.0% | 99.0% | 100.0% | **99.5%** | **99.5%** | 96/96 | >= 98% |
| sender | 100.0% | 94.8% | 94.8% | 100.0% | **97.4%** | **97.4%** | 95/96 | >= 93% |
| sender_kind | 100.0% | 91.7% | 91.7% | 100.0% | **95.8%** | **95.8%** | 96/96 | >= 90% |
| subject | 98.3% | 98.9% | 98.9% | 98.3% | **98.6%** | **98.6%** | 59/91 | >= 90% |
| their_ref | 96.9% | 91.7% | 91.7% | 96.9% | **94.3%** | **94.3%** | 96/96 |  |
| recipient_unit | 95.8% | 88.5% | 88.5% | 95.8% | **92.2%** | **92.2%** | 96/96 |  |

OCR text:

| field | rules a | rules b | lrn b←a | lrn a←b | rules mean | lrn mean | n a/b | target |
|---|---|---|---|---|---|---|---|---|
| letter_date | 99.0% | 99.0% | 99.0% | 99.0% | **99.0%** | **99.0%** | 96/96 | >= 97% |
| our_dnr | 100.0% | 97.9% | 97.9% | 100.0% | **99.0%** | **99.0%** | 96/96 | >= 98% |
| sender | 98.9% | 90.6% | 90.6% | 98.9% | **94.8%** | **94.8%** | 95/96 | >= 93% |
| sender_kind | 100.0% | 91.7% | 91.7% | 100.0% | **95.8%** | **95.8%** | 96/96 | >= 90% |
| subject | 91.5% | 94.5% | 94.5% | 91.5% | **93.0%** | **93.0%** | 59/91 | >= 90% |
| their_ref | 95.8% | 91.7% | 91.7% | 95.8% | **93.8%** | **93.8%** | 96/96 |  |
| recipient_unit | 88.5% | 88.5% | 88.5% | 88.5% | **88.5%** | **88.5%** | 96/96 |  |

How often a field is right at each confidence (rules: every text above; learned: the 2 folds):

- rules letter_date: 0.5-0.8: 41/43 95% | 0.8-0.95: 296/296 100% | >=0.95: 45/45 100%
- rules sender_org: <0.5: 4/9 44% | 0.5-0.8: 208/216 96% | 0.8-0.95: 140/159 88%
- rules sender_kind: 0.5-0.8: 15/15 100% | 0.8-0.95: 353/369 96%
- rules subject: <0.5: 0/1 0% | 0.5-0.8: 183/190 96% | 0.8-0.95: 105/109 96%
- learned letter_date: <0.5: 1/3 33% | 0.5-0.8: 5/5 100% | 0.8-0.95: 41/41 100% | >=0.95: 335/335 100%
- learned sender_org: <0.5: 2/2 100% | 0.5-0.8: 13/20 65% | 0.8-0.95: 147/163 90% | >=0.95: 190/199 95%
- learned sender_kind: <0.5: 11/11 100% | 0.5-0.8: 35/37 95% | 0.8-0.95: 138/143 97% | >=0.95: 184/193 95%
- learned subject: <0.5: 9/11 82% | 0.5-0.8: 26/27 96% | 0.8-0.95: 51/53 96% | >=0.95: 202/209 97%
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared"
LETTERS = SHARED / "corpus" / "letters"
SCANS = SHARED / "corpus" / "scans"
SCORED = ("letter_date", "our_dnr", "sender", "sender_kind", "subject", "their_ref", "recipient_unit")
TARGETS = {"letter_date": 0.97, "our_dnr": 0.98, "sender": 0.93, "sender_kind": 0.90, "subject": 0.90}


def norm(s: str | None) -> str:
    import re

    return re.sub(r"\s+", " ", (s or "").strip()).casefold()


def score(label: dict[str, str], rec: dict[str, dict]) -> dict[str, bool | None]:
    v = {k: norm(f["value"]) for k, f in rec.items()}
    names = {norm(n) for n in label["sender_name"].replace(" och ", ";").split(";") if n.strip()} | {
        norm(label["sender_name"])
    }
    pred_names = {norm(n) for n in v["sender_name"].split(";") if n.strip()} | {v["sender_name"]}
    has_sender = bool(label["sender_name"] or label["sender_org"])
    out: dict[str, bool | None] = {
        "letter_date": v["letter_date"] == norm(label["letter_date"]),
        "our_dnr": v["our_dnr"] == norm(label["our_dnr"]),
        "sender": (
            bool(pred_names & names - {""})
            or (bool(label["sender_org"]) and v["sender_org"] == norm(label["sender_org"]))
        )
        if has_sender
        else None,
        "sender_kind": v["sender_kind"] == norm(label["sender_kind"]),
        "subject": (v["subject"] == norm(label["subject"])) if label["subject_explicit"] == "yes" else None,
        "their_ref": v["their_ref"] == norm(label["their_ref"]),
        "recipient_unit": v["recipient_unit"] == norm(label["recipient_unit"]),
    }
    return out


def propose(text: str, ranker=None) -> dict[str, dict]:
    """The proposal of the rules alone (ranker None) or with a learned ranker over them."""
    from services.classify.signals import department_codes, find_case_refs
    from services.registration.service import propose_record

    return propose_record(text, find_case_refs(text), department_codes(), ranker=ranker)["fields"]


def erms_valid(text: str, item_id: int, secret_hint: bool) -> list[str]:
    """Build the ERMS record of the proposal (as an export would) and validate it against the schema."""
    from datetime import UTC, date, datetime

    from services.classify.signals import department_codes, find_case_refs
    from services.export import erms
    from services.registration.service import propose_record

    rec = propose_record(text, find_case_refs(text), department_codes(), sensitive_hint=secret_hint)
    values = {k: str(v.get("value", "")) for k, v in rec["fields"].items()}
    inp = erms.ErmsInput(
        item_id=item_id,
        fields=values,
        arrival_date=date(2025, 6, 19),
        registered_at=datetime.now(UTC),
        secret=rec["secret"],
        authority="Solvik kommun",
        department=None,
        original_name="original.pdf",
        original_format="application/pdf",
        archival_pdf_name="archival.pdf",
        do_not_open=rec["do_not_open"],
    )
    return erms.validate(erms.build(inp))


OCR_CACHE = Path("/tmp/posthantering-registration-ocr")
# The OCR text of every corpus scan, written once by bench/routing_ocr_cache.py (the same extraction).
SHARED_OCR_CACHE = REPO / "bench" / ".cache" / "routing_ocr.json"
WRITING_SETS = {"a", "b", "rt", "f3"}  # tuning data (id prefix): their misses may be printed
# Extra letter sets scored by the rules with `--set NAME` (or any folder: `--dir D --labels CSV`).
NAMED_SETS = {"tune": REPO / "bench" / "data" / "registration_tune"}


def load_ocr_cache() -> dict[str, str]:
    return json.loads(SHARED_OCR_CACHE.read_text(encoding="utf-8")) if SHARED_OCR_CACHE.exists() else {}


def ocr_text(path: Path) -> str:
    """The project's extraction of a scan, cached (by file name and size) so reruns score without re-OCR."""
    cached = OCR_CACHE / f"{path.parent.name}-{path.name}-{path.stat().st_size}.txt"
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    text = _ocr(path)
    OCR_CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(text, encoding="utf-8")
    return text


def _ocr(path: Path) -> str:
    from services.core.settings import get_settings
    from services.ingest.extract import extract_document
    from services.ingest.sniff import sniff

    settings = get_settings()
    info = sniff(path, settings)
    return "\n\n".join(p.text for p in extract_document(path, info.mime, settings))


def table(results: dict[str, list[dict[str, bool | None]]], means: dict[str, tuple[str, str]]) -> list[str]:
    """A column per result set, and per entry of `means` the mean of two columns (the 2-fold mean)."""
    cols = [*results, *means]
    rows = ["| field | " + " | ".join(cols) + " | n a/b | target |", "|---" * (len(cols) + 3) + "|"]
    for field in SCORED:
        share: dict[str, float | None] = {}
        count: dict[str, int] = {}
        for key, res in results.items():
            vals = [r[field] for r in res if r[field] is not None]
            share[key], count[key] = (sum(vals) / len(vals) if vals else None), len(vals)
        cells = [f"{share[k]:.1%}" if share[k] is not None else "–" for k in results]
        for a, b in means.values():
            both = share[a] is not None and share[b] is not None
            cells.append(f"**{(share[a] + share[b]) / 2:.1%}**" if both else "–")
        n = "/".join(str(count[k]) for k in list(results)[:2])
        target = f">= {TARGETS[field]:.0%}" if field in TARGETS else ""
        rows.append(f"| {field} | " + " | ".join(cells) + f" | {n} | {target} |")
    return rows


BINS = (0.5, 0.8, 0.95, 1.01)  # 0.8: the validation station marks a field below it (registration_low_confidence)
CALIBRATED = {"letter_date": "letter_date", "sender_org": "sender", "sender_kind": "sender_kind", "subject": "subject"}


def calibration(points: list[tuple[float, bool]]) -> str:
    """ "0.5-0.8: 12/20 60%": how often a field is right at each confidence."""
    out, lo = [], 0.0
    for hi in BINS:
        inside = [ok for c, ok in points if lo <= c < hi]
        if inside:
            span = f">={lo:g}" if hi > 1 else f"<{hi:g}" if lo == 0 else f"{lo:g}-{hi:g}"
            out.append(f"{span}: {sum(inside)}/{len(inside)} {sum(inside) / len(inside):.0%}")
        lo = hi
    return " | ".join(out)


def texts_of(s: str, ocr: str) -> list[tuple[str, str]]:
    """(id, text): the clean letters of set s, or (ocr "all"/N) their scans' OCR text."""
    if not ocr:
        return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((LETTERS / s).glob("*.txt"))]
    shared_cache = load_ocr_cache()
    manifest = list(csv.DictReader((SCANS / s / "manifest.csv").open(encoding="utf-8")))
    if ocr != "all":
        manifest = manifest[: int(ocr)]
    out = []
    for row in manifest:
        text = shared_cache.get(row["id"])
        out.append(
            (row["id"], text if text is not None else ocr_text(SCANS / s / row.get("file", row.get("path", ""))))
        )
    return out


def run(texts, labels, ranker, errors: str = "", conf: dict | None = None) -> list[dict[str, bool | None]]:
    out = []
    for letter, text in texts:
        rec = propose(text, ranker)
        sc = score(labels[letter], rec)
        out.append(sc)
        if conf is not None:
            lab = labels[letter]
            right = dict(sc) | {"sender_org": norm(rec["sender_org"]["value"]) == norm(lab["sender_org"])}
            for f in CALIBRATED:
                if right.get(f) is not None:
                    conf.setdefault(f, []).append((rec[f]["confidence"], bool(right[f])))
        if errors and letter.split("-")[0] in WRITING_SETS and sc.get(errors) is False:
            f = "sender_name" if errors == "sender" else errors
            lab = labels[letter]
            want = f"{lab['sender_name']} / {lab['sender_org']}" if errors == "sender" else lab[f]
            got = (
                f"{rec['sender_name']['value']} / {rec['sender_org']['value']}"
                if errors == "sender"
                else rec[f]["value"]
            )
            print(f"{letter}: want {want!r} got {got!r}", file=sys.stderr)
    return out


def fresh_texts(folder: Path) -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """(id, clean text) of every letter of a fresh_letters folder, and its labels by id."""
    labels = {r["id"]: r for r in csv.DictReader((folder / "registration.csv").open(encoding="utf-8"))}
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))]
    return texts, labels


def score_fresh(folder: Path, rules_only: bool, errors: str = "") -> None:
    """A fresh_letters set: the rules alone and with the shipped ranker (clean text)."""
    from services.registration.extract import DEFAULT

    texts, labels = fresh_texts(folder)
    started = time.perf_counter()
    results = {"rules": run(texts, labels, None, errors)}
    if not rules_only:
        results["rules + shipped ranker"] = run(texts, labels, DEFAULT)
    rows = ["| field | " + " | ".join(results) + " | n | target |", "|---" * (len(results) + 3) + "|"]
    for field in SCORED:
        cells, n = [], 0
        for res in results.values():
            vals = [r[field] for r in res if r[field] is not None]
            n = len(vals)
            cells.append(f"{sum(vals) / n:.1%}" if n else "–")
        target = f">= {TARGETS[field]:.0%}" if field in TARGETS else ""
        rows.append(f"| {field} | " + " | ".join(cells) + f" | {n} | {target} |")
    print(f"\n{folder.name}, clean text:\n" + "\n".join(rows))
    print(f"\n{len(texts)} letters scored in {time.perf_counter() - started:.0f} s")


def extra_set(folder: Path, labels_csv: str, errors: str) -> None:
    """The rules on set a (where they were written) and on an extra folder of labelled letters."""
    labels = {r["id"]: r for r in csv.DictReader((LETTERS / "registration.csv").open(encoding="utf-8"))}
    extra_labels = Path(labels_csv) if labels_csv else folder / "registration.csv"
    labels |= {r["id"]: r for r in csv.DictReader(extra_labels.open(encoding="utf-8"))}
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))]
    results = {"rules a": run(texts_of("a", ""), labels, None)}
    results[f"rules {folder.name}"] = run(texts, labels, None, errors)
    print("\n".join(table(results, {})))


def main() -> None:
    from bench.registration_train import fit

    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--ocr", nargs="?", const="all", default="", help="score the OCR text of every scan (or of the first N) too"
    )
    ap.add_argument("--errors", "--misses", default="", help="print the rules' misses of this field")
    ap.add_argument("--rules-only", action="store_true", help="no learned ranker (no training)")
    ap.add_argument("--erms", action="store_true", help="validate the ERMS record of every letter")
    ap.add_argument(
        "--ablation", action="store_true", help="also the ranker without rule-pick features, kind by the classifier"
    )
    ap.add_argument("--train-tune", action="store_true", help="train each ranker fold on the tune set too")
    ap.add_argument(
        "--set",
        default="",
        choices=("", "fresh3", "fresh4", *sorted(NAMED_SETS)),
        help="fresh3/fresh4: fresh_letters_3/4 (spent); tune: the tuning letters (rules only)",
    )
    ap.add_argument("--dir", default="", help="score the rules on the letters (*.txt) of this folder")
    ap.add_argument("--labels", default="", help="the labels of --dir (default: DIR/registration.csv)")
    args = ap.parse_args()
    if args.set in ("fresh3", "fresh4"):
        score_fresh(REPO / "bench" / "data" / f"fresh_letters_{args.set[-1]}", args.rules_only, args.errors)
        return
    if args.set or args.dir:
        extra_set(Path(args.dir) if args.dir else NAMED_SETS[args.set], args.labels, args.errors)
        return
    labels = {r["id"]: r for r in csv.DictReader((LETTERS / "registration.csv").open(encoding="utf-8"))}
    started = time.perf_counter()
    variants = [] if args.rules_only else [("lrn", True)] + ([("gen", False)] if args.ablation else [])
    extra = ["tune"] if args.train_tune else []
    models = {(v, s): fit([s, *extra], rule_features=rf)[0] for v, rf in variants for s in ("a", "b")}
    for (v, _), model in models.items():
        model.classify_kind = v == "gen"  # the ablation: everything learned, the kind too
    trained = time.perf_counter() - started
    conf_rules: dict[str, list] = {}
    conf_learned: dict[str, list] = {}
    n = 0
    for kind, ocr in (("clean", ""), ("OCR", args.ocr)):
        if kind == "OCR" and not args.ocr:
            continue
        results: dict[str, list[dict[str, bool | None]]] = {}
        for s in ("a", "b"):
            texts = texts_of(s, ocr)
            n += len(texts)
            results[f"rules {s}"] = run(texts, labels, None, args.errors if kind == "clean" else "", conf_rules)
        means = {"rules mean": ("rules a", "rules b")}
        for v, _ in variants:
            for s, other in (("b", "a"), ("a", "b")):
                conf = conf_learned if v == "lrn" else None
                results[f"{v} {s}←{other}"] = run(texts_of(s, ocr), labels, models[(v, other)], "", conf)
            means[f"{v} mean"] = (f"{v} a←b", f"{v} b←a")
        print(f"\n{kind} text:\n" + "\n".join(table(results, means)))
    print("\nHow often a field is right at each confidence (rules: every text above; learned: held-out folds):")
    for name, conf in (("rules", conf_rules), ("learned", conf_learned)):
        for f, points in conf.items():
            print(f"- {name} {f}: {calibration(points)}")
    seconds = time.perf_counter() - started
    print(f"\n{n} texts scored (x2 with the ranker); training both folds {trained:.0f} s, in all {seconds:.0f} s")
    if args.erms:
        bad, total = [], 0
        for s in ("a", "b"):
            for i, path in enumerate(sorted((LETTERS / s).glob("*.txt"))):
                total += 1
                errors = erms_valid(path.read_text(encoding="utf-8"), 1000 + i, False)
                if errors:
                    bad.append((path.stem, errors[0]))
        print(f"ERMS 3: {total - len(bad)} of {total} records valid against ERMS_v3.xsd")
        for stem, err in bad[:10]:
            print(f"  {stem}: {err}")


if __name__ == "__main__":
    main()
