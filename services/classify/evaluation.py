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

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from services.classify.model import fit_pipelines
from services.classify.service import decide, default_sensitive_departments
from services.classify.training import (
    CV_FOLDS,
    SEED,
    TARGET_PRECISION,
    Example,
    _folds,
    auto_stats,
    choose_threshold,
    read_corpus,
    threshold_from_oof,
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
) -> dict[str, Any]:
    texts = [e.text for e in examples]
    y = np.asarray([e.department for e in examples])
    doc_y = [e.doc_type or "ovrigt" for e in examples]
    classes = sorted(set(y.tolist()))
    n = len(examples)
    n_folds = _folds(y.tolist(), folds)
    sens_deps = default_sensitive_departments()

    proba = np.zeros((n, len(classes)))
    fold_threshold = np.ones(n)
    doc_pred: list[str | None] = [None] * n
    fold_thresholds: list[float] = []
    skf = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in skf.split(texts, y):
        tr_texts = [texts[i] for i in train_idx]
        te_texts = [texts[i] for i in test_idx]
        dep_pipe, doc_pipe = fit_pipelines(
            tr_texts, y[train_idx].tolist(), [doc_y[i] for i in train_idx], seed=seed, params=params
        )
        p = dep_pipe.predict_proba(te_texts)
        cols = [classes.index(str(c)) for c in dep_pipe.classes_]
        proba[np.ix_(test_idx, cols)] = p
        if doc_pipe is not None:
            for i, d in zip(test_idx, doc_pipe.predict(te_texts), strict=True):
                doc_pred[i] = str(d)
        if nested:
            t, _, _ = threshold_from_oof(tr_texts, y[train_idx].tolist(), folds=folds, seed=seed, params=params)
        else:
            t = float("nan")
        fold_thresholds.append(t)
        fold_threshold[test_idx] = t

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
        "threshold_method": "nested: chosen inside each outer fold's training data from inner out-of-fold probabilities"
        if nested
        else "out-of-fold: chosen from the pooled outer out-of-fold probabilities (optimistic)",
        "fold_thresholds": fold_thresholds if nested else [],
        "threshold": float(np.median(fold_thresholds)) if nested else oof_t,
        "oof_threshold": oof_t,
        "oof_threshold_stats": auto_stats(model_conf, model_correct, oof_t),
        "case_ref_rule": {
            "applied": len(rule_hits),
            "correct": int(sum(correct[i] for i in rule_hits)),
            "model_top1_correct_there": int(sum(model_correct[i] for i in rule_hits)),
        },
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
