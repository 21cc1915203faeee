"""Model commands: train the classifier, evaluate it by cross-validation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from services.cli.common import console, load_settings, print_json

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "letters"
DEFAULT_MODEL_DIR = REPO_ROOT / "services" / "classify" / "default_model"


def register(app: typer.Typer) -> None:
    app.command()(train)
    app.command(name="eval")(evaluate)


def _corpus_dirs(corpus: Path) -> list[Path]:
    """A corpus is a folder with labels.csv, or a folder of such folders (letters/a, letters/b)."""
    if (corpus / "labels.csv").exists():
        return [corpus]
    dirs = sorted(d for d in corpus.iterdir() if (d / "labels.csv").exists()) if corpus.is_dir() else []
    if not dirs and (corpus / "letters").is_dir():
        return _corpus_dirs(corpus / "letters")
    if not dirs:
        console.print(f"[red]error:[/red] no labels.csv in {corpus} or its sub-folders")
        raise typer.Exit(2)
    return dirs


def train(
    corpus: Annotated[Path, typer.Option(help="Labelled letters (folder with labels.csv, or their parent)")] = (
        DEFAULT_CORPUS
    ),
    out: Annotated[Path, typer.Option(help="Where to write the model")] = DEFAULT_MODEL_DIR,
) -> None:
    """Train the department classifier and write it, with its evaluation report, atomically."""
    from services.classify.training import train as train_model

    load_settings()
    report = train_model(_corpus_dirs(corpus), out)
    console.print(f"model written to {out}")
    print_json({k: v for k, v in report.items() if k != "confusion"})


def evaluate(
    corpus: Annotated[Path, typer.Option(help="Labelled letters")] = DEFAULT_CORPUS,
    folds: Annotated[int, typer.Option(help="Cross-validation folds")] = 5,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Cross-validated evaluation: accuracy, macro-F1, auto-route rate and precision, confusion matrix."""
    from services.classify.evaluation import evaluate as run_eval

    load_settings()
    report = run_eval(_corpus_dirs(corpus), folds=folds)
    if as_json:
        print_json(report)
        return
    console.print(
        f"accuracy {report['accuracy']:.3f}  macro-F1 {report['macro_f1']:.3f}  "
        f"auto-routed {report['auto_rate']:.1%} at precision {report['auto_precision']:.1%} "
        f"(threshold {report.get('threshold')})"
    )
