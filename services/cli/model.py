"""Model commands: train and evaluate the classifier, manage model versions, import the case register."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from services.cli.common import console, fail, load_settings, prepare_database, print_json
from services.core.errors import DomainError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "letters"
DEFAULT_MODEL_DIR = REPO_ROOT / "services" / "classify" / "default_model"


models_app = typer.Typer(help="Model versions: list, promote, roll back.", no_args_is_help=True)
cases_app = typer.Typer(help="The case register (known diarienummer and their departments).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(train)
    app.command(name="eval")(evaluate)
    app.add_typer(models_app, name="model")
    app.add_typer(cases_app, name="cases")


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
    out: Annotated[Path, typer.Option(help="Where to write the packaged model (without --retrain)")] = (
        DEFAULT_MODEL_DIR
    ),
    retrain: Annotated[
        bool,
        typer.Option(
            "--retrain/--no-retrain",
            help="Also learn from registrar decisions in the database and store a new model version "
            "(promoted only when not worse than the active one on held-back decisions)",
        ),
    ] = False,
) -> None:
    """Train the department classifier and write it, with its evaluation report, atomically."""
    if retrain:
        from services.classify.learning import retrain_from_database

        settings = load_settings()
        prepare_database(settings)
        print_json(retrain_from_database(_corpus_dirs(corpus)))
        return
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


@models_app.command("list")
def list_models(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Model versions, newest first; the active one is marked."""
    from services.classify.versions import list_versions
    from services.core.db import session_scope

    prepare_database(load_settings())
    with session_scope() as session:
        rows = [
            {"version": v.version, "active": v.active, "created_at": str(v.created_at), "metrics": v.metrics}
            for v in list_versions(session)
        ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("no model versions yet: the packaged default model is used")
    for r in rows:
        console.print(f"{'*' if r['active'] else ' '} {r['version']}  {r['created_at']}")


def _activate(version: str | None) -> None:
    from services.classify.versions import activate, rollback
    from services.core.db import session_scope

    prepare_database(load_settings())
    try:
        with session_scope() as session:
            row = activate(session, version) if version else rollback(session)
            console.print(f"active model: {row.version}")
    except DomainError as exc:
        raise fail(exc) from exc


@models_app.command("promote")
def promote_model(version: Annotated[str, typer.Argument(help="The version to make active")]) -> None:
    """Make a model version the active one."""
    _activate(version)


@models_app.command("rollback")
def rollback_model(
    version: Annotated[str | None, typer.Argument(help="The version to go back to (default: the previous one)")] = None,
) -> None:
    """Go back to an older model version (the one before the active one, or the one named)."""
    _activate(version)


@cases_app.command("import")
def import_cases(file: Annotated[Path, typer.Argument(help="CSV with a header: number,department[,title]")]) -> None:
    """Import known cases into the case register (existing numbers are updated)."""
    from services.classify.cases import import_csv
    from services.core.db import session_scope

    if not file.exists():
        console.print(f"[red]error:[/red] no such file: {file}")
        raise typer.Exit(1)
    prepare_database(load_settings())
    try:
        with session_scope() as session:
            result = import_csv(session, file.read_bytes())
    except DomainError as exc:
        raise fail(exc) from exc
    print_json({"added": result.added, "updated": result.updated, "skipped": result.skipped})
