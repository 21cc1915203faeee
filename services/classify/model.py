"""The classifier: department and document-type models over shared TF-IDF features, saved as versioned files.

Features: TF-IDF over word 1-2 grams plus TF-IDF over character 2-5 grams inside word boundaries
(``char_wb``), sublinear tf, on text normalised for OCR noise (lower-cased, every digit mapped to ``0``,
whitespace collapsed). Character n-grams keep most of their signal when OCR garbles a letter or two.
Plus the department lexicon (``lexicon.py``): per department log(1 + distinct stems found), scaled by
``LEXICON_SCALE`` = 0.5, and the same counts once more over the letter's heading (``SUBJECT_LEXICON``).
On the corpus (5-fold CV, no threshold) the lexicon raised top-1 accuracy from 0.807 to 0.859 on clean
text and from 0.792 to 0.844 on OCR text (scale 1.0: 0.844 / 0.823).

Department (since issue 15's second round): ``ensemble.ViewEnsemble``, the mean of the calibrated SVM below
(weight 0.5) and two logistic regressions that read only the word block or only the character block (0.25
each): a letter is confident only when the views agree (auto share at the same bound on 340 out-of-fold
letters 74.7% -> 80.6%; see ensemble.py). ``params={"department_model": "svc"}`` gives the SVM alone.

The SVM: ``CalibratedClassifierCV(LinearSVC(C=1), method="sigmoid", ensemble=False)``: one linear SVM
fitted on all data, probabilities calibrated (Platt) from internal 4-fold cross-validation. On the corpus
(192 letters, 5-fold CV) this beat: C=0.1/0.5/5, logistic regression (C=10, 100; about 4 points lower
accuracy and half the auto-route share), isotonic calibration (lower accuracy, threshold 0.97),
ensemble=True (lower auto-route share, 4x the weights), char 3-5 or 2-4 grams, word unigrams only, and
word-only or char-only features. ``params`` in ``fit_pipelines`` keeps these knobs for experiments.
Document type: a plain ``LinearSVC``; weights are stored as float32.

Both models share one fitted feature extractor (pickle stores it once), which keeps model.joblib small.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from services.classify.ensemble import WEIGHTS, ViewEnsemble, block_slices
from services.classify.envelope import letter_text

MODEL_FILE = "model.joblib"
REPORT_FILE = "report.json"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "default_model"
FORMAT_VERSION = 1

# Hyper-parameters (chosen by cross-validation on shared/corpus; see training.py and report.json).
CHAR_MAX_FEATURES = 30000
WORD_MAX_FEATURES = 20000
CHAR_NGRAM = (2, 5)
WORD_NGRAM = (1, 2)
DEPARTMENT_C = 1.0
DEPARTMENT_MODEL = "views"  # ensemble.ViewEnsemble; "svc": the calibrated SVM alone; "logreg"
DOC_TYPE_C = 0.5
CALIBRATION_FOLDS = 4
DEFAULT_THRESHOLD = 0.9
SUBJECT_LEXICON = True  # the lexicon counted once more over the letter's heading (lexicon.LexiconFeatures)
LEXICON_SCALE = 0.5  # weight of the department-lexicon counts next to the TF-IDF blocks (0 = off)

_DIGIT_RE = re.compile(r"\d")
_SPACE_RE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Lower-case, map digits to 0 (numbers vary, their shape matters), collapse whitespace.

    Soft hyphens and hyphenation at line ends, common in scanned letters, are joined.
    """
    text = text.replace("\u00ad", "").replace("\ufb01", "fi").replace("\ufb02", "fl")
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    text = _DIGIT_RE.sub("0", text.lower())
    return _SPACE_RE.sub(" ", text).strip()


def normalise_letter(text: str) -> str:
    """``normalise_text`` of what the model reads of a letter (``envelope.letter_text``: no address blocks)."""
    return normalise_text(letter_text(text))


def build_features(
    char_max_features: int = CHAR_MAX_FEATURES,
    word_max_features: int = WORD_MAX_FEATURES,
    char_ngram: tuple[int, int] = CHAR_NGRAM,
    word_ngram: tuple[int, int] = WORD_NGRAM,
    weights: tuple[float, float] = (1.0, 1.0),
    lexicon_scale: float = LEXICON_SCALE,
    envelope: bool = True,
    subject_lexicon: bool = SUBJECT_LEXICON,
) -> FeatureUnion:
    """``envelope=True`` (the default since issue 15): address blocks are cut before the features."""
    from services.classify.lexicon import LexiconFeatures

    pre = normalise_letter if envelope else normalise_text

    blocks: list[tuple[str, Any]] = [
        (
            "word",
            TfidfVectorizer(
                preprocessor=pre,
                analyzer="word",
                ngram_range=word_ngram,
                sublinear_tf=True,
                min_df=1,
                max_features=word_max_features,
                token_pattern=r"(?u)\b[^\W\d_][^\W\d_]+\b",
                dtype=np.float32,
            ),
        ),
        (
            "char",
            TfidfVectorizer(
                preprocessor=pre,
                analyzer="char_wb",
                ngram_range=char_ngram,
                sublinear_tf=True,
                min_df=2,
                max_features=char_max_features,
                dtype=np.float32,
            ),
        ),
    ]
    if lexicon_scale > 0:
        blocks.append(("lexicon", LexiconFeatures(lexicon_scale, envelope=envelope, subject=subject_lexicon)))
    return FeatureUnion(blocks, transformer_weights={"word": weights[0], "char": weights[1], "lexicon": 1.0})


def build_department_model(
    c: float = DEPARTMENT_C,
    seed: int = 0,
    calibration_folds: int = CALIBRATION_FOLDS,
    kind: str = DEPARTMENT_MODEL,
    method: str = "sigmoid",
    ensemble: bool = False,
) -> Any:
    from sklearn.model_selection import StratifiedKFold

    base: Any = LinearSVC(C=c, class_weight="balanced", random_state=seed)
    if kind == "logreg":
        base = LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=seed)
    return CalibratedClassifierCV(
        base,
        method=method,
        cv=StratifiedKFold(n_splits=calibration_folds, shuffle=True, random_state=seed),
        ensemble=ensemble,
    )


def build_doc_type_model(c: float = DOC_TYPE_C, seed: int = 0) -> Any:
    return LinearSVC(C=c, class_weight="balanced", random_state=seed)


def _strip_fitted(features: FeatureUnion) -> None:
    """Drop what is not needed to transform (stop_words_ holds every cut n-gram and is large)."""
    for _, vec in features.transformer_list:
        if hasattr(vec, "stop_words_"):
            del vec.stop_words_


def _shrink(estimator: Any) -> None:
    """Store linear weights as float32: half the size, no measurable change in the predictions."""
    targets = [estimator]
    targets += [cc.estimator for cc in getattr(estimator, "calibrated_classifiers_", [])]
    targets += list(getattr(estimator, "view_models_", []))
    for est in targets:
        if hasattr(est, "coef_"):
            est.coef_ = np.ascontiguousarray(est.coef_, dtype=np.float32)


def _min_class_count(labels: Sequence[str]) -> int:
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    return int(counts.min())


def fit_pipelines(
    texts: Sequence[str],
    departments: Sequence[str],
    doc_types: Sequence[str] | None,
    *,
    seed: int = 0,
    params: dict[str, Any] | None = None,
) -> tuple[Pipeline, Pipeline | None]:
    """Fit the shared features once, then both models. Returns (department pipeline, doc_type pipeline)."""
    params = params or {}
    features = build_features(
        char_max_features=params.get("char_max_features", CHAR_MAX_FEATURES),
        word_max_features=params.get("word_max_features", WORD_MAX_FEATURES),
        char_ngram=tuple(params.get("char_ngram", CHAR_NGRAM)),
        word_ngram=tuple(params.get("word_ngram", WORD_NGRAM)),
        weights=tuple(params.get("weights", (1.0, 1.0))),
        lexicon_scale=params.get("lexicon_scale", LEXICON_SCALE),
        envelope=params.get("envelope", True),
        subject_lexicon=params.get("subject_lexicon", SUBJECT_LEXICON),
    )
    x = features.fit_transform(list(texts))
    _strip_fitted(features)
    folds = max(2, min(params.get("calibration_folds", CALIBRATION_FOLDS), _min_class_count(departments)))
    kind = params.get("department_model", DEPARTMENT_MODEL)
    dep_clf = build_department_model(
        params.get("department_c", DEPARTMENT_C),
        seed,
        folds,
        kind,
        params.get("calibration", "sigmoid"),
        params.get("ensemble", False),
    )
    if kind == "views":
        dep_clf = ViewEnsemble(dep_clf, block_slices(features), tuple(params.get("view_weights", WEIGHTS)), seed=seed)
    dep_clf.fit(x, list(departments))
    _shrink(dep_clf)
    dep_pipe = Pipeline([("features", features), ("clf", dep_clf)])
    doc_pipe = None
    if doc_types is not None and len(set(doc_types)) > 1:
        doc_clf = build_doc_type_model(params.get("doc_type_c", DOC_TYPE_C), seed)
        doc_clf.fit(x, list(doc_types))
        _shrink(doc_clf)
        doc_pipe = Pipeline([("features", features), ("clf", doc_clf)])
    return dep_pipe, doc_pipe


@dataclass
class Classifier:
    department_pipeline: Pipeline
    doc_type_pipeline: Pipeline | None
    version: str
    threshold: float = DEFAULT_THRESHOLD
    departments: list[str] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    thresholds: dict[str, float] = field(default_factory=dict)  # per department, where it differs

    def department_thresholds(self) -> dict[str, float]:
        """Per-department thresholds (models saved before issue 15 have none)."""
        return dict(getattr(self, "thresholds", None) or {})

    # -- prediction ---------------------------------------------------------------------------------

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.department_pipeline.classes_]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Department probabilities, columns in ``self.classes`` order."""
        return self.department_pipeline.predict_proba(list(texts))

    def predict(self, texts: Sequence[str]) -> list[str]:
        classes = self.classes
        return [classes[i] for i in self.predict_proba(texts).argmax(axis=1)]

    def predict_doc_type(self, texts: Sequence[str]) -> list[str | None]:
        if self.doc_type_pipeline is None:
            return [None] * len(texts)
        return [str(t) for t in self.doc_type_pipeline.predict(list(texts))]

    def _department_coef(self) -> np.ndarray:
        clf = self.department_pipeline.named_steps["clf"]
        coefs = [np.asarray(cc.estimator.coef_) for cc in clf.calibrated_classifiers_]
        return np.mean(coefs, axis=0)

    def top_terms(self, text: str, department: str, k: int = 8) -> list[str]:
        """The words and word pairs in ``text`` that pushed hardest towards ``department``."""
        classes = self.classes
        if department not in classes:
            return []
        features: FeatureUnion = self.department_pipeline.named_steps["features"]
        word_vec: TfidfVectorizer = dict(features.transformer_list)["word"]
        n_word = len(word_vec.vocabulary_)
        x = word_vec.transform([text]).tocsr()
        coef = self._department_coef()
        row = coef[classes.index(department)] if coef.shape[0] > 1 else coef[0]
        contrib = x.data * row[:n_word][x.indices]
        names = _feature_names(word_vec)
        order = np.argsort(-contrib)
        return [str(names[x.indices[i]]) for i in order[:k] if contrib[i] > 0]

    # -- persistence --------------------------------------------------------------------------------

    def save(self, out_dir: Path) -> Path:
        """Write model.joblib and report.json into ``out_dir``, each atomically (temp file + os.replace)."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        _atomic_write(out_dir / MODEL_FILE, lambda f: joblib.dump(self, f, compress=3))
        report = {
            **self.report,
            "version": self.version,
            "threshold": self.threshold,
            "thresholds": self.department_thresholds(),
        }
        data = json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")
        _atomic_write(out_dir / REPORT_FILE, lambda f: f.write(data))
        return out_dir


@lru_cache(maxsize=4)
def _feature_names(vectorizer: TfidfVectorizer) -> np.ndarray:
    """The vocabulary as an array, built once per loaded model (building it took ~0.1 s per letter)."""
    return vectorizer.get_feature_names_out()


def make_version(texts: Sequence[str], labels: Sequence[str]) -> str:
    """Timestamp plus a short hash of the training data (the same data gives the same hash)."""
    h = hashlib.sha256()
    for t, lab in zip(texts, labels, strict=True):
        h.update(lab.encode())
        h.update(b"\0")
        h.update(t.encode())
        h.update(b"\1")
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + h.hexdigest()[:8]


def _atomic_write(path: Path, write: Any) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: Path | str) -> Classifier:
    """Load a model from a directory holding model.joblib, or from the model.joblib file itself."""
    path = Path(path)
    if path.is_dir():
        path = path / MODEL_FILE
    obj = joblib.load(path)
    if not isinstance(obj, Classifier):
        raise TypeError(f"{path} does not hold a Classifier")
    return obj


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime_ns: int) -> Classifier:
    return load(path)


def default_model_path() -> Path:
    from services.core.settings import get_settings

    configured = get_settings().model_path
    return Path(configured) if configured else DEFAULT_MODEL_DIR


def load_default() -> Classifier:
    """The configured model (POSTHANTERING_MODEL_PATH) or the packaged default; cached per file version."""
    path = default_model_path()
    file = path / MODEL_FILE if path.is_dir() else path
    if not file.exists():
        raise FileNotFoundError(f"no model at {file}; run `posthantering train`")
    return _load_cached(str(file), file.stat().st_mtime_ns)
