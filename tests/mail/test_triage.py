"""The registration deadline colours: same or next working day, Europe/Stockholm dates."""

from __future__ import annotations

from datetime import UTC, datetime

from services.mail.triage import deadline_status, next_working_day


def _at(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=UTC)


def test_next_working_day_skips_the_weekend() -> None:
    assert next_working_day(_at("2025-03-07T12:00").date()).isoformat() == "2025-03-10"  # Friday -> Monday
    assert next_working_day(_at("2025-03-04T12:00").date()).isoformat() == "2025-03-05"


def test_deadline_colours() -> None:
    tuesday = _at("2025-03-04T09:00")
    assert deadline_status(tuesday, now=_at("2025-03-04T15:00"))[0] == "green"
    assert deadline_status(tuesday, now=_at("2025-03-05T15:00"))[0] == "amber"
    assert deadline_status(tuesday, now=_at("2025-03-06T08:00"))[0] == "red"
    friday = _at("2025-03-07T10:00")
    assert deadline_status(friday, now=_at("2025-03-09T10:00"))[0] == "green"  # Sunday: due Monday
    assert deadline_status(friday, now=_at("2025-03-10T10:00"))[0] == "amber"
    # 23:30 UTC on Monday is already Tuesday in Stockholm
    late = _at("2025-03-03T23:30")
    assert deadline_status(late, now=_at("2025-03-05T10:00"))[0] == "amber"


def test_swedish_public_holidays_and_eves_are_not_working_days() -> None:
    # Maundy Thursday 2025-04-17: Good Friday and Easter Monday are holidays, so the deadline is Tuesday
    assert next_working_day(_at("2025-04-17T12:00").date()).isoformat() == "2025-04-22"
    # midsommarafton (Friday 2025-06-20) and julafton/juldagen/annandag jul are days off
    assert next_working_day(_at("2025-06-19T12:00").date()).isoformat() == "2025-06-23"
    assert next_working_day(_at("2025-12-23T12:00").date()).isoformat() == "2025-12-29"
    assert next_working_day(_at("2025-12-30T12:00").date()).isoformat() == "2026-01-02"


def test_deadline_filter_matches_deadline_status() -> None:
    """The SQL filter by deadline state selects exactly the items deadline_status gives that colour."""
    from datetime import timedelta

    from sqlalchemy import select

    from services.core.db import session_scope
    from services.core.migrate import upgrade
    from services.core.models import MailItem
    from services.mail.triage import deadline_filter

    upgrade()
    now = _at("2025-04-22T10:00")  # the Tuesday after Easter
    arrivals = [now - timedelta(days=d, hours=h) for d in range(0, 9) for h in (0, 13)]
    with session_scope() as session:
        for i, at in enumerate(arrivals):
            session.add(MailItem(sha256=f"{i:064x}", filename="x.pdf", state="needs_review", created_at=at))
        session.flush()
        for colour in ("green", "amber", "red"):
            chosen = set(session.scalars(select(MailItem.id).where(deadline_filter(colour, now=now))))
            expected = {
                item.id
                for item in session.scalars(select(MailItem))
                if deadline_status(item.created_at, now=now)[0] == colour
            }
            assert chosen == expected and expected, colour
