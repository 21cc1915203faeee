"""The department model: three views of a letter that must agree before the model is confident.

One calibrated linear SVM reads every feature block (word n-grams, character n-grams, the lexicon); two
logistic regressions read one block each (word n-grams alone, character n-grams alone). The department
probabilities are their weighted mean (``WEIGHTS``: SVM 0.5, word 0.25, character 0.25).

Why: the auto-route threshold is set by the confident out-of-fold errors (``thresholds.py``), so what
counts is how well the top probability separates right from wrong, not only top-1. A letter that one view
reads confidently for a department and another view does not gets a lower mean probability; a letter every
view agrees on keeps a high one. On corpus + hard + hard2 + fresh3 (340 letters, 10-fold out-of-fold
predictions, the same folds) the share of letters above the thresholds at the same bound (98% at 80%
confidence) rose from 74.7% (SVM alone) to 80.6%, top-1 93.2% -> 93.5%; the SVM with a logistic regression
over all features gave 79.1%, the SVM with the lexicon-only view 72.9%
(bench/leave_one_set_out.py and bench/learning_curve.py for the held-out figures).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

WEIGHTS = (0.5, 0.25, 0.25)  # SVM over all blocks, word view, character view
VIEW_C = 10.0  # logistic regression strength of the one-block views


class ViewEnsemble(BaseEstimator, ClassifierMixin):
    """``svm`` over all columns plus a logistic regression per column slice in ``views``; mean probabilities.

    ``views``: ``(start, stop)`` column ranges of the feature matrix (the word and character blocks of the
    FeatureUnion, in its order), each read by its own logistic regression.
    """

    def __init__(
        self,
        svm: Any,
        views: tuple[tuple[int, int], ...] = (),
        weights: tuple[float, ...] = WEIGHTS,
        c: float = VIEW_C,
        seed: int = 0,
    ) -> None:
        self.svm = svm
        self.views = views
        self.weights = weights
        self.c = c
        self.seed = seed

    def fit(self, x: Any, y: Any) -> ViewEnsemble:
        x = x.tocsr() if hasattr(x, "tocsr") else x
        self.svm.fit(x, y)
        self.classes_ = self.svm.classes_
        self.view_models_ = []
        for start, stop in self.views:
            lr = LogisticRegression(C=self.c, class_weight="balanced", max_iter=5000, random_state=self.seed)
            lr.fit(x[:, start:stop], y)
            self.view_models_.append(lr)
        return self

    def predict_proba(self, x: Any) -> np.ndarray:
        x = x.tocsr() if hasattr(x, "tocsr") else x
        parts = [self.svm.predict_proba(x)]
        for (start, stop), lr in zip(self.views, self.view_models_, strict=True):
            parts.append(_aligned(lr, lr.predict_proba(x[:, start:stop]), self.classes_))
        weights = np.asarray(self.weights[: len(parts)], dtype=float)
        proba = sum(w * p for w, p in zip(weights, parts, strict=True)) / weights.sum()
        return np.asarray(proba)

    def predict(self, x: Any) -> np.ndarray:
        return self.classes_[self.predict_proba(x).argmax(axis=1)]

    @property
    def calibrated_classifiers_(self) -> list[Any]:
        """The SVM's calibrated classifiers (``Classifier.top_terms`` reads their weights)."""
        return self.svm.calibrated_classifiers_


def _aligned(model: Any, proba: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """``proba`` (columns in ``model.classes_`` order) in ``classes`` order."""
    out = np.zeros((proba.shape[0], len(classes)))
    index = {c: k for k, c in enumerate(classes)}
    for k, c in enumerate(model.classes_):
        out[:, index[c]] = proba[:, k]
    return out


def block_slices(features: Any, names: tuple[str, ...] = ("word", "char")) -> tuple[tuple[int, int], ...]:
    """Column ranges of the named blocks of a fitted FeatureUnion (blocks in its order)."""
    slices: dict[str, tuple[int, int]] = {}
    start = 0
    for name, transformer in features.transformer_list:
        width = len(transformer.vocabulary_) if hasattr(transformer, "vocabulary_") else _width(transformer)
        slices[name] = (start, start + width)
        start += width
    return tuple(slices[n] for n in names if n in slices)


def _width(transformer: Any) -> int:
    return int(transformer.transform(["x"]).shape[1])
