"""Registrar decisions as training data.

A letter's department counts as confirmed by a person when a person routed or rerouted it (an event
``routed``/``rerouted`` whose actor is a user, from needs_review, returned or routed) and it was not sent
back afterwards (the item is routed or acknowledged now, in that department), or when the receiving
department acknowledged an auto-routed item; a registrar's discard confirmation labels it ``INGEN``.
Each such item gives one ``Example`` (id ``item:<id>``, its extracted text, the department the person
confirmed) and the time of that confirmation, which retraining uses to hold back what the active model
has not seen.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.classify.training import Example
from services.core.models import Event, MailItem
from services.core.states import MailState

HUMAN_ACTIONS = ("routed", "rerouted", "acknowledged", "discarded")
MIN_TEXT_CHARS = 20


def confirmed_examples(session: Session) -> list[tuple[Example, datetime]]:
    """(example, confirmed_at) for every item whose department a person confirmed (see the module docstring)."""
    rows = session.execute(
        select(Event.item_id, Event.action, Event.at)
        .where(Event.actor.like("user:%"), Event.action.in_(HUMAN_ACTIONS), Event.item_id.is_not(None))
        .order_by(Event.at)
    ).all()
    last: dict[int, datetime] = {}
    for item_id, _action, at in rows:
        last[int(item_id)] = at
    out: list[tuple[Example, datetime]] = []
    for item_id, at in last.items():
        item = session.get(MailItem, item_id)
        if item is None:
            continue
        if item.state == MailState.discarded.value:
            label = "INGEN"
        elif item.state in (MailState.routed.value, MailState.acknowledged.value) and item.department_code:
            label = item.department_code
        else:
            continue  # returned again, or waiting: not a confirmed department
        text = item.text
        if len(text.strip()) < MIN_TEXT_CHARS:
            continue
        out.append(
            (
                Example(
                    id=f"item:{item.id}",
                    text=text,
                    department=label,
                    doc_type=item.doc_type,
                    sensitive=bool(item.sensitive),
                    case_ref=None,
                    personnummer=bool(item.personnummer_found),
                ),
                at,
            )
        )
    return out


def retrain_from_database(corpus_dirs: list[Path] | None = None, *, seed: int = 0) -> dict[str, Any]:
    """Corpus + confirmed decisions -> a new model version (see versions.retrain); one session scope."""
    from services.classify.training import read_corpus
    from services.classify.versions import active_version, retrain
    from services.core.db import session_scope

    dirs = corpus_dirs if corpus_dirs is not None else default_corpus_dirs()
    corpus = read_corpus(dirs) if dirs else []
    with session_scope() as session:
        decisions = confirmed_examples(session)
        active = active_version(session)
        since = active.created_at if active is not None else None
        # The packaged default saw no decision: with no active version every decision is held back.
        held = {e.id for e, at in decisions if since is None or _aware(at) > _aware(since)}
        examples = corpus + [e for e, _ in decisions]
        result = retrain(session, examples, held, seed=seed)
    return {"corpus": len(corpus), "decisions": len(decisions), **result}


def default_corpus_dirs() -> list[Path]:
    """The labelled corpus next to the repository (../shared/corpus/letters/*), if it is there."""
    root = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "letters"
    return sorted(d for d in root.iterdir() if (d / "labels.csv").exists()) if root.is_dir() else []


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
