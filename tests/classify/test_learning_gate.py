"""The promotion gate on real registrar decisions: a worse candidate is kept, a not-worse one is promoted."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from services.classify.learning import retrain_from_database
from services.classify.versions import MIN_HOLDOUT, active_classifier, active_version
from services.core.db import session_scope
from services.core.models import ModelVersion
from tests.classify.learning_letters import DEPARTMENTS, confirm_letters, registrar, write_corpus

ROTATE = dict(zip(DEPARTMENTS, DEPARTMENTS[1:] + DEPARTMENTS[:1], strict=True))  # SBN->EKO, EKO->SN, ..., BUN->SBN


def test_gate_keeps_a_worse_candidate_and_promotes_one_not_worse(migrated: Path, tmp_path: Path) -> None:
    """Deterministic by construction, with real training (no stand-in models):

    - v1 (active) is trained on 6 departments x 4 letters of corpus part a, correctly labelled.
    - Then a registrar routes 6 x 4 letters of part b to their true departments through the mail
      service: 24 confirmed decisions made after v1, so all of them are held back.
    - Worse: retraining on the same part-a letters with every label rotated to the next department
      (SBN->EKO->SN->...) gives a candidate that files each department's letters under its neighbour's
      name, so it is wrong on nearly every held-back decision, while v1 is right on most. It must be
      kept as a version but not promoted.
    - Not worse: retraining on the correctly labelled part-a letters gives a candidate trained on exactly
      v1's examples with the same seed (training is deterministic), so its held-back figures equal v1's
      and the gate ("at least as good") must promote it; the promoted version is refitted on the corpus
      plus the 24 decisions.
    """
    good = write_corpus("a", 4, tmp_path / "good")
    rotated = write_corpus("a", 4, tmp_path / "rotated", relabel=ROTATE)
    first = retrain_from_database([good])
    assert first["promoted"] and first["decisions"] == 0 and first["held_back"] == 0

    with session_scope() as s:
        decided = confirm_letters(s, registrar(s), "b", 4)
    assert len(decided) == 24 >= MIN_HOLDOUT

    worse = retrain_from_database([rotated])
    assert worse["decisions"] == 24 and worse["held_back"] == 24
    assert worse["current_version"] == first["version"]
    assert worse["current"]["accuracy"] >= 0.7  # v1 knows these departments
    assert worse["candidate"]["accuracy"] < worse["current"]["accuracy"]
    assert not worse["promoted"] and worse["promotion"] == "kept inactive: worse than the current model"
    with session_scope() as s:
        assert active_version(s).version == first["version"]
        kept = s.scalar(select(ModelVersion).where(ModelVersion.version == worse["version"]))
        assert kept is not None and not kept.active
    assert (migrated / "models" / worse["version"] / "model.joblib").exists()

    better = retrain_from_database([good])
    assert better["current_version"] == first["version"] and better["held_back"] == 24
    assert better["candidate"] == better["current"]
    assert better["promoted"]
    assert better["promotion"] == "promoted: not worse than the current model on held-back decisions"
    version_dir = migrated / "models" / better["version"]
    assert better["path"] == str(version_dir)
    assert sorted(p.name for p in version_dir.iterdir()) == ["model.joblib", "report.json"]
    report = json.loads((version_dir / "report.json").read_text(encoding="utf-8"))
    assert report["version"] == better["version"]
    assert report["promotion"] == better["promotion"]
    assert report["learned_from"] == 24 and report["trained_on"] == 48
    assert report["holdout"]["held_back"] == 24 and report["holdout"]["candidate"] == better["candidate"]
    with session_scope() as s:
        rows = {v.version: v.active for v in s.scalars(select(ModelVersion))}
        assert rows == {first["version"]: False, worse["version"]: False, better["version"]: True}
        assert active_classifier(s).version == better["version"]
