"""Cheap steps inline: classify and route follow extract in the same task, each with its own
compare-and-set and event; a transient error hands over to the step's own task; redeliveries stay no-ops."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from services.core.blobs import get_blob_store
from services.core.db import session_scope
from services.core.models import Event, MailItem
from services.core.states import MailState
from services.pipeline import chain
from services.pipeline.service import PIPELINE, STEP_FOR_STATE, Step
from tests.ingest.conftest import reportlab_pdf

DONE = {MailState.routed, MailState.needs_review}


def _born_digital_item(tmp_path: Path) -> int:
    sha, size = get_blob_store().put_file(reportlab_pdf(tmp_path / "brev.pdf"))
    with session_scope() as s:
        item = MailItem(
            sha256=sha,
            filename="brev.pdf",
            mime="application/pdf",
            size_bytes=size,
            state=MailState.received.value,
            page_count=1,
        )
        s.add(item)
        s.flush()
        return item.id


def _moves(item_id: int) -> Counter[str]:
    with session_scope() as s:
        rows = s.scalars(select(Event.to_state).where(Event.item_id == item_id, Event.to_state.is_not(None)))
        return Counter(rows)


def _state(item_id: int) -> str:
    with session_scope() as s:
        item = s.get(MailItem, item_id)
        assert item is not None
        return item.state


def test_the_order_marks_only_the_cheap_steps_inline() -> None:
    assert [(s.name, s.inline) for s in PIPELINE] == [
        ("ingest.extract", False),
        ("classify.classify", True),
        ("route.route", True),
    ]


def test_extract_is_followed_by_classify_and_route_in_the_same_call(migrated: Path, tmp_path: Path) -> None:
    item_id = _born_digital_item(tmp_path)
    final = chain.advance("ingest.extract", item_id)
    assert final in DONE
    assert _state(item_id) == final.value
    moves = _moves(item_id)
    # One event per transition, as if three tasks had run.
    assert moves["extracted"] == 1 and moves["classified"] == 1
    assert moves["routed"] + moves["needs_review"] == 1
    # A redelivered extract (or a sweeper re-send of any step) is a no-op.
    assert chain.advance("ingest.extract", item_id) is None
    assert chain.advance("classify.classify", item_id) is None
    assert _moves(item_id) == moves


def test_a_transient_error_in_an_inline_step_hands_over_to_its_own_task(
    migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def busy(session: Session, item_id: int) -> MailState | None:
        raise OperationalError("UPDATE mail_items", {}, Exception("database is locked"))

    steps = dict(STEP_FOR_STATE)
    steps[MailState.extracted] = Step("classify.classify", MailState.extracted, busy, inline=True)
    monkeypatch.setattr(chain, "STEP_FOR_STATE", steps)
    item_id = _born_digital_item(tmp_path)
    # The chain stops at the committed state; the task then sends classify.classify for it.
    assert chain.advance("ingest.extract", item_id) is MailState.extracted
    assert _state(item_id) == "extracted"
    assert _moves(item_id) == Counter({"extracted": 1})

    # The classify task, run later (as the worker would on the re-sent message), goes on to the end.
    monkeypatch.setattr(chain, "STEP_FOR_STATE", STEP_FOR_STATE)
    assert chain.advance("classify.classify", item_id) in DONE


def test_a_step_that_is_not_inline_ends_the_chain(migrated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    steps = {state: Step(s.name, s.expects, s.run, inline=False) for state, s in STEP_FOR_STATE.items()}
    monkeypatch.setattr(chain, "STEP_FOR_STATE", steps)
    assert chain.continue_inline(1, MailState.extracted) is MailState.extracted
    assert chain.continue_inline(1, None) is None


def test_warm_up_loads_the_classifier_and_survives_a_missing_database(
    migrated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.classify import model

    model._load_cached.cache_clear()
    assert chain.warm_up() is True
    assert model._load_cached.cache_info().currsize == 1  # the next classify finds it loaded

    def down() -> None:
        raise OperationalError("connect", {}, Exception("connection refused"))

    monkeypatch.setattr(chain, "session_scope", down)
    assert chain.warm_up() is False


def _route_that(exc: BaseException) -> dict[MailState, Step]:
    def broken(session: Session, item_id: int) -> MailState | None:
        raise exc

    steps = dict(STEP_FOR_STATE)
    steps[MailState.classified] = Step("route.route", MailState.classified, broken, inline=True)
    return steps


def _attempts(item_id: int) -> int:
    with session_scope() as s:
        item = s.get(MailItem, item_id)
        assert item is not None
        return item.attempts


def test_a_failing_inline_step_is_recorded_by_that_step_as_before(
    migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """classify and route share a transaction on a first try; route's error rolls back both, then
    classify commits alone and route fails on its own: `failed` from `classified`, named route.route."""
    monkeypatch.setattr(chain, "STEP_FOR_STATE", _route_that(ValueError("trasig regel")))
    item_id = _born_digital_item(tmp_path)
    assert chain.advance("ingest.extract", item_id) is MailState.failed
    assert _moves(item_id) == Counter({"extracted": 1, "classified": 1, "failed": 1})
    with session_scope() as s:
        failed = s.scalars(select(Event).where(Event.item_id == item_id, Event.to_state == "failed")).one()
        assert failed.from_state == "classified" and failed.detail["step"] == "route.route"


def test_a_try_after_an_unfinished_one_runs_the_inline_steps_one_by_one(
    migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A route that kills its worker: the first try's shared transaction is lost whole (the item stays
    `extracted`, its try counted); the next try commits classify alone, so route's own tries count."""
    monkeypatch.setattr(chain, "STEP_FOR_STATE", _route_that(SystemExit(9)))
    item_id = _born_digital_item(tmp_path)
    with pytest.raises(SystemExit):
        chain.advance("ingest.extract", item_id)
    assert (_state(item_id), _attempts(item_id)) == ("extracted", 1)
    with pytest.raises(SystemExit):
        chain.advance("classify.classify", item_id)
    assert (_state(item_id), _attempts(item_id)) == ("classified", 1)
    assert _moves(item_id) == Counter({"extracted": 1, "classified": 1})
    monkeypatch.setattr(chain, "STEP_FOR_STATE", STEP_FOR_STATE)
    assert chain.advance("route.route", item_id) in DONE
