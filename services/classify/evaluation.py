"""Cross-validated evaluation of the routing decision (model + case-reference rule + threshold).

Stratified k-fold (seeded, deterministic). For each outer fold the model is trained on the other folds,
and the auto-route threshold is chosen INSIDE that training part from its own inner out-of-fold
probabilities (nested, so the reported auto-route precision is honest: the held-out letters played no
part in choosing the threshold they are judged by). For comparison the report also gives the threshold
chosen from the pooled outer out-of-fold probabilities (``oof_threshold``), which is how ``train``
picks the threshold for the shipped model; its auto precision is optimistic by construction.

Department figures (accuracy, macro-F1, per department, confusion matrix) are for the final decision,
with the case-reference rule applied; ``model_accuracy`` is the bare model's top-1 accuracy.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from services.classify.model import fit_pipelines
from services.classify.service import decide, default_sensitive_departments
from services.classify.thresholds import choose_thresholds, method_text
from services.classify.training import (
    CV_FOLDS,
    SEED,
    TARGET_PRECISION,
    Example,
    _folds,
    augmented,
    auto_stats,
    choose_threshold,
    oof_probabilities,
    read_corpus,
)


def evaluate(corpus_dirs: list[Path], folds: int = CV_FOLDS, seed: int = SEED) -> dict[str, Any]:
    """Evaluate on the labelled letters in ``corpus_dirs`` (see the module docstring for the method)."""
    report = evaluate_examples(read_corpus(corpus_dirs), folds=folds, seed=seed)
    report["corpus"] = [str(Path(d)) for d in corpus_dirs]
    return report


def evaluate_examples(
    examples: Sequence[Example],
    *,
    folds: int = CV_FOLDS,
    seed: int = SEED,
    params: dict[str, Any] | None = None,
    nested: bool = True,
    extra: Sequence[Sequence[str]] | None = None,
) -> dict[str, Any]:
    """See the module docstring. ``extra[i]``: more training texts of letter i (training folds only)."""
    texts = [e.text for e in examples]
    y = np.asarray([e.department for e in examples])
    doc_y = [e.doc_type or "ovrigt" for e in examples]
    classes = sorted(set(y.tolist()))
    n = len(examples)
    n_folds = _folds(y.tolist(), folds)
    sens_deps = default_sensitive_departments()

    proba = np.zeros((n, len(classes)))
    fold_threshold = np.ones(n)
    fold_per: list[dict[str, float]] = [{} for _ in range(n)]
    doc_pred: list[str | None] = [None] * n
    fold_thresholds: list[float] = []
    skf = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in skf.split(texts, y):
        tr_texts = [texts[i] for i in train_idx]
        te_texts = [texts[i] for i in test_idx]
        fit_texts, fit_y = augmented(tr_texts, y[train_idx].tolist(), extra, train_idx)
        fit_doc = augmented(tr_texts, [doc_y[i] for i in train_idx], extra, train_idx)[1]
        dep_pipe, doc_pipe = fit_pipelines(fit_texts, fit_y, fit_doc, seed=seed, params=params)
        p = dep_pipe.predict_proba(te_texts)
        cols = [classes.index(str(c)) for c in dep_pipe.classes_]
        proba[np.ix_(test_idx, cols)] = p
        if doc_pipe is not None:
            for i, d in zip(test_idx, doc_pipe.predict(te_texts), strict=True):
                doc_pred[i] = str(d)
        if nested:
            inner_extra = [extra[i] for i in train_idx] if extra is not None else None
            inner_classes, inner = oof_probabilities(
                tr_texts, y[train_idx].tolist(), folds=folds, seed=seed, params=params, extra=inner_extra
            )
            inner_pred = np.asarray(inner_classes)[inner.argmax(axis=1)]
            t, per = choose_thresholds(inner.max(axis=1), inner_pred == y[train_idx], inner_pred.tolist())
        else:
            t, per = float("nan"), {}
        fold_thresholds.append(t)
        fold_threshold[test_idx] = t
        for i in test_idx:
            fold_per[i] = per

    model_pred = np.asarray(classes)[proba.argmax(axis=1)]
    model_conf = proba.max(axis=1)
    model_correct = model_pred == y
    oof_t = choose_threshold(model_conf, model_correct)

    decisions = [
        decide(
            texts[i],
            classes,
            proba[i],
            threshold=float(fold_threshold[i]) if nested else oof_t,
            thresholds=fold_per[i] if nested else None,
            sensitive_departments=sens_deps,
        )
        for i in range(n)
    ]
    pred = np.asarray([d.department for d in decisions])
    conf = np.asarray([d.confidence for d in decisions])
    correct = pred == y
    rule_hits = [i for i, d in enumerate(decisions) if d.reasons["rule"]]

    prec, rec, f1, support = precision_recall_fscore_support(y, pred, labels=classes, zero_division=0)
    sens_pred = np.asarray([d.sensitive for d in decisions])
    sens_true = np.asarray([e.sensitive for e in examples])
    doc_known = [i for i in range(n) if doc_pred[i] is not None]

    report: dict[str, Any] = {
        "n": n,
        "folds": n_folds,
        "seed": seed,
        "accuracy": float(accuracy_score(y, pred)),
        "macro_f1": float(f1_score(y, pred, labels=classes, average="macro", zero_division=0)),
        "model_accuracy": float(model_correct.mean()),
        "per_department": {
            c: {"precision": float(prec[k]), "recall": float(rec[k]), "f1": float(f1[k]), "support": int(support[k])}
            for k, c in enumerate(classes)
        },
        "confusion": {"labels": classes, "matrix": confusion_matrix(y, pred, labels=classes).tolist()},
        "target_precision": TARGET_PRECISION,
        "threshold_method": "nested: chosen inside each outer fold's training data from inner out-of-fold "
        f"probabilities; {method_text()}"
        if nested
        else "out-of-fold: chosen from the pooled outer out-of-fold probabilities (optimistic)",
        "fold_thresholds": fold_thresholds if nested else [],
        "threshold": float(np.median(fold_thresholds)) if nested else oof_t,
        "oof_threshold": oof_t,  # the plain point estimate, for comparison
        "oof_threshold_stats": auto_stats(model_conf, model_correct, oof_t),
        "case_ref_rule": {
            "applied": len(rule_hits),
            "correct": int(sum(correct[i] for i in rule_hits)),
            "model_top1_correct_there": int(sum(model_correct[i] for i in rule_hits)),
        },
        "calibration": calibration(model_conf, model_correct),
        "doc_type_accuracy": float(np.mean([doc_pred[i] == doc_y[i] for i in doc_known])) if doc_known else None,
        "sensitive": {
            "accuracy": float((sens_pred == sens_true).mean()),
            "recall": float(sens_pred[sens_true].mean()) if sens_true.any() else 1.0,
            "precision": float(sens_true[sens_pred].mean()) if sens_pred.any() else 1.0,
        },
    }
    if nested:
        auto = np.asarray([d.decision == "auto" for d in decisions])
        report["auto_count"] = int(auto.sum())
        report["auto_rate"] = float(auto.mean())
        report["auto_precision"] = float(correct[auto].mean()) if auto.any() else 1.0
    else:
        report.update(auto_stats(conf, correct, oof_t))
    return report


def calibration(confidence: np.ndarray, correct: np.ndarray, bins: int = 5) -> dict[str, Any]:
    """Reliability of the top probability: per bin the mean confidence and the share correct, and the ECE."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    ece = 0.0
    for lo, hi in itertools.pairwise(edges):
        mask = (confidence >= lo) & ((confidence < hi) if hi < 1.0 else (confidence <= hi))
        if not mask.any():
            continue
        conf, acc = float(confidence[mask].mean()), float(correct[mask].mean())
        ece += mask.mean() * abs(conf - acc)
        rows.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": int(mask.sum()), "mean_confidence": conf, "accuracy": acc})
    return {"ece": float(ece), "bins": rows}


def baseline_report(
    examples: Sequence[Example],
    *,
    folds: int = CV_FOLDS,
    seed: int = SEED,
    extra: Sequence[Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The paperless-ngx way, same folds: word 1-2 gram counts (min_df 0.01), an MLP, no threshold.

    Everything is routed (no confidence threshold), so the auto-routed share is 100% at the accuracy.
    """
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.neural_network import MLPClassifier

    texts = [e.text for e in examples]
    y = np.asarray([e.department for e in examples])
    classes = sorted(set(y.tolist()))
    pred = np.empty(len(y), dtype=object)
    skf = StratifiedKFold(n_splits=_folds(y.tolist(), folds), shuffle=True, random_state=seed)
    for train_idx, test_idx in skf.split(texts, y):
        fit_texts, fit_y = augmented([texts[i] for i in train_idx], y[train_idx].tolist(), extra, train_idx)
        vec = CountVectorizer(ngram_range=(1, 2), min_df=0.01)
        x = vec.fit_transform(fit_texts)
        clf = MLPClassifier(tol=0.01, random_state=seed).fit(x, fit_y)
        pred[test_idx] = clf.predict(vec.transform([texts[i] for i in test_idx]))
    pred = pred.astype(str)
    prec, rec, f1, support = precision_recall_fscore_support(y, pred, labels=classes, zero_division=0)
    acc = float(accuracy_score(y, pred))
    return {
        "method": "CountVectorizer(ngram_range=(1, 2), min_df=0.01) + MLPClassifier(tol=0.01), no threshold",
        "accuracy": acc,
        "macro_f1": float(f1_score(y, pred, labels=classes, average="macro", zero_division=0)),
        "auto_rate": 1.0,
        "auto_precision": acc,
        "per_department": {
            c: {"precision": float(prec[k]), "recall": float(rec[k]), "f1": float(f1[k]), "support": int(support[k])}
            for k, c in enumerate(classes)
        },
        "confusion": {"labels": classes, "matrix": confusion_matrix(y, pred, labels=classes).tolist()},
    }
