"""Auto-route thresholds with a stated confidence: global, and per department where the data supports it.

The promise is that auto-routed mail is at least ``TARGET_PRECISION`` (98%) right. A threshold is chosen
from out-of-fold predictions (letters the model that predicted them had not seen) so that the promise
holds WITH CONFIDENCE, not just on average:

- **Global threshold**: the lowest confidence ``t`` at which the one-sided Clopper-Pearson lower bound
  (confidence level ``CONFIDENCE``) on the precision of the letters with confidence >= t is at least
  ``TARGET_PRECISION``, and the observed precision is at least the target at every higher cut holding
  ``MIN_CUT`` letters or more. With 0 errors the bound needs ln(1 - 0.8) / ln(0.98) = 80 letters, with one
  error about 150: a threshold can only fall when that much evidence is there, never on a handful of
  lucky letters. With too little evidence it is 1.0 (nothing is auto-routed; everything is reviewed).
- **Per-department thresholds**: a department whose own predictions above the global threshold are
  below the target precision gets a higher threshold (the lowest cut where its own observed precision is
  at least the target at every higher cut); a department whose own predictions alone carry the bound at a
  lower cut gets that lower threshold. Every other department uses the global one. Raising is always
  safe; lowering needs the department's own evidence.

Stated in every report as ``threshold_method``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.stats import beta

TARGET_PRECISION = 0.98
CONFIDENCE = 0.8  # one-sided confidence of the lower bound
MIN_CUT = 30  # a higher cut counts for the stability check from this many letters on


def precision_lower_bound(correct: int, n: int, confidence: float = CONFIDENCE) -> float:
    """One-sided Clopper-Pearson lower bound on a proportion (``correct`` of ``n``)."""
    if n <= 0 or correct <= 0:
        return 0.0
    return float(beta.ppf(1.0 - confidence, correct, n - correct + 1))


def _sorted(confidence: Sequence[float], correct: Sequence[bool]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=bool)
    order = np.argsort(-conf, kind="stable")
    conf, ok = conf[order], ok[order]
    last_of_run = np.r_[conf[1:] != conf[:-1], True] if conf.size else np.zeros(0, dtype=bool)
    return conf, np.cumsum(ok), last_of_run


def bounded_threshold(
    confidence: Sequence[float],
    correct: Sequence[bool],
    *,
    target: float = TARGET_PRECISION,
    level: float = CONFIDENCE,
    min_cut: int = MIN_CUT,
) -> float:
    """Lowest cut whose lower bound reaches ``target`` and above which precision never dips (module docstring)."""
    conf, cum_ok, last_of_run = _sorted(confidence, correct)
    threshold = 1.0
    for i in range(conf.size):
        if not last_of_run[i]:
            continue
        n = i + 1
        if n >= min_cut and cum_ok[i] / n < target:
            break
        if precision_lower_bound(int(cum_ok[i]), n, level) >= target:
            threshold = float(conf[i])
    return threshold


def stable_threshold(confidence: Sequence[float], correct: Sequence[bool], target: float = TARGET_PRECISION) -> float:
    """Lowest cut with observed precision >= target there and at every higher cut (no bound)."""
    conf, cum_ok, last_of_run = _sorted(confidence, correct)
    threshold = 1.0
    for i in range(conf.size):
        if not last_of_run[i]:
            continue
        if cum_ok[i] / (i + 1) < target:
            break
        threshold = float(conf[i])
    return threshold


def choose_thresholds(
    confidence: Sequence[float],
    correct: Sequence[bool],
    predicted: Sequence[str],
    *,
    target: float = TARGET_PRECISION,
    level: float = CONFIDENCE,
) -> tuple[float, dict[str, float]]:
    """(global threshold, {department: its own threshold where it differs}) from out-of-fold predictions."""
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=bool)
    pred = np.asarray(predicted)
    t = bounded_threshold(conf, ok, target=target, level=level)
    per: dict[str, float] = {}
    for dep in sorted(set(pred.tolist())):
        mine = pred == dep
        above = mine & (conf >= t)
        if above.any() and ok[above].mean() < target:
            raised = stable_threshold(conf[above], ok[above], target)
            per[dep] = max(raised, float(np.nextafter(t, 2.0)))
            continue
        own = bounded_threshold(conf[mine], ok[mine], target=target, level=level)
        if own < t:
            per[dep] = own
    return t, per


def threshold_for(department: str, threshold: float, per_department: dict[str, float] | None) -> float:
    return float((per_department or {}).get(department, threshold))


def auto_mask(
    confidence: Sequence[float], predicted: Sequence[str], threshold: float, per_department: dict[str, float] | None
) -> np.ndarray:
    conf = np.asarray(confidence, dtype=float)
    limits = np.asarray([threshold_for(str(p), threshold, per_department) for p in predicted], dtype=float)
    return conf >= limits if conf.size else np.zeros(0, dtype=bool)


def figures(
    confidence: Sequence[float],
    correct: Sequence[bool],
    predicted: Sequence[str],
    threshold: float,
    per_department: dict[str, float] | None = None,
) -> dict[str, Any]:
    """n, top-1 accuracy, auto-routed share, count, misroutes, precision and its lower bound."""
    ok = np.asarray(correct, dtype=bool)
    auto = auto_mask(confidence, predicted, threshold, per_department)
    n_auto = int(auto.sum())
    right = int(ok[auto].sum())
    return {
        "n": int(ok.size),
        "accuracy": float(ok.mean()) if ok.size else 0.0,
        "auto_count": n_auto,
        "auto_rate": n_auto / ok.size if ok.size else 0.0,
        "auto_wrong": n_auto - right,
        "auto_precision": right / n_auto if n_auto else 1.0,
        "auto_precision_lower_bound": precision_lower_bound(right, n_auto),
    }


def method_text(level: float = CONFIDENCE, target: float = TARGET_PRECISION) -> str:
    return (
        f"lowest threshold whose one-sided {level:.0%} Clopper-Pearson lower bound on auto-route precision "
        f"(out-of-fold predictions) is >= {target:.0%}, observed precision >= {target:.0%} at every higher cut "
        f"of >= {MIN_CUT} letters; per department raised where its own precision falls short, lowered only "
        "where its own letters carry the bound"
    )
