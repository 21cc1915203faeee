"""Fitting the ranker (scikit-learn, at training time only): one logistic regression per ranked field over
its candidates, a multinomial one for `sender_kind`; the regularisation C is chosen by cross-validation
over the training letters (folds by letter), scored as the share of letters whose top candidate is right."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from services.registration.learned.candidates import Context, same
from services.registration.learned.model import RANKED, Ranker
from services.registration.learned.sender_candidates import kind_features

C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
FOLDS = 5


@dataclass
class Example:
    """One training letter: the rules' reading of it and its hand label (a row of registration.csv)."""

    ctx: Context
    label: dict[str, str]  # its "id" groups the clean and the OCR text of one letter in cross-validation


@dataclass
class Data:
    X: list[dict[str, float]] = field(default_factory=list)
    y: list[int] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)  # the letter (folds keep a letter's texts together)
    texts: list[int] = field(default_factory=list)  # the text a candidate is of (top-1 is per text)


def gold(name: str, label: dict[str, str]) -> str | None:
    """The right value of a ranked field (None: the letter does not teach this field)."""
    if name == "subject":
        return label["subject"] if label.get("subject_explicit") == "yes" else None
    return label["letter_date" if name == "letter_date" else "sender_org"]


def generic(feats: dict[str, float]) -> dict[str, float]:
    """Without the features that say what the rules picked ("rule", "rule_conf_0.85", "rule_value")."""
    return {k: v for k, v in feats.items() if not k.startswith(("rule", "none_rule"))}


def datasets(examples: Iterable[Example], rule_features: bool = True) -> tuple[dict[str, Data], Data]:
    ranked: dict[str, Data] = {name: Data() for name in RANKED}
    kinds = Data()
    ids: dict[str, int] = {}
    for t, ex in enumerate(examples):
        g = ids.setdefault(ex.label.get("id", str(len(ids))), len(ids))
        for name, make in RANKED.items():
            want = gold(name, ex.label)
            if want is None:
                continue
            for c in make(ex.ctx):
                ranked[name].X.append(c.feats if rule_features else generic(c.feats))
                ranked[name].y.append(int(same(c.value, want)))
                ranked[name].groups.append(g)
                ranked[name].texts.append(t)
        org = ex.ctx.fields["sender_org"].value
        kinds.X.append(kind_features(ex.ctx, org, ex.ctx.fields["sender_id"].value))
        kinds.y.append(KIND_INDEX.get(ex.label["sender_kind"], 0))
        kinds.groups.append(g)
        kinds.texts.append(t)
    return ranked, kinds


KIND_CLASSES = ("person", "company", "association", "authority")
KIND_INDEX = {k: i for i, k in enumerate(KIND_CLASSES)}


def _top1(model: Any, vec: Any, data: Data, rows: list[int]) -> float:
    """Share of texts among `rows` whose best candidate is right."""
    probs = model.predict_proba(vec.transform([data.X[i] for i in rows]))[:, 1]
    best: dict[int, tuple[float, int]] = {}
    for p, i in zip(probs, rows, strict=True):
        g = data.texts[i]
        if g not in best or p > best[g][0]:
            best[g] = (p, data.y[i])
    return sum(y for _, y in best.values()) / max(len(best), 1)


def _fit(data: Data, C: float, multiclass: bool) -> tuple[Any, Any]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer()
    X = vec.fit_transform(data.X)
    model = LogisticRegression(C=C, max_iter=2000)
    model.fit(X, data.y)
    return model, vec


def choose_c(data: Data, multiclass: bool = False) -> tuple[float, dict[float, float]]:
    """The C with the best cross-validated score (top-1 per letter; accuracy for the kind)."""
    from sklearn.model_selection import GroupKFold

    scores: dict[float, float] = {}
    letters = len(set(data.groups))
    folds = GroupKFold(n_splits=min(FOLDS, letters))
    for C in C_GRID:
        right = total = 0.0
        for tr, te in folds.split(data.X, data.y, data.groups):
            sub = Data([data.X[i] for i in tr], [data.y[i] for i in tr])
            if len(set(sub.y)) < 2:
                continue
            model, vec = _fit(sub, C, multiclass)
            if multiclass:
                pred = model.predict(vec.transform([data.X[i] for i in te]))
                right += sum(int(p == data.y[i]) for p, i in zip(pred, te, strict=True))
                total += len(te)
            else:
                n = len({data.texts[i] for i in te})
                right += _top1(model, vec, data, list(te)) * n
                total += n
        scores[C] = right / max(total, 1)
    best = max(C_GRID, key=lambda c: (round(scores[c], 6), -abs(c - 1.0)))
    return best, scores


def _export(model: Any, vec: Any, multiclass: bool) -> dict[str, Any]:
    names = vec.get_feature_names_out()
    if multiclass and len(model.classes_) == 2:  # two kinds only: softmax over (0, z) is the sigmoid of z
        w = {str(n): round(float(c), 5) for n, c in zip(names, model.coef_[0], strict=True) if abs(c) > 1e-6}
        return {
            "classes": [KIND_CLASSES[int(k)] for k in model.classes_],
            "intercepts": [0.0, round(float(model.intercept_[0]), 5)],
            "weights": [{}, w],
        }
    if len(model.classes_) == 2:
        w = {str(n): round(float(c), 5) for n, c in zip(names, model.coef_[0], strict=True) if abs(c) > 1e-6}
        return {"intercept": round(float(model.intercept_[0]), 5), "weights": w}
    return {
        "classes": [KIND_CLASSES[int(k)] for k in model.classes_],
        "intercepts": [round(float(b), 5) for b in model.intercept_],
        "weights": [
            {str(n): round(float(c), 5) for n, c in zip(names, row, strict=True) if abs(c) > 1e-6}
            for row in model.coef_
        ],
    }


def train(examples: list[Example], note: str = "", rule_features: bool = True) -> tuple[Ranker, dict[str, Any]]:
    """The ranker fitted on `examples`, and its description (chosen C and cross-validated scores)."""
    ranked, kinds = datasets(examples, rule_features)
    fields: dict[str, Any] = {}
    report: dict[str, Any] = {}
    for name, data in [*ranked.items(), ("sender_kind", kinds)]:
        multiclass = name == "sender_kind"
        C, scores = choose_c(data, multiclass)
        model, vec = _fit(data, C, multiclass)
        fields[name] = _export(model, vec, multiclass)
        report[name] = {"C": C, "cv": {str(k): round(v, 4) for k, v in scores.items()}}
    data = {"version": 1, "note": note, "letters": len(examples), "cv": report, "fields": fields}
    return Ranker.from_dict(data), data
