"""`posthantering register FILE|- --json`: every field with a value and a confidence, nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from services.cli.main import app
from services.registration.extract import FIELDS

LETTER = "Solvik 2025-02-11\n\nAnsökan om trygghetslarm\n\nJag vill ha ett larm.\n\nVänliga hälsningar\nElsa Morén\n"


def test_register_json_from_stdin(isolated_settings: Path) -> None:
    result = CliRunner().invoke(app, ["register", "-", "--json"], input=LETTER)
    assert result.exit_code == 0, result.output
    rec = json.loads(result.output)["registration"]
    for name in (*FIELDS, "arrival_date", "secret", "secrecy_regulation", "public_subject", "do_not_open"):
        assert set(rec[name]) >= {"value", "confidence"}, name
    assert rec["sender_name"]["value"] == "Elsa Morén"
    assert rec["letter_date"]["value"] == "2025-02-11"
    assert rec["subject"]["value"] == "Ansökan om trygghetslarm"
    assert rec["secret"]["value"] == "ja"  # trygghetslarm: social services
    assert not (isolated_settings / "posthantering.db").exists()  # nothing stored


def test_register_unknown_file(isolated_settings: Path) -> None:
    result = CliRunner().invoke(app, ["register", str(isolated_settings / "nope.pdf"), "--json"])
    assert result.exit_code == 1
