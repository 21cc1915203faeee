"""Corpus letters pushed through the real pipeline (inline) with the default ROI model: per item, the saved
share is exactly before - after - measured human time, and below 100 % (the paper is still opened and
scanned, and nothing was exported to the diarium, so "register in diarium" is never counted as removed)."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import select
from typer.testing import CliRunner

from services.cli.main import app
from services.core.db import session_scope
from services.core.models import Event, MailItem, User
from services.mail.service import acknowledge_item, route_item
from services.metering import service
from services.metering.baseline import DEFAULT_MODEL

LETTERS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "letters" / "a"
COUNT = 6


def _pdf(text: str, out: Path) -> None:
    """A born-digital letter (text layer): the pipeline reads it without OCR, so the test stays fast."""
    c = canvas.Canvas(str(out), pagesize=A4)
    y = 800
    for line in text.splitlines():
        c.drawString(50, y, line[:95])
        y -= 14
        if y < 60:
            break
    c.save()


@pytest.fixture
def corpus_pdfs(tmp_path: Path) -> list[Path]:
    if not (LETTERS / "labels.csv").exists():
        pytest.skip(f"shared corpus not found under {LETTERS}")
    ids = [r["id"] for r in csv.DictReader((LETTERS / "labels.csv").open(encoding="utf-8"))][:COUNT]
    out = []
    for letter_id in ids:
        pdf = tmp_path / f"{letter_id}.pdf"
        _pdf((LETTERS / f"{letter_id}.txt").read_text(encoding="utf-8"), pdf)
        out.append(pdf)
    return out


def _expected(session: object, item_id: int) -> dict[str, Decimal]:
    """The default model applied by hand to the item's events, independently of services.metering."""
    events = session.scalars(select(Event).where(Event.item_id == item_id)).all()  # type: ignore[attr-defined]
    item = session.get(MailItem, item_id)  # type: ignore[attr-defined]
    actions = {e.action for e in events}
    before = removed = Decimal(0)
    for step in DEFAULT_MODEL["before"]["steps"]:
        before += Decimal(str(step["minutes"]))
        if actions & set(step["removed_by"]):
            removed += Decimal(str(step["minutes"]))
    after_steps = Decimal("0.75") + Decimal("0.1") + Decimal("0.1") * max(item.page_count, 1)
    human = sum((Decimal(str(e.human_seconds)) for e in events), Decimal(0)) / 60
    misroutes = sum(1 for e in events if e.action in ("rerouted", "returned"))
    return {"before": before, "saved": removed - after_steps - human - 3 * misroutes}


def test_saved_share_per_item_is_before_minus_after_minus_measured(
    corpus_pdfs: list[Path], make_user: Callable[..., User]
) -> None:
    done = CliRunner().invoke(app, ["ingest", "--inline", "--json", *map(str, corpus_pdfs)])
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout[done.stdout.index("[") :])
    registrar, clerk = make_user("reg", "registrar"), make_user("clerk", "department", ["KS"])
    rng = random.Random(5)
    for row in rows:  # the people: a registrar routes what waits for review, the department acknowledges
        with session_scope() as s:
            item = s.get(MailItem, row["id"])
            if item.state == "needs_review":
                route_item(s, registrar, item.id, "KS", human_seconds=rng.uniform(30, 90))
        with session_scope() as s:
            item = s.get(MailItem, row["id"])
            if item.state == "routed" and item.department_code == "KS":
                acknowledge_item(s, clerk, item.id, human_seconds=rng.uniform(10, 30))
    with session_scope() as s:
        report = service.roi_report(s)
        per_item = service.item_rows(s)
        expected = {r["item_id"]: _expected(s, r["item_id"]) for r in per_item}
    assert len(per_item) >= COUNT - 1 and report["items_handled"] == len(per_item)
    total = Decimal(0)
    for r in per_item:
        e = expected[r["item_id"]]
        assert r["before_minutes"] == float(e["before"]) == 8.5
        assert r["saved_minutes"] == float(round(e["saved"], 4)), r
        assert r["saved_share"] == float(round(e["saved"] / e["before"], 4))
        assert r["saved_share"] < 1.0 and "register" not in r["removed_steps"]
        # received, extracted and routed: every step but the diarium registration was done by the service
        assert r["removed_steps"] == ["copy_scan", "date_stamp", "internal_delivery", "open_sort", "retrieval"]
        total += e["saved"]
    assert report["saved_minutes_total"] == float(round(total, 2))
    assert report["saved_share"] < 1.0
    register = next(s for s in report["steps"]["before"] if s["key"] == "register")
    assert register["items_removed"] == 0  # no registration_exported event without the registration issue
    assert report["projection"]["provisional"] is True  # one day of data
