"""The letter reader shared by `posthantering classify` and `posthantering register` (services/cli/common.py):
standard input, a text file as it is, a scan through the pipeline's extraction, a clear error otherwise."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import typer

from services.cli.common import read_letter
from services.core.settings import get_settings


def test_standard_input_and_text_files(
    tmp_path: Path, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Hej kommunen\n"))
    assert read_letter("-", get_settings()) == ("Hej kommunen\n", "")
    letter = tmp_path / "brev.txt"
    letter.write_text("Ansökan om bygglov\n", encoding="utf-8")
    assert read_letter(str(letter), get_settings()) == ("Ansökan om bygglov\n", "brev.txt")


def test_a_scan_is_read_by_the_extraction(tmp_path: Path, isolated_settings: Path) -> None:
    from tests.ingest.conftest import text_page

    scan = tmp_path / "skannat.png"
    text_page(["Till Solvik kommun", "Ansökan om bygglov"]).save(scan, "PNG", dpi=(300, 300))
    text, name = read_letter(str(scan), get_settings())
    assert name == "skannat.png" and "bygglov" in text


@pytest.mark.parametrize("content", [None, b"%PDF-1.4 trasig"])
def test_missing_or_unreadable_files_exit_1(tmp_path: Path, isolated_settings: Path, content: bytes | None) -> None:
    path = tmp_path / "brev.pdf"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(typer.Exit) as exc:
        read_letter(str(path), get_settings())
    assert exc.value.exit_code == 1
