"""`posthantering train --retrain`, `model list|promote|rollback` and the weekly retrain task, on a small corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.classify import learning
from services.classify.model import load_default
from services.classify.service import classify_text
from services.classify.versions import active_classifier
from services.cli.main import app
from services.core.db import session_scope
from services.core.models import MailItem, Page
from services.core.states import MailState
from services.pipeline import service as pipeline
from tests.classify.learning_letters import LETTERS, letter_rows, write_corpus


def _versions(runner: CliRunner) -> list[tuple[str, bool]]:
    result = runner.invoke(app, ["model", "list", "--json"])
    assert result.exit_code == 0, result.output
    return [(v["version"], v["active"]) for v in json.loads(result.stdout)]


def test_retrain_by_cli_and_task_then_rollback_reaches_the_pipeline(
    migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """v1 from `train --retrain` (no decision to compare with the packaged default on: kept inactive, so promoted
    by hand), v2 from the beat task's function called without a broker (no new decisions: kept inactive),
    promoted by hand, then rolled back: the pipeline's classify step and `posthantering classify` must then
    both use v1 again (Decision.model_version, stored on the item)."""
    runner = CliRunner()
    part_a = write_corpus("a", 4, tmp_path / "a")
    part_b = write_corpus("b", 4, tmp_path / "b")

    result = runner.invoke(app, ["train", "--retrain", "--corpus", str(part_a)])
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout)
    assert not first["promoted"] and first["corpus"] == 24 and first["decisions"] == 0
    assert first["promotion"].startswith("kept inactive: only 0 decisions the current model has not seen")
    assert first["current_version"] == load_default().version  # compared with the packaged default
    assert (migrated / "models" / first["version"] / "report.json").exists()
    assert _versions(runner) == [(first["version"], False)]
    result = runner.invoke(app, ["model", "promote", first["version"]])
    assert result.exit_code == 0, result.output

    from workers import tasks

    monkeypatch.setattr(learning, "default_corpus_dirs", lambda: [part_b])  # the task trains on the default corpus
    second = tasks.retrain()  # the Celery task's own function, run in this process
    assert second["corpus"] == 24 and second["version"] != first["version"]
    assert not second["promoted"] and second["promotion"].startswith("kept inactive: only 0 decisions")
    assert second["current_version"] == first["version"]
    assert _versions(runner) == [(second["version"], False), (first["version"], True)]

    result = runner.invoke(app, ["model", "promote", second["version"]])
    assert result.exit_code == 0 and f"aktiv modell: {second['version']}" in result.output
    assert _versions(runner) == [(second["version"], True), (first["version"], False)]

    result = runner.invoke(app, ["model", "rollback"])
    assert result.exit_code == 0 and f"aktiv modell: {first['version']}" in result.output
    assert _versions(runner) == [(second["version"], False), (first["version"], True)]
    result = runner.invoke(app, ["model", "rollback"])  # nothing older than v1
    assert result.exit_code == 1 and "Det finns ingen äldre modellversion" in result.output
    result = runner.invoke(app, ["model", "promote", "no-such-version"])
    assert result.exit_code == 1 and "Modellversionen no-such-version finns inte" in result.output

    row = letter_rows("b", 5)[-1]  # a letter neither version was trained on
    text = (LETTERS / "b" / f"{row['id']}.txt").read_text(encoding="utf-8")
    with session_scope() as s:
        item = MailItem(sha256="c" * 64, filename="x.pdf", state=MailState.extracted.value)
        item.pages = [Page(index=0, text=text, method="ocr")]
        s.add(item)
        s.flush()
        item_id = item.id
    with session_scope() as s:
        assert pipeline.classify(s, item_id) == MailState.classified
    with session_scope() as s:
        assert s.get(MailItem, item_id).model_version == first["version"]
        assert classify_text(text, classifier=active_classifier(s)).model_version == first["version"]
    cli = runner.invoke(app, ["classify", "-", "--json"], input=text)
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.stdout)["model_version"] == first["version"]
    assert json.loads(cli.stdout)["model_source"] == "active"
