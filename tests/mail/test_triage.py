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
