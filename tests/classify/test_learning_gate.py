"""The promotion gate on real registrar decisions, first version included: worse kept, not worse promoted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from services.classify.learning import retrain_from_database
from services.classify.training import read_corpus, train_classifier
from services.classify.versions import MIN_HOLDOUT, active_classifier, active_version
from services.core.db import session_scope
from services.core.models import ModelVersion
from services.core.settings import reset_settings
from tests.classify.learning_letters import DEPARTMENTS, confirm_letters, registrar, write_corpus

ROTATE = dict(zip(DEPARTMENTS, DEPARTMENTS[1:] + DEPARTMENTS[:1], strict=True))  # SBN->EKO, EKO->SN, ..., BUN->SBN


@pytest.mark.timeout(1500)  # 28 small fits: about a minute on an idle machine, far more on a shared one
def test_gate_keeps_a_worse_candidate_and_promotes_one_not_worse(
    migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deterministic by construction, with real training (no stand-in models):

    - The "packaged default" of this test is trained on 6 departments x 4 letters of corpus part a (the real
      one learned from part b too, so it could not be judged on part-b letters). No version is active.
    - A registrar routes 6 x 4 letters of part b to their true departments through the mail service: 24
      confirmed decisions the default never saw, so all of them are held back, even for the first version.
    - Worse: retraining on the part-a letters with every label rotated to the next department gives a
      candidate that files each department's letters under its neighbour's name: wrong on nearly every
      held-back decision, while the default is right on most. It is kept as a version but not promoted.
    - Not worse: retraining on the correctly labelled part-a letters plus the 24 decisions; its
      cross-validated predictions on the decisions are at least as good as the default's, it misroutes
      none: promoted, the first version, on evidence.
    """
    good = write_corpus("a", 4, tmp_path / "good")
    rotated = write_corpus("a", 4, tmp_path / "rotated", relabel=ROTATE)
    default = train_classifier(read_corpus([good]))
    default.save(tmp_path / "default")
    monkeypatch.setenv("POSTHANTERING_MODEL_PATH", str(tmp_path / "default"))
    reset_settings()

    with session_scope() as s:
        decided = confirm_letters(s, registrar(s), "b", 4)
    assert len(decided) == 24 >= MIN_HOLDOUT

    worse = retrain_from_database([rotated])
    assert worse["decisions"] == 24 and worse["held_back"] == 24
    assert worse["current_version"] == default.version
    assert worse["current"]["accuracy"] >= 0.7  # the default knows these departments
    assert worse["candidate"]["accuracy"] < worse["current"]["accuracy"]
    assert not worse["promoted"]
    assert worse["promotion"] == "kept inactive: worse than the current model on held-back decisions"
    with session_scope() as s:
        assert active_version(s) is None
        kept = s.scalar(select(ModelVersion).where(ModelVersion.version == worse["version"]))
        assert kept is not None and not kept.active
    assert (migrated / "models" / worse["version"] / "model.joblib").exists()

    better = retrain_from_database([good])
    assert better["current_version"] == default.version and better["held_back"] == 24
    assert better["candidate"]["accuracy"] >= better["current"]["accuracy"] - 1 / 24  # one letter of slack
    assert better["candidate"]["auto_wrong"] <= better["current"]["auto_wrong"]
    assert better["promoted"], better
    assert better["promotion"].startswith("promoted: not worse than the current model on held-back decisions")
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
        assert rows == {worse["version"]: False, better["version"]: True}
        assert active_classifier(s).version == better["version"]
