"""Letters from before registration existed get a proposed record, once, dated by their own receipt;
discarded advertising, piles and letters still being read get none; nothing is exported on its own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from typer.testing import CliRunner

from services.cli.main import app
from services.core.db import session_scope
from services.core.models_registration import RegistrationRecord
from services.registration.backfill import backfill, missing
from tests.support.fixtures import database, make_item

__all__ = ["database", "make_item"]

LETTER = "Solvik 2025-02-11\n\nAnsökan om trygghetslarm\n\nJag vill ha ett larm.\n\nVänliga hälsningar\nElsa Morén\n"
OWN = frozenset({"VON", "SBN"})


def _records() -> dict[int, RegistrationRecord]:
    with session_scope() as s:
        rows = s.query(RegistrationRecord).all()
        s.expunge_all()
        return {r.item_id: r for r in rows}


def test_only_letters_past_routing_without_a_record(make_item: Callable[..., int]) -> None:
    # Tuesday 2025-03-04 09:00 local time, by post: it arrived on Monday 3 March (FL 22 §).
    tuesday = datetime(2025, 3, 4, 8, 0, tzinfo=UTC)
    old = make_item(text=LETTER, state="acknowledged", created_at=tuesday, intake_channel="post")
    review = make_item(text=LETTER, state="needs_review")
    reading = make_item(text=LETTER, state="routed", text_pending=True)
    advert = make_item(text="Köp nu!", state="discarded")
    pile = make_item(text=LETTER, state="split")
    fresh = make_item(text=LETTER, state="received")
    with session_scope() as s:
        assert missing(s, limit=100) == [old, review]
        assert backfill(s, [old, review, advert], OWN) == 2
    with session_scope() as s:
        assert missing(s, limit=100) == []
        assert backfill(s, [old], OWN) == 0  # a second run proposes nothing twice
    recs = _records()
    assert set(recs) == {old, review}
    assert recs[old].arrival_date == date(2025, 3, 3)
    assert recs[old].status == "proposed" and not recs[old].export_pending
    assert recs[old].fields["subject"]["value"] == "Ansökan om trygghetslarm"
    assert not {reading, advert, pile, fresh} & set(recs)


def test_the_cli_counts_then_proposes(make_item: Callable[..., int], isolated_settings: Path) -> None:
    ids = [make_item(text=LETTER, state="routed") for _ in range(3)]
    dry = CliRunner().invoke(app, ["backfill-registrations", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "3 försändelser saknar registreringspost" in dry.output
    assert _records() == {}
    run = CliRunner().invoke(app, ["backfill-registrations", "--batch", "2"])
    assert run.exit_code == 0, run.output
    assert "3 försändelser fick en föreslagen registreringspost" in run.output
    assert set(_records()) == set(ids)
