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


models_app = typer.Typer(help="Modellversioner: lista, aktivera, gå tillbaka.", no_args_is_help=True)
cases_app = typer.Typer(help="Ärenderegistret (kända diarienummer och deras avdelningar).", no_args_is_help=True)


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
        console.print(f"[red]fel:[/red] ingen labels.csv i {corpus} eller dess undermappar")
        raise typer.Exit(2)
    return dirs


def train(
    corpus: Annotated[Path, typer.Option(help="Märkta brev (mapp med labels.csv, eller mappen ovanför)")] = (
        DEFAULT_CORPUS
    ),
    out: Annotated[Path, typer.Option(help="Vart den paketerade modellen skrivs (utan --retrain)")] = (
        DEFAULT_MODEL_DIR
    ),
    retrain: Annotated[
        bool,
        typer.Option(
            "--retrain/--no-retrain",
            help="Lär också av registratorernas beslut i databasen och spara en ny modellversion "
            "(aktiveras bara om den inte är sämre än den aktiva på undanhållna beslut)",
        ),
    ] = False,
) -> None:
    """Träna avdelningsklassaren och skriv den, med sin utvärderingsrapport, atomärt."""
    if retrain:
        from services.classify.learning import retrain_from_database

        settings = load_settings()
        prepare_database(settings)
        print_json(retrain_from_database(_corpus_dirs(corpus)))
        return
    from services.classify.training import train as train_model

    load_settings()
    report = train_model(_corpus_dirs(corpus), out)
    console.print(f"modellen skriven till {out}")
    print_json({k: v for k, v in report.items() if k != "confusion"})


def evaluate(
    corpus: Annotated[Path, typer.Option(help="Märkta brev")] = DEFAULT_CORPUS,
    folds: Annotated[int, typer.Option(help="Antal delar i korsvalideringen")] = 5,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Korsvaliderad utvärdering: träffsäkerhet, macro-F1, andel automatiskt fördelade och deras
    precision, förväxlingsmatris."""
    from services.classify.evaluation import evaluate as run_eval

    load_settings()
    report = run_eval(_corpus_dirs(corpus), folds=folds)
    if as_json:
        print_json(report)
        return
    console.print(
        f"träffsäkerhet {report['accuracy']:.3f}  macro-F1 {report['macro_f1']:.3f}  "
        f"automatiskt fördelade {report['auto_rate']:.1%} med precision {report['auto_precision']:.1%} "
        f"(tröskel {report.get('threshold')})"
    )


@models_app.command("list")
def list_models(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Modellversioner, nyaste först; den aktiva är markerad."""
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
        console.print("inga modellversioner än: den medföljande standardmodellen används")
    for r in rows:
        console.print(f"{'*' if r['active'] else ' '} {r['version']}  {r['created_at']}")


def _activate(version: str | None) -> None:
    from services.classify.versions import activate, rollback
    from services.core.db import session_scope

    prepare_database(load_settings())
    try:
        with session_scope() as session:
            row = activate(session, version) if version else rollback(session)
            console.print(f"aktiv modell: {row.version}")
    except DomainError as exc:
        raise fail(exc) from exc


@models_app.command("promote")
def promote_model(version: Annotated[str, typer.Argument(help="Versionen som ska bli aktiv")]) -> None:
    """Gör en modellversion till den aktiva."""
    _activate(version)


@models_app.command("rollback")
def rollback_model(
    version: Annotated[str | None, typer.Argument(help="Versionen att gå tillbaka till (standard: föregående)")] = None,
) -> None:
    """Gå tillbaka till en äldre modellversion (den före den aktiva, eller den angivna)."""
    _activate(version)


@cases_app.command("import")
def import_cases(file: Annotated[Path, typer.Argument(help="CSV med rubrikrad: number,department[,title]")]) -> None:
    """Läs in kända ärenden i ärenderegistret (befintliga nummer uppdateras)."""
    from services.classify.cases import import_csv
    from services.core.db import session_scope

    if not file.exists():
        console.print(f"[red]fel:[/red] filen finns inte: {file}")
        raise typer.Exit(1)
    prepare_database(load_settings())
    try:
        with session_scope() as session:
            result = import_csv(session, file.read_bytes())
    except DomainError as exc:
        raise fail(exc) from exc
    print_json({"added": result.added, "updated": result.updated, "skipped": result.skipped})
