"""Model versions: where they live, which one is active, retraining with a promotion gate, rollback.

Every trained model is a version, kept under ``<data_dir>/models/<version>/`` (model.joblib +
report.json, each written atomically; the directory is first written under a temporary name and then
renamed, so a reader never sees half a version) and recorded in the ``model_versions`` table with its
metrics. Exactly one version is active (or none: then the packaged default model is used). The pipeline
asks ``active_classifier`` for the model; it is cached per version, so a promotion takes effect on the
next letter without a restart.

Retraining (``retrain``; ``posthantering train --retrain`` and the weekly beat task ``classify.retrain``)
learns from the corpus plus every registrar decision (``learning.confirmed_examples``). Nothing is
promoted without evidence that it is not worse, the first version included:

- Held back are the decisions the current model has not seen: those made since the active version was
  created, or ALL decisions when no version is active (the packaged default learned from the corpus only).
- The candidate recipe is cross-validated on corpus + decisions (10-fold, ``training.THRESHOLD_FOLDS``); its
  out-of-fold predictions give its thresholds (``thresholds.py``: precision >= 98% with a stated
  confidence) and its figures on the corpus. The held-back decisions are split into 5 folds, each
  predicted by a model fitted on everything else (``training.held_out_predictions``: the whole corpus
  and all other decisions, as the candidate will have). The current model predicts the same letters
  with its own thresholds.
- Promoted only when, on at least ``MIN_HOLDOUT`` held-back decisions, the candidate misroutes
  (auto-routes wrongly) no more letters than the current model, its auto precision is not lower (or at
  least 98%), and its top-1 accuracy is not lower by more than ``SLACK_LETTERS`` letter (noise);
  and, cross-validated on the corpus letters, its accuracy is within ``CV_TOLERANCE``
  of the current model's and its auto precision is at least 98% (or the current's).
- Either way the candidate (fitted on all examples) is kept as a version, with both models' figures in
  its report, and can be promoted or rolled back by hand.
"""

from __future__ import annotations

import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.classify.model import Classifier, load, load_default
from services.classify.thresholds import TARGET_PRECISION, figures
from services.classify.training import (
    Example,
    OutOfFold,
    cross_validate,
    held_out_predictions,
    is_decision,
    train_classifier,
)
from services.core.errors import NotFound
from services.core.logging import get_logger
from services.core.models import ModelVersion
from services.core.settings import get_settings

log = get_logger(__name__)

MIN_HOLDOUT = 20
TOLERANCE = 0.0  # auto precision on the held-back decisions: candidate >= current - TOLERANCE
SLACK_LETTERS = 1  # top-1 on the held-back decisions may be this many letters lower (noise), misroutes never
CV_TOLERANCE = 0.01  # cross-validated corpus accuracy may move this much (about 2 of 192 letters)


def save_version(session: Session, clf: Classifier, *, active: bool = False) -> ModelVersion:
    """Write ``clf`` under models_dir/<version>/ (atomically) and record it."""
    root = get_settings().models_dir
    root.mkdir(parents=True, exist_ok=True)
    final = root / clf.version
    if not final.exists():
        tmp = Path(tempfile.mkdtemp(prefix=f".{clf.version}.", dir=root))
        try:
            clf.save(tmp)
            tmp.rename(final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    row = session.scalar(select(ModelVersion).where(ModelVersion.version == clf.version))
    metrics = {k: clf.report.get(k) for k in ("trained_on", "oof", "holdout", "promotion", "learned_from")}
    metrics["threshold"] = clf.threshold
    metrics["thresholds"] = clf.department_thresholds()
    if row is None:
        row = ModelVersion(version=clf.version, path=str(final), metrics=metrics, active=False)
        session.add(row)
        session.flush()
    if active:
        activate(session, clf.version)
    return row


def list_versions(session: Session) -> list[ModelVersion]:
    return list(session.scalars(select(ModelVersion).order_by(ModelVersion.created_at.desc(), ModelVersion.id.desc())))


def active_version(session: Session) -> ModelVersion | None:
    return session.scalar(select(ModelVersion).where(ModelVersion.active.is_(True)))


def activate(session: Session, version: str) -> ModelVersion:
    """Make ``version`` the active model (promote, or roll back to an older one)."""
    row = session.scalar(select(ModelVersion).where(ModelVersion.version == version))
    if row is None:
        raise NotFound(f"no model version {version!r}")
    if not (Path(row.path) / "model.joblib").exists():
        raise NotFound(f"model version {version!r} has no files at {row.path}")
    session.execute(update(ModelVersion).where(ModelVersion.id != row.id).values(active=False))
    row.active = True
    session.flush()
    log.info("model_activated", version=version)
    return row


def rollback(session: Session) -> ModelVersion:
    """Activate the version that was created before the active one."""
    versions = list_versions(session)
    current = next((i for i, v in enumerate(versions) if v.active), None)
    if current is None or current + 1 >= len(versions):
        raise NotFound("no older model version to roll back to")
    return activate(session, versions[current + 1].version)


@lru_cache(maxsize=4)
def _load_version(path: str, version: str) -> Classifier:
    return load(path)


def active_classifier(session: Session) -> Classifier:
    """The active version's model (cached per version), or the packaged/configured default."""
    row = active_version(session)
    if row is not None and (Path(row.path) / "model.joblib").exists():
        return _load_version(row.path, row.version)
    return load_default()


def holdout_figures(clf: Classifier | None, examples: list[Example]) -> dict[str, Any]:
    """The model's own figures (its thresholds, per department too) on letters it has not seen.

    ``None`` is "no model at all" (every letter reviewed): nothing right, nothing auto-routed.
    """
    if clf is None:
        return figures([0.0] * len(examples), [False] * len(examples), [""] * len(examples), 1.1)
    texts = [e.text for e in examples]
    y = np.asarray([e.department for e in examples])
    proba = clf.predict_proba(texts)
    pred = np.asarray(clf.classes)[proba.argmax(axis=1)]
    return figures(proba.max(axis=1), pred == y, pred.tolist(), clf.threshold, clf.department_thresholds())


def not_worse(candidate: dict[str, Any], current: dict[str, Any]) -> bool:
    """On the same letters: no more misroutes, auto precision not lower (or >= target), and top-1 at most
    ``SLACK_LETTERS`` lower (a one-letter difference on 20-odd decisions is noise; misroutes get no slack)."""
    n = int(candidate.get("n", 0))
    wrong_ok = candidate.get("auto_wrong", 0) <= current.get("auto_wrong", candidate.get("auto_wrong", 0))
    precision_floor = min(float(current["auto_precision"]), TARGET_PRECISION)
    return (
        candidate["accuracy"] >= current["accuracy"] - (SLACK_LETTERS / n if n else 0.0) - 1e-9
        and wrong_ok
        and candidate["auto_precision"] >= precision_floor - TOLERANCE
    )


def cv_not_worse(candidate: dict[str, Any], current: dict[str, Any] | None) -> bool:
    """Cross-validated on the corpus: accuracy within ``CV_TOLERANCE``, auto precision >= target or current's."""
    if not current:
        return candidate["auto_precision"] >= TARGET_PRECISION
    precision_floor = min(float(current.get("auto_precision", 1.0)), TARGET_PRECISION)
    return (
        candidate["accuracy"] >= float(current.get("accuracy", 0.0)) - CV_TOLERANCE
        and candidate["auto_precision"] >= precision_floor
    )


def promotion_gate(
    oof: OutOfFold,
    threshold: float,
    per_department: dict[str, float],
    current: Classifier | None,
    held: list[Example],
    held_oof: OutOfFold | None = None,
) -> tuple[bool, str, dict[str, Any]]:
    """(promote, why, figures): the candidate against the current model (see the module docstring).

    ``oof``: the candidate recipe's k-fold predictions on all its examples (the corpus part is compared);
    ``held_oof``: its predictions on the held-back decisions (``training.held_out_predictions``), else ``oof``.
    """
    held_oof = held_oof if held_oof is not None else oof
    held = [e for e in held if e.id in set(held_oof.ids)]  # a department too new to learn is judged later
    held_ids = {e.id for e in held}
    corpus_ids = {i for i in oof.ids if not is_decision(i)}
    gate: dict[str, Any] = {"current_version": current.version if current else None, "held_back": len(held)}
    gate["cv_candidate"] = oof.figures(threshold, per_department, corpus_ids) if corpus_ids else None
    gate["cv_current"] = (current.report.get("oof_corpus") or current.report.get("oof")) if current else None
    if len(held) < MIN_HOLDOUT:
        why = f"only {len(held)} decisions the current model has not seen; {MIN_HOLDOUT} are needed as evidence"
        return False, why, gate
    gate["candidate"] = held_oof.figures(threshold, per_department, held_ids)
    gate["current"] = holdout_figures(current, held)
    if not not_worse(gate["candidate"], gate["current"]):
        return False, "worse than the current model on held-back decisions", gate
    if gate["cv_candidate"] is not None and not cv_not_worse(gate["cv_candidate"], gate["cv_current"]):
        return False, "worse than the current model in cross-validation on the corpus", gate
    return True, "not worse than the current model on held-back decisions and in cross-validation", gate


def retrain(session: Session, examples: list[Example], held_ids: set[str], *, seed: int = 0) -> dict[str, Any]:
    """Train a candidate, gate it against the active model (or the packaged default), keep it, maybe promote.

    ``held_ids``: the decisions the current model has not seen (all of them when no version is active).
    """
    current = active_classifier(session)
    held = [e for e in examples if e.id in held_ids]
    final, promote, why, gate = train_and_gate(examples, held, current, seed=seed)
    final.report["holdout"] = gate
    final.report["promotion"] = ("promoted: " if promote else "kept inactive: ") + why
    final.report["learned_from"] = sum(1 for e in examples if is_decision(e.id))
    row = save_version(session, final, active=promote)
    return {
        "version": row.version,
        "promoted": promote,
        "path": row.path,
        "promotion": final.report["promotion"],
        "threshold": final.threshold,
        "thresholds": final.department_thresholds(),
        **gate,
    }


def train_and_gate(
    examples: list[Example], held: list[Example], current: Classifier | None, *, seed: int = 0
) -> tuple[Classifier, bool, str, dict[str, Any]]:
    """The candidate (fitted on all examples, thresholds from its cross-validation) and the gate's verdict.

    The k-fold predictions on all examples choose the thresholds and give the corpus comparison; the
    held-back decisions are predicted by models fitted on everything else (``held_out_predictions``).
    """
    oof = cross_validate(examples, seed=seed)
    final = train_classifier(examples, seed=seed, oof=oof)
    held_ids = {e.id for e in held}
    held_oof = held_out_predictions(examples, held_ids, seed=seed) if len(held) >= MIN_HOLDOUT else None
    promote, why, gate = promotion_gate(
        oof, final.threshold, final.department_thresholds(), current, held, held_oof=held_oof
    )
    return final, promote, why, gate
