from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from services.cli.main import app
from services.core.db import session_scope
from services.core.events import record
from services.core.models import MailItem


def test_roi_prints_tables_and_json(migrated: Path) -> None:
    with session_scope() as s:
        item = MailItem(sha256="f" * 64, filename="a.pdf", state="routed", department_code="KS", doc_type="brev")
        s.add(item)
        s.flush()
        for action, src, dst in (("received", None, "received"), ("extracted", "received", "extracted")):
            record(s, item_id=item.id, actor="system:worker", action=action, from_state=src, to_state=dst)
        record(s, item_id=item.id, actor="system:worker", action="routed", from_state="classified", to_state="routed")
    runner = CliRunner()
    text = runner.invoke(app, ["roi"])
    assert text.exit_code == 0, text.output
    assert "modellversion 0" in text.output and "Per förvaltning" in text.output and "Per ISO-vecka" in text.output
    # removed 8.5 - 3 (not exported) = 5.5 min, after-steps 0.95: 4.55 min x 390.42 kr/h / 60 = 29.61 kr
    assert "KS" in text.output and "29.61" in text.output and "PRELIMINÄR" in text.output
    assert "Flöden" in text.output and "uppladdning" in text.output
    as_json = runner.invoke(app, ["roi", "--json"])
    assert json.loads(as_json.stdout)["kronor_saved"] == 29.61
