from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.classify import versions
from services.classify.learning import confirmed_examples
from services.classify.training import read_corpus
from services.core.errors import NotFound
from services.core.models import Event, MailItem, Page


def _item(session, state: str, dept: str | None, text: str, actor: str, action: str = "routed") -> MailItem:
    n = session.query(MailItem).count()
    item = MailItem(sha256=f"{n + 1:064x}", filename="b.pdf", state=state, department_code=dept)
    item.pages = [Page(index=0, text=text, method="ocr")]
    session.add(item)
    session.flush()
    session.add(Event(item_id=item.id, actor=actor, action=action, from_state="needs_review", to_state=state))
    session.flush()
    return item


def test_only_human_confirmed_departments_become_examples(db_session) -> None:
    text = "Ansökan om bygglov för ett garage på fastigheten Ekeby 4:112, ritningar bifogas."
    ok = _item(db_session, "routed", "SBN", text, "user:2:reg")
    _item(db_session, "routed", "TN", text, "system:worker")  # the machine alone: not a confirmation
    _item(db_session, "returned", "TN", text, "user:2:reg")  # sent back: not confirmed
    ad = _item(
        db_session, "discarded", None, "Köp nu! Kampanj på kontorsstolar, 50 % rabatt.", "user:2:reg", "discarded"
    )
    got = {e.id: e.department for e, _ in confirmed_examples(db_session)}
    assert got == {f"item:{ok.id}": "SBN", f"item:{ad.id}": "INGEN"}


def test_versions_are_kept_promoted_and_rolled_back(db_session, tiny_corpus: Path) -> None:
    examples = read_corpus([tiny_corpus])
    first = versions.retrain(db_session, examples, set())
    assert first["promoted"]  # nothing was active
    row = versions.active_version(db_session)
    assert row is not None and row.version == first["version"]
    files = sorted(p.name for p in Path(row.path).iterdir())
    assert files == ["model.joblib", "report.json"]
    assert json.loads((Path(row.path) / "report.json").read_text())["promotion"].startswith("promoted")
    assert versions.active_classifier(db_session).version == first["version"]

    second = versions.retrain(db_session, examples[:-1], set())
    assert not second["promoted"]  # no new decisions to compare on: kept, not promoted
    versions.activate(db_session, second["version"])
    assert versions.rollback(db_session).version == first["version"]
    with pytest.raises(NotFound):
        versions.activate(db_session, "no-such-version")


def test_gate_refuses_a_worse_candidate() -> None:
    current = {"accuracy": 0.9, "auto_rate": 0.5, "auto_precision": 1.0}
    assert versions.not_worse({"accuracy": 0.9, "auto_rate": 0.4, "auto_precision": 1.0}, current)
    assert not versions.not_worse({"accuracy": 0.95, "auto_rate": 0.8, "auto_precision": 0.96}, current)
    assert not versions.not_worse({"accuracy": 0.85, "auto_rate": 0.5, "auto_precision": 1.0}, current)
