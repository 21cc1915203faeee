"""The department model's views: the mean of a full-feature SVM and one-block logistic regressions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from services.classify.ensemble import WEIGHTS, ViewEnsemble, block_slices
from services.classify.model import build_department_model, fit_pipelines, load
from services.classify.training import read_corpus, train_classifier


def _toy() -> tuple[sparse.csr_matrix, np.ndarray]:
    """Columns 0-3 (view 1) and 4-7 (view 2) both say the class; 8 is noise."""
    rng = np.random.default_rng(0)
    y = np.asarray(["A", "B", "C"] * 12)
    x = rng.uniform(0, 0.2, (36, 9))
    for i, label in enumerate(y):
        k = "ABC".index(label)
        x[i, k] += 1.0
        x[i, 4 + k] += 1.0
    return sparse.csr_matrix(x), y


def test_probabilities_are_the_weighted_mean_of_the_views() -> None:
    x, y = _toy()
    model = ViewEnsemble(build_department_model(calibration_folds=3), views=((0, 4), (4, 8))).fit(x, y)
    parts = [model.svm.predict_proba(x)] + [
        lr.predict_proba(x[:, a:b]) for (a, b), lr in zip(model.views, model.view_models_, strict=True)
    ]
    expected = sum(w * p for w, p in zip(WEIGHTS, parts, strict=True)) / sum(WEIGHTS)
    np.testing.assert_allclose(model.predict_proba(x), expected)
    np.testing.assert_allclose(model.predict_proba(x).sum(axis=1), 1.0)
    assert list(model.predict(x)) == list(y)


def test_a_view_that_disagrees_lowers_the_confidence() -> None:
    """A letter whose word view says A and character view says B is less sure than one where both say A."""
    x, y = _toy()
    model = ViewEnsemble(build_department_model(calibration_folds=3), views=((0, 4), (4, 8))).fit(x, y)
    agree = sparse.csr_matrix([[1.0, 0, 0, 0, 1.0, 0, 0, 0, 0]])
    disagree = sparse.csr_matrix([[1.0, 0, 0, 0, 0, 1.0, 0, 0, 0]])
    assert model.predict_proba(disagree).max() < model.predict_proba(agree).max() - 0.1


def test_block_slices_follow_the_feature_union(tiny_corpus: Path) -> None:
    examples = read_corpus([tiny_corpus])
    pipe, _ = fit_pipelines([e.text for e in examples], [e.department for e in examples], None)
    features = pipe.named_steps["features"]
    widths = {name: t.transform(["ett brev om bygglov"]).shape[1] for name, t in features.transformer_list}
    (w0, w1), (c0, c1) = block_slices(features)
    assert (w0, w1) == (0, widths["word"]) and (c0, c1) == (w1, w1 + widths["char"])
    assert isinstance(pipe.named_steps["clf"], ViewEnsemble)


def test_the_shipped_recipe_saves_reloads_and_explains(tiny_corpus: Path, tmp_path: Path) -> None:
    examples = read_corpus([tiny_corpus])
    clf = train_classifier(examples)
    texts = [e.text for e in examples]
    clf.save(tmp_path / "m")
    again = load(tmp_path / "m")
    np.testing.assert_allclose(clf.predict_proba(texts), again.predict_proba(texts), atol=1e-6)
    sbn = next(e for e in examples if e.department == "SBN")
    assert again.top_terms(sbn.text, "SBN")  # the SVM view's weights still name the words


def test_the_svm_alone_is_still_a_recipe(tiny_corpus: Path) -> None:
    examples = read_corpus([tiny_corpus])
    pipe, _ = fit_pipelines(
        [e.text for e in examples], [e.department for e in examples], None, params={"department_model": "svc"}
    )
    assert not isinstance(pipe.named_steps["clf"], ViewEnsemble)
    assert pipe.predict_proba([examples[0].text]).shape == (1, 4)


@pytest.mark.parametrize("weights", [(1.0, 0.0, 0.0)])
def test_weights_of_zero_leave_the_svm_alone(weights: tuple[float, ...]) -> None:
    x, y = _toy()
    model = ViewEnsemble(build_department_model(calibration_folds=3), views=((0, 4), (4, 8)), weights=weights)
    model.fit(x, y)
    np.testing.assert_allclose(model.predict_proba(x), model.svm.predict_proba(x))
