"""FL 22 §: the arrival date over weekends, holidays and channels (the table in the closing note)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from services.registration.arrival import arrival_date, channel_for, is_working_day

TZ = ZoneInfo("Europe/Stockholm")

# (scanned/received local time, channel, expected arrival date, why)
TABLE = [
    ("2025-03-04 09:00", "post", "2025-03-03", "Tuesday post: Monday"),
    ("2025-03-03 09:00", "post", "2025-02-28", "Monday post: Friday"),
    ("2025-03-03 09:00", "mailbox", "2025-02-28", "Monday mailbox: Friday"),
    ("2025-03-03 09:00", "email", "2025-03-03", "e-mail: the day received"),
    ("2025-03-01 14:00", "email", "2025-03-01", "e-mail on a Saturday: that Saturday"),
    ("2025-03-02 23:30", "upload", "2025-03-02", "upload late Sunday evening, local time"),
    ("2025-01-07 08:00", "post", "2025-01-03", "after trettondedag jul (Mon 6 Jan) and a weekend"),
    ("2025-04-22 08:00", "post", "2025-04-17", "after annandag påsk, påskdagen and långfredagen"),
    ("2025-05-30 08:00", "post", "2025-05-28", "after Kristi himmelsfärdsdag (Thu 29 May)"),
    ("2025-06-23 08:00", "post", "2025-06-19", "after midsommarafton (Fri 20 Jun) and the weekend"),
    ("2025-12-29 08:00", "post", "2025-12-23", "after julafton, juldagen, annandag jul and the weekend"),
    ("2026-01-02 08:00", "mailbox", "2025-12-30", "after nyårsafton and nyårsdagen"),
    ("2025-06-09 08:00", "post", "2025-06-05", "after nationaldagen (Fri 6 Jun), weekend, pingstdagen"),
    ("2025-05-02 08:00", "post", "2025-04-30", "after första maj"),
    ("2025-11-03 08:00", "post", "2025-10-31", "Monday after alla helgons dag (Sat 1 Nov)"),
    ("2025-12-24 10:00", "email", "2025-12-24", "e-mail on julafton: that day"),
]


@pytest.mark.parametrize(("when", "channel", "expected", "why"), TABLE, ids=[t[3] for t in TABLE])
def test_arrival_date_table(when: str, channel: str, expected: str, why: str) -> None:
    received = datetime.fromisoformat(when).replace(tzinfo=TZ)
    assert arrival_date(received, channel).date == date.fromisoformat(expected), why


def test_utc_timestamp_is_read_in_local_time() -> None:
    # 23:30 UTC on Sunday 2 March is 00:30 on Monday 3 March in Stockholm
    received = datetime.fromisoformat("2025-03-02T23:30:00+00:00")
    assert arrival_date(received, "email").date == date(2025, 3, 3)
    assert arrival_date(received, "post").date == date(2025, 2, 28)


def test_working_days() -> None:
    assert not is_working_day(date(2025, 6, 20))  # midsommarafton
    assert not is_working_day(date(2025, 12, 24))  # julafton
    assert is_working_day(date(2025, 12, 23))


def test_channel_per_hot_folder_subfolder() -> None:
    mapping = "brevlada=mailbox,epost=email"
    assert channel_for("hotfolder", None, "post", mapping) == "post"
    assert channel_for("hotfolder", "epost", "post", mapping) == "email"
    assert channel_for("hotfolder", "brevlada", "post", mapping) == "mailbox"
    assert channel_for("hotfolder", None, "mailbox", "") == "mailbox"
    assert channel_for("upload", None, "post", mapping) == "upload"
    assert channel_for("cli", None, "post", mapping) == "upload"
