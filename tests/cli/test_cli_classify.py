"""`posthantering classify` decides the way the pipeline does: active model, rules, case register.

Before issue 15 the CLI used the packaged model alone, so a sender rule or a known case changed the
pipeline's answer but not the CLI's. Here both run on the same letters (a small sample of the corpus
and two letters that a rule and the case register decide) and must agree on every field that decides.
The whole corpus is compared by bench/classify_agreement.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from services.classify.cases import import_rows
from services.classify.rules import create_rule
from services.cli.main import app
from services.core.db import session_scope
from services.core.models import MailItem, Page
from services.core.states import MailState
from services.pipeline import service as pipeline
from tests.classify.learning_letters import LETTERS

FROM_COURT = "Förvaltningsrätten i Göteborg\nDom\nMål nr 6612-25\n\nKlagande: en medborgare om bygglov.\n"
KNOWN_CASE = (
    "Hej!\nJag skickar in de kompletterande uppgifter ni bad om.\nErt ärende 2024-000318\n"
    "Ritningar och intyg bifogas.\nMed vänlig hälsning\nEva\n"
)
SAMPLE = ["a-001", "a-004", "b-010", "b-036"]


def _pipeline_decision(text: str, n: int) -> dict:
    with session_scope() as s:
        item = MailItem(sha256=f"{n + 500:064x}", filename="x.pdf", state=MailState.extracted.value)
        item.pages = [Page(index=0, text=text, method="ocr")]
        s.add(item)
        s.flush()
        item_id = item.id
    with session_scope() as s:
        assert pipeline.classify(s, item_id) == MailState.classified
    with session_scope() as s:
        item = s.get(MailItem, item_id)
        return {
            "department": item.suggested_department,
            "decision": item.decision,
            "confidence": round(item.confidence, 6),
            "model_version": item.model_version,
            "rule": item.reasons.get("rule"),
        }


def test_cli_and_pipeline_agree_with_rules_and_known_cases(migrated: Path) -> None:
    with session_scope() as s:
        create_rule(s, kind="sender", pattern="Förvaltningsrätten", department="KS")
        import_rows(s, [{"number": "2024-000318", "department": "MHN", "title": "Tillsyn"}])
    texts = [FROM_COURT, KNOWN_CASE] + [
        (LETTERS / i[0] / f"{i}.txt").read_text(encoding="utf-8") for i in SAMPLE if (LETTERS / i[0]).is_dir()
    ]
    runner = CliRunner()
    for n, text in enumerate(texts):
        result = runner.invoke(app, ["classify", "-", "--json"], input=text)
        assert result.exit_code == 0, result.output
        cli = json.loads(result.stdout)
        assert cli["model_source"] == "packaged default"
        got = {
            "department": cli["department"],
            "decision": cli["decision"],
            "confidence": round(cli["confidence"], 6),
            "model_version": cli["model_version"],
            "rule": cli["reasons"]["rule"],
        }
        assert got == _pipeline_decision(text, n), text[:60]
        if text is FROM_COURT:
            assert (got["department"], got["decision"]) == ("KS", "auto")
            assert got["rule"].startswith("sender rule #")
        if text is KNOWN_CASE:
            assert got["department"] == "MHN" and got["rule"] == "known_case 2024-000318"

    human = runner.invoke(app, ["classify", "-"], input=FROM_COURT)
    assert human.exit_code == 0 and "beslut av modell" in human.output and "medföljande standardmodell" in human.output
