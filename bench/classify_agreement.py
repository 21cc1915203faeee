"""Does `posthantering classify` decide every corpus letter the way the pipeline does?

In a fresh data directory (embedded SQLite), with a sender rule and an imported case register, each corpus
letter is first decided by the CLI (`classify - --json`, in-process through Typer's runner) and then by
the pipeline's classify step on an item holding the same text, in the same database state; then the
pipeline routes it (which adds the case numbers it quotes to the register, so later letters meet known
cases). Department, decision, confidence, model version and the rule that fired must be equal.

    .venv/bin/python bench/classify_agreement.py [--limit N] [--model-version DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus" / "letters"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="agreement-"))
    os.environ["POSTHANTERING_DATA_DIR"] = str(data)
    for var in ("DATABASE_URL", "BROKER_URL", "POSTHANTERING_MODEL_PATH"):
        os.environ.pop(var, None)

    from typer.testing import CliRunner

    from services.classify.cases import import_rows
    from services.classify.rules import create_rule
    from services.classify.training import read_corpus
    from services.cli.common import load_settings, prepare_database
    from services.cli.main import app
    from services.core.db import session_scope
    from services.core.models import MailItem, Page
    from services.pipeline import service as pipeline

    prepare_database(load_settings())
    with session_scope() as s:
        create_rule(s, kind="sender", pattern="Förvaltningsrätten", department="KS")
        import_rows(s, [{"number": "MHN 2025/0441", "department": "MHN", "title": "Tillsyn"}])
    letters = read_corpus([CORPUS / "a", CORPUS / "b"])
    if args.limit:
        letters = letters[: args.limit]
    runner = CliRunner()
    fields = ("department", "decision", "confidence", "model_version", "rule")
    disagree = []
    rules_fired = 0
    for n, e in enumerate(letters):
        result = runner.invoke(app, ["classify", "-", "--json"], input=e.text)
        if result.exit_code != 0:
            disagree.append({"id": e.id, "cli_error": result.output[-300:]})
            continue
        c = json.loads(result.stdout)
        cli = (c["department"], c["decision"], round(c["confidence"], 6), c["model_version"], c["reasons"]["rule"])
        with session_scope() as s:
            item = MailItem(sha256=f"{n + 1:064x}", filename=f"{e.id}.txt", state="extracted")
            item.pages = [Page(index=0, text=e.text, method="text-layer")]
            s.add(item)
            s.flush()
            item_id = item.id
        with session_scope() as s:
            pipeline.classify(s, item_id)
        with session_scope() as s:
            it = s.get(MailItem, item_id)
            pipe = (it.suggested_department, it.decision, round(it.confidence, 6), it.model_version, it.reasons["rule"])
        with session_scope() as s:
            pipeline.route(s, item_id)
        rules_fired += cli[4] is not None
        if cli != pipe:
            disagree.append(
                {
                    "id": e.id,
                    "cli": dict(zip(fields, cli, strict=True)),
                    "pipeline": dict(zip(fields, pipe, strict=True)),
                }
            )
    print("| letters | agree | disagree | decided with a rule or known case |")
    print("|---|---|---|---|")
    print(f"| {len(letters)} | {len(letters) - len(disagree)} | {len(disagree)} | {rules_fired} |")
    for d in disagree[:10]:
        print(json.dumps(d, ensure_ascii=False))


if __name__ == "__main__":
    main()
