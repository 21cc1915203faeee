"""Fixtures for the classification tests: the shared corpus and a tiny copy of it."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LETTERS = REPO.parent / "shared" / "corpus" / "letters"
TINY_DEPARTMENTS = ("SBN", "EKO", "SN", "TN")
TINY_PER_DEPARTMENT = 6


@pytest.fixture(scope="session")
def corpus_dirs() -> list[Path]:
    dirs = [LETTERS / "a", LETTERS / "b"]
    if not all((d / "labels.csv").exists() for d in dirs):
        pytest.skip(f"shared corpus not found under {LETTERS}")
    return dirs


@pytest.fixture
def tiny_corpus(corpus_dirs: list[Path], tmp_path: Path) -> Path:
    """4 departments x 6 letters copied from the shared corpus into one corpus folder."""
    out = tmp_path / "tiny"
    out.mkdir()
    taken: dict[str, int] = {}
    rows = []
    for d in corpus_dirs:
        with (d / "labels.csv").open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                dep = row["department"]
                if dep in TINY_DEPARTMENTS and taken.get(dep, 0) < TINY_PER_DEPARTMENT:
                    taken[dep] = taken.get(dep, 0) + 1
                    shutil.copy(d / f"{row['id']}.txt", out / f"{row['id']}.txt")
                    rows.append(row)
    with (out / "labels.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return out
