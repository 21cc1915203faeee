"""Every user-facing string of `posthantering` is Swedish: the help of the app and of every command and
sub-command (walked from typer's click tree), and the error lines an operator meets.

Left out of the check: what click and typer print themselves ("Usage:", the panel titles "Options",
"Arguments", "Commands", "Show this message and exit.", "[default: …]", "[required]", the type
metavars like <bool>), command, option and argument names, env var names, paths and `code`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from services.cli.common import fail
from services.cli.main import app
from services.core.errors import NotFound
from services.core.messages import _ENGLISH_HINT, error_text

# messages.py's hint words, and more words that only English help text would have.
ENGLISH = re.compile(
    _ENGLISH_HINT.pattern[:-3]
    + r"|or|to|for|a|an|only|every|each|print|run|when|without|also|this|that|their|until|new|user|users"
    + r"|letter|letters|from|into|which|yet|seconds|days|show|shown|used|are|be|was|will|can|by|at|on)\b",
    re.I,
)
_CLICK_OWN = re.compile(
    r"Show this message and exit\.|\[default: [^\]]*\]|\[required\]|\[env var: [^\]]*\]|<[^<>]*(?:<[^<>]*>)?[^<>]*>"
)
_CODE = re.compile(r"`[^`]*`|--?[\w-]+|\b[A-Z][A-Z0-9_]+\b|\S*[/|]\S*")
_PANEL_TITLES = re.compile(r"^(?:Options|Arguments|Commands)$")


def _walk(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """(path, command) for the app and every command and sub-command (typer vendors its own click)."""
    found = [(path, command)]
    if hasattr(command, "commands"):
        for name, sub in sorted(command.commands.items()):
            found += _walk(sub, (*path, name))
    return found


COMMANDS = _walk(typer.main.get_command(app))
NAMES = {name for path, _ in COMMANDS for name in path} | {p.name for _, c in COMMANDS for p in c.params if p.name}


def _english_words(text: str) -> list[str]:
    """The English words left in `text` once click's own words, names and code are taken out."""
    text = _CLICK_OWN.sub(" ", text)
    words: list[str] = []
    for raw in text.splitlines():
        line = raw.strip(" │╭╮╰╯─*")
        if line.startswith("Usage:") or _PANEL_TITLES.match(line.strip("─ ")):
            continue
        line = _CODE.sub(" ", line)
        first = line.split(maxsplit=1)
        if first and first[0].rstrip(".") in NAMES:  # a command or argument name in its panel row
            line = first[1] if len(first) > 1 else ""
        words += ENGLISH.findall(line)
    return words


def test_the_command_tree_is_walked() -> None:
    paths = {" ".join(p) for p, _ in COMMANDS}
    assert {"", "ingest", "users add", "model rollback", "cases import", "blobs copy", "split"} <= paths


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "posthantering")
def test_help_is_swedish(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "250", "TERMINAL_WIDTH": "250"})
    assert result.exit_code == 0, result.output
    assert _english_words(result.output) == [], result.output


@pytest.mark.parametrize("path,command", COMMANDS, ids=lambda x: " ".join(x) if isinstance(x, tuple) else "")
def test_help_texts_are_swedish(path: tuple[str, ...], command: Any) -> None:
    """The texts themselves, not as rendered (no wrapping or panel layout to get in the way)."""
    texts = [command.help or "", command.short_help or ""]
    texts += [getattr(p, "help", None) or "" for p in command.params if p.name != "help"]
    for text in texts:
        assert ENGLISH.findall(_CODE.sub(" ", text)) == [], (path, text)


def test_the_check_finds_english() -> None:
    assert _english_words("│ --wait  <bool>  Block until each item is routed [default: no-wait] │") != []
    assert _english_words("│ --wait --no-wait <bool>  Vänta på varje försändelse [default: no-wait] │") == []


def test_a_domain_error_is_printed_in_swedish(capsys: pytest.CaptureFixture[str]) -> None:
    exit_ = fail(NotFound("no older model version to roll back to"))
    assert exit_.exit_code == 1
    assert "fel: Det finns ingen äldre modellversion att gå tillbaka till." in capsys.readouterr().err


@pytest.mark.parametrize(
    "message",
    [
        "no model version 'v9'",
        "model version 'v9' has no files at /x/y",
        "no older model version to roll back to",
        "no user 'nobody'",
        "no token 7",
        "unknown role 'boss'; one of admin, registrar, department, viewer",
        "unknown department(s): XYZ, QQ",
        "the password must be at least 8 characters",
        "more than 100000 rows",
        "the CSV needs a header with at least: number,department[,title]",
        "unknown blob backend 'nowhere' (folder or postgres)",
        "the postgres blob backend needs a PostgreSQL DATABASE_URL",
        "skadad PDF, kan inte öppnas (Failed to load document)",
        "skadad eller oläsbar bild: cannot identify image file",
        "sida 2: skadad eller oläsbar (ValueError: the data is broken)",
        "filen kan inte läsas: Is a directory",
    ],
)
def test_messages_the_cli_can_meet_are_translated(message: str) -> None:
    text = error_text(message, 404)
    assert text and not _ENGLISH_HINT.search(text.replace("number,department[,title]", "")), text
    assert text not in error_text("the frobnicator is not ready", 404)  # not the generic fallback


def test_errors_of_commands_are_swedish(migrated: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    bad_csv = tmp_path / "cases.csv"
    bad_csv.write_text("nummer;avdelning\n", encoding="utf-8")
    cases = [
        (["users", "token", "nobody"], "användaren nobody finns inte"),
        (["users", "add", "bo", "--role", "boss"], "Okänd roll: boss"),
        (["model", "rollback"], "Det finns ingen äldre modellversion"),
        (["model", "promote", "v9"], "Modellversionen v9 finns inte"),
        (["cases", "import", str(bad_csv)], "CSV-filen behöver en rubrikrad"),
        (["cases", "import", str(tmp_path / "saknas.csv")], "filen finns inte"),
        (["split", str(tmp_path / "saknas.pdf")], "filen finns inte"),
        (["blobs", "copy", "--from", "folder", "--to", "nowhere"], "Okänd lagring: nowhere"),
    ]
    for argv, swedish in cases:
        result = runner.invoke(app, argv, env={"COLUMNS": "250"})
        assert result.exit_code != 0 and swedish in result.output, (argv, result.output)
        assert "error:" not in result.output.lower(), (argv, result.output)
