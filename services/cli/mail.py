"""Mail commands: ingest files, read one file's text, classify one letter."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress

from services.classify.schemas import Decision
from services.cli.common import console, fail, load_settings, prepare_database, print_json, read_letter
from services.core.errors import DomainError
from services.core.messages import error_text
from services.core.settings import Settings
from services.core.states import PIPELINE_STATES, MailState

SUPPORTED = {".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg"}
_SOURCE = {"active": "aktiv version", "packaged default": "medföljande standardmodell"}


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(ocr)
    app.command()(classify)


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED))
        elif p.exists():
            files.append(p)
        else:
            console.print(f"[yellow]hoppar över, filen finns inte:[/yellow] {p}")
    return files


def _summary(item: Any, file: Path | None = None, duplicate: bool = False) -> dict[str, Any]:
    return {
        "file": str(file) if file else item.filename,
        "id": item.id,
        "state": item.state,
        "department": item.department_code,
        "suggested_department": item.suggested_department,
        "confidence": round(item.confidence, 4) if item.confidence is not None else None,
        "decision": item.decision,
        "doc_type": item.doc_type,
        "sensitive": item.sensitive,
        "pages": item.page_count,
        "duplicate": duplicate,
        "reason": item.state_reason,
        "batch_id": item.batch_id,
        "source_pages": item.source_pages if item.source_pages is not None else list(range(item.page_count)),
    }


def _letters_of(session: Any, item: Any) -> list[Any]:
    """A pile split into letters (issue 16) is reported as its letters."""
    from sqlalchemy import select

    from services.core.models import MailItem

    if item.state != MailState.split or item.batch_id is None:
        return [item]
    query = select(MailItem).where(MailItem.batch_id == item.batch_id, MailItem.id != item.id)
    return list(session.scalars(query.order_by(MailItem.id))) or [item]


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Filer eller mappar (PDF, TIFF, PNG, JPEG)")],
    wait: Annotated[
        bool, typer.Option(help="Vänta tills varje försändelse är fördelad eller ligger att granska")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ut resultatet som JSON")] = False,
    inline: Annotated[
        bool, typer.Option(help="Kör behandlingen i den här processen i stället för i arbetsprocesserna")
    ] = False,
    timeout: Annotated[float, typer.Option(help="Sekunder att vänta med --wait")] = 1800.0,
) -> None:
    """Lämna in filer eller mappar till posthanteringen."""
    from services.core.db import session_scope
    from services.core.models import MailItem
    from services.ingest.service import submit_file
    from workers.dispatch import enqueue_for_state, warm_up

    settings = load_settings()
    prepare_database(settings)
    files = _expand(paths)
    if not inline:
        warm_up()  # the broker connection is open before the first item commits
    submitted: list[tuple[Path, int, bool]] = []
    with Progress(console=console, transient=True, disable=len(files) < 5) as progress:
        task = progress.add_task("lämnar in", total=len(files))
        for f in files:
            with session_scope() as session:
                result = submit_file(session, f, filename=f.name, channel="cli", actor="user:cli")
                item_id, state = result.item.id, result.item.state
            if not inline:
                enqueue_for_state(item_id, state)
            submitted.append((f, item_id, result.duplicate))
            progress.advance(task)
    if inline:
        _run_inline([i for _, i, _ in submitted])
    elif wait:
        _wait_for([i for _, i, _ in submitted], timeout)
    rows = []
    with session_scope() as session:
        for f, item_id, dup in submitted:
            item = session.get(MailItem, item_id)
            assert item is not None
            rows.extend(_summary(x, f, dup) for x in _letters_of(session, item))
    if as_json:
        print_json(rows)
    else:
        for r in rows:
            dept = r["department"] or (f"? ({r['suggested_department']})" if r["suggested_department"] else "")
            extra = " (dubblett)" if r["duplicate"] else ""
            console.print(f"{r['id']:>6}  {r['state']:<13} {dept:<10} {r['file']}{extra}")
            if r["reason"]:
                console.print(f"        [yellow]{error_text(r['reason'])}[/yellow]")


def _run_inline(ids: list[int]) -> None:
    from services.core.db import session_scope
    from services.core.models import MailItem
    from services.pipeline.pages import FanOut
    from services.pipeline.runner import run_page, run_step
    from services.pipeline.service import EXTRACT_PAGE_STEP, STEP_FOR_STATE

    queue = list(ids)
    while queue:
        item_id = queue.pop(0)
        fanned_out = False
        while True:
            with session_scope() as session:
                item = session.get(MailItem, item_id)
                state = MailState(item.state) if item else None
                if item is not None and state == MailState.split:  # its letters go on
                    queue.extend(x.id for x in _letters_of(session, item) if x.id != item_id)
            if state not in STEP_FOR_STATE:
                break
            result = run_step(STEP_FOR_STATE[state], item_id)
            if isinstance(result, FanOut) and not fanned_out:
                fanned_out = True  # a multi-page item: its pages one after another, here
                for index in result.indices:
                    run_page(EXTRACT_PAGE_STEP, item_id, index)
            elif result is None or isinstance(result, FanOut):
                break


def _wait_for(ids: list[int], timeout: float) -> None:
    from sqlalchemy import select

    from services.core.db import session_scope
    from services.core.models import MailItem

    deadline = time.monotonic() + timeout
    pending = set(ids)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("behandlar", total=len(pending))
        while pending and time.monotonic() < deadline:
            with session_scope() as session:
                rows = session.execute(select(MailItem.id, MailItem.state).where(MailItem.id.in_(pending))).all()
            done = {i for i, s in rows if MailState(s) not in PIPELINE_STATES}
            for i, s in rows:
                if s == MailState.split:  # a pile: wait for its letters instead
                    with session_scope() as session:
                        pile = session.get(MailItem, i)
                        pending |= {x.id for x in _letters_of(session, pile) if x.id != i}
            pending -= done
            progress.advance(task, len(done))
            if pending:
                time.sleep(0.5)
    if pending:
        console.print(
            f"[yellow]{len(pending)} försändelse(r) behandlas fortfarande efter {timeout:.0f} s. "
            "Körs någon arbetsprocess (`posthantering serve` eller `posthantering worker`)?[/yellow]"
        )


def ocr(
    file: Annotated[Path, typer.Argument(help="En PDF-, TIFF-, PNG- eller JPEG-fil")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Läs bara ut texten: per sida metoden (text-layer|ocr), säkerheten och sekunderna."""
    from services.ingest.extract import ocr_file

    settings = load_settings()
    try:
        result = ocr_file(file, settings)
    except DomainError as exc:
        raise fail(exc) from exc
    if as_json:
        print_json(result)
        return
    sys.stdout.write(result["text"] + "\n")
    for p in result["pages"]:
        console.print(f"sida {p['index'] + 1}: {p['method']}, säkerhet {p['confidence']}, {p['seconds']:.2f} s")


def classify(
    file: Annotated[str, typer.Argument(help="Ett brev: en textfil, en skanning, eller - för standard in (stdin)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Välj avdelning utan att spara något, på samma sätt som behandlingen gör (aktiv modell, regler, ärenden)."""
    settings = load_settings()
    text, _ = read_letter(file, settings)
    decision, source = decide_without_storing(settings, text)
    if as_json:
        print_json({**decision.model_dump(), "model_source": source})
        return
    console.print(
        f"{decision.department} ({decision.confidence:.2f}) -> {decision.decision}; "
        f"dokumenttyp {decision.doc_type}; "
        f"sekretess {'ja' if decision.sensitive else 'nej'}; ärendenummer {', '.join(decision.case_refs) or '-'}"
    )
    console.print(
        f"beslut av modell {decision.model_version} ({_SOURCE.get(source, source)}); "
        f"regel: {decision.reasons.get('rule') or '-'}"
    )
    for s in decision.suggestions:
        console.print(f"  {s.department:<6} {s.confidence:.3f}")


def decide_without_storing(settings: Settings, text: str) -> tuple[Decision, str]:
    """The pipeline's decision path (``routing.decide_letter``) in a session that is rolled back."""
    from services.classify.routing import decide_letter, model_source
    from services.core.db import session_scope

    prepare_database(settings)
    with session_scope() as session:
        decision, source = decide_letter(session, text), model_source(session)
        session.rollback()
    return decision, source
