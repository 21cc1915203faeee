"""Small labelled corpora and real registrar decisions for the learning tests (used by tests/cli too)."""

from __future__ import annotations

import csv
import itertools
import shutil
from pathlib import Path

import pytest

from services.core.models import MailItem, Page, User
from services.core.states import MailState
from services.mail.service import route_item
from services.users.service import create_user

LETTERS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "letters"
DEPARTMENTS = ("SBN", "EKO", "SN", "TN", "MHN", "BUN")
_sha = itertools.count(1)


def letter_rows(part: str, per_department: int, departments: tuple[str, ...] = DEPARTMENTS) -> list[dict[str, str]]:
    """The first ``per_department`` labels.csv rows of each department in ../shared/corpus/letters/<part>."""
    labels = LETTERS / part / "labels.csv"
    if not labels.exists():
        pytest.skip(f"shared corpus not found under {LETTERS}")
    taken: dict[str, int] = {}
    rows = []
    with labels.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            dep = row["department"]
            if dep in departments and taken.get(dep, 0) < per_department:
                taken[dep] = taken.get(dep, 0) + 1
                rows.append(row)
    return rows


def write_corpus(part: str, per_department: int, out: Path, *, relabel: dict[str, str] | None = None) -> Path:
    """Copy a subset of the shared corpus to ``out`` (a corpus folder); ``relabel`` maps true -> written label."""
    out.mkdir(parents=True)
    rows = letter_rows(part, per_department)
    for row in rows:
        shutil.copy(LETTERS / part / f"{row['id']}.txt", out / f"{row['id']}.txt")
        if relabel:
            row["department"] = relabel[row["department"]]
    with (out / "labels.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return out


def registrar(session) -> User:
    return create_user(session, f"reg{next(_sha)}", "registrar")


def confirm_letters(session, user: User, part: str, per_department: int) -> dict[int, str]:
    """Letters waiting in needs_review (page text as OCR left it) that the registrar routes to their true
    department through the real mail service: confirmed decisions as learning.confirmed_examples reads them.
    Returns {item id: department}."""
    out: dict[int, str] = {}
    for row in letter_rows(part, per_department):
        item = MailItem(
            sha256=f"{next(_sha):064x}",
            filename=f"{row['id']}.pdf",
            state=MailState.needs_review.value,
            suggested_department="KS",
        )
        text = (LETTERS / part / f"{row['id']}.txt").read_text(encoding="utf-8")
        item.pages = [Page(index=0, text=text, method="ocr")]
        session.add(item)
        session.flush()
        route_item(session, user, item.id, row["department"], human_seconds=30)
        out[item.id] = row["department"]
    return out
