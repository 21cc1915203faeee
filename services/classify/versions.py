"""Model versions: where they live, which one is active, retraining with a promotion gate, rollback.

Every trained model is a version, kept under ``<data_dir>/models/<version>/`` (model.joblib +
report.json, each written atomically; the directory is first written under a temporary name and then
renamed, so a reader never sees half a version) and recorded in the ``model_versions`` table with its
metrics. Exactly one version is active (or none: then the packaged default model is used). The pipeline
asks ``active_classifier`` for the model; it is cached per version, so a promotion takes effect on the
next letter without a restart.

Retraining (``retrain``; ``posthantering train --retrain`` and the weekly beat task ``classify.retrain``)
learns from the corpus plus every registrar decision (``learning.confirmed_examples``). Held back are
the decisions made since the active version was created: letters neither model has seen. The candidate
is trained on everything else and compared with the active model on them; it is promoted only when it is
not worse (accuracy, and precision of what it would auto-route, each at least the active model's). With
fewer than ``MIN_HOLDOUT`` new decisions there is nothing fair to compare on, and the candidate is
promoted only if no version is active yet. Either way the candidate (refitted on all examples) is kept
as a version, with both models' figures in its report, and can be promoted or rolled back by hand.
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
from services.classify.training import Example, train_classifier
from services.core.errors import NotFound
from services.core.logging import get_logger
from services.core.models import ModelVersion
from services.core.settings import get_settings

log = get_logger(__name__)

MIN_HOLDOUT = 20
TOLERANCE = 0.0  # "not worse": candidate >= current - TOLERANCE


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


def holdout_figures(clf: Classifier, examples: list[Example]) -> dict[str, float]:
    texts = [e.text for e in examples]
    y = np.asarray([e.department for e in examples])
    proba = clf.predict_proba(texts)
    pred = np.asarray(clf.classes)[proba.argmax(axis=1)]
    auto = proba.max(axis=1) >= clf.threshold
    ok = pred == y
    return {
        "n": len(examples),
        "accuracy": float(ok.mean()),
        "auto_rate": float(auto.mean()),
        "auto_precision": float(ok[auto].mean()) if auto.any() else 1.0,
    }


def not_worse(candidate: dict[str, float], current: dict[str, float]) -> bool:
    return (
        candidate["accuracy"] >= current["accuracy"] - TOLERANCE
        and candidate["auto_precision"] >= current["auto_precision"] - TOLERANCE
    )


def retrain(session: Session, examples: list[Example], held_ids: set[str], *, seed: int = 0) -> dict[str, Any]:
    """Train a candidate, gate it on the held-back decisions against the active model, keep it, maybe promote."""
    active = active_version(session)
    current = active_classifier(session)
    held = [e for e in examples if e.id in held_ids]
    gate: dict[str, Any] = {"current_version": current.version, "held_back": len(held)}
    if len(held) >= MIN_HOLDOUT and len({e.department for e in examples if e.id not in held_ids}) > 1:
        candidate = train_classifier([e for e in examples if e.id not in held_ids], seed=seed)
        gate["candidate"] = holdout_figures(candidate, held)
        gate["current"] = holdout_figures(current, held)
        promote = not_worse(gate["candidate"], gate["current"])
        why = "not worse than the current model on held-back decisions" if promote else "worse than the current model"
    else:
        promote = active is None
        why = f"fewer than {MIN_HOLDOUT} new decisions to compare on" + ("; no version was active" if promote else "")
    final = train_classifier(examples, seed=seed)
    final.report["holdout"] = gate
    final.report["promotion"] = ("promoted: " if promote else "kept inactive: ") + why
    final.report["learned_from"] = sum(1 for e in examples if e.id.startswith("item:"))
    row = save_version(session, final, active=promote)
    return {
        "version": row.version,
        "promoted": promote,
        "path": row.path,
        "promotion": final.report["promotion"],
        **gate,
    }
