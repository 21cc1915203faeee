"""Registration records for letters that came in before the service proposed them (issue 12): an
installation upgraded from before registration existed has routed and acknowledged letters with no
record, so they are missing from the registration list, the daily import and the diarium export.

A backfilled record is only proposed: it is not exported on its own (the diarium is not flooded with
old letters), a registrar confirms it as any other. Its arrival date follows the item's own receipt
time and intake channel (FL 22 §), not today."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from services.core.models import MailItem
from services.core.models_registration import RegistrationRecord
from services.core.states import MailState
from services.registration.service import get_record, propose

# Where the pipeline would have proposed a record (after routing), and where a letter still sits
# with a person. Discarded advertising and split piles are never registered.
BACKFILL_STATES = (MailState.routed, MailState.needs_review, MailState.acknowledged, MailState.returned)


def missing(session: Session, limit: int) -> list[int]:
    """Ids of letters past routing with no registration record (whole text read), oldest first."""
    has_record = exists().where(RegistrationRecord.item_id == MailItem.id)
    query = (
        select(MailItem.id)
        .where(MailItem.state.in_([s.value for s in BACKFILL_STATES]), MailItem.text_pending.is_(False), ~has_record)
        .order_by(MailItem.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def backfill(session: Session, item_ids: list[int], own_prefixes: frozenset[str]) -> int:
    """Propose a record for each item that still has none; returns how many were proposed."""
    done = 0
    for item_id in item_ids:
        item = session.get(MailItem, item_id, with_for_update=True)
        if item is None or item.state not in BACKFILL_STATES or item.text_pending:
            continue  # moved on meanwhile (discarded, split) or still being read: not now
        if get_record(session, item_id) is not None:
            continue
        propose(session, item, own_prefixes, auto_routed=False)
        done += 1
    return done
