from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from services.classify.evaluation import evaluate
from services.classify.model import MODEL_FILE, REPORT_FILE, load
from services.classify.training import choose_threshold, read_corpus, train


def test_read_corpus(tiny_corpus: Path) -> None:
    examples = read_corpus([tiny_corpus])
    assert len(examples) == 24
    assert {e.department for e in examples} == {"SBN", "EKO", "SN", "TN"}
    assert all(e.text.strip() for e in examples)
    assert any(e.personnummer for e in examples) and any(e.sensitive for e in examples)


def test_choose_threshold() -> None:
    conf = [0.99, 0.95, 0.9, 0.8, 0.7, 0.6]
    # the first error comes at 0.7: every cut at or above 0.8 is 100% correct
    assert choose_threshold(conf, [True, True, True, True, False, True]) == pytest.approx(0.8)
    # an error at the very top: nothing reaches 98%
    assert choose_threshold(conf, [False, True, True, True, True, True]) == 1.0
    # all correct: the lowest confidence
    assert choose_threshold(conf, [True] * 6) == pytest.approx(0.6)
    # 1 error in 50 is exactly 98%
    conf50 = list(np.linspace(1.0, 0.5, 50))
    ok = [True] * 49 + [False]
    assert choose_threshold(conf50, ok) == pytest.approx(0.5)
    assert choose_threshold(conf50, ok, target=0.99) == pytest.approx(conf50[-2])


def test_train_writes_files_and_reloads(tiny_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    report = train([tiny_corpus], out, evaluate_folds=None)
    assert (out / MODEL_FILE).is_file() and (out / REPORT_FILE).is_file()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files left
    on_disk = json.loads((out / REPORT_FILE).read_text(encoding="utf-8"))
    assert on_disk["version"] == report["version"]
    assert 0.0 <= report["threshold"] <= 1.0
    assert on_disk["departments"] == ["EKO", "SBN", "SN", "TN"]
    # thresholds from as many folds as the data allows, up to 10 (6 letters a department here): each
    # out-of-fold prediction by a model that saw most of the others, closer to the model that routes
    assert "(6-fold stratified CV" in on_disk["threshold_method"]

    texts = [e.text for e in read_corpus([tiny_corpus])]
    clf = load(out)
    assert clf.version == report["version"]
    assert clf.threshold == pytest.approx(report["threshold"])
    again = load(out / MODEL_FILE)
    np.testing.assert_allclose(clf.predict_proba(texts), again.predict_proba(texts))
    assert clf.predict_doc_type(texts) == again.predict_doc_type(texts)
    # trained on these letters, the model gets them right
    labels = [e.department for e in read_corpus([tiny_corpus])]
    assert np.mean(np.asarray(clf.predict(texts)) == np.asarray(labels)) >= 0.9

    # same data, same seed: same model (up to the version timestamp)
    out2 = tmp_path / "model2"
    report2 = train([tiny_corpus], out2, evaluate_folds=None)
    assert report2["threshold"] == pytest.approx(report["threshold"])
    np.testing.assert_allclose(load(out2).predict_proba(texts), clf.predict_proba(texts))


def test_evaluate_keys(tiny_corpus: Path) -> None:
    r = evaluate([tiny_corpus], folds=3, seed=0)
    for key in (
        "accuracy",
        "macro_f1",
        "per_department",
        "confusion",
        "threshold",
        "threshold_method",
        "auto_rate",
        "auto_precision",
        "doc_type_accuracy",
    ):
        assert key in r, key
    assert r["n"] == 24 and r["folds"] == 3
    assert set(r["per_department"]) == {"EKO", "SBN", "SN", "TN"}
    assert r["confusion"]["labels"] == ["EKO", "SBN", "SN", "TN"]
    assert sum(map(sum, r["confusion"]["matrix"])) == 24
    assert 0.0 <= r["auto_rate"] <= 1.0 and 0.0 <= r["threshold"] <= 1.0
    assert r["accuracy"] > 0.5  # four easy departments; chance is 0.25
    assert evaluate([tiny_corpus], folds=3, seed=0)["accuracy"] == r["accuracy"]  # deterministic
