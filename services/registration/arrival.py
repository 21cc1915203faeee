"""The arrival date (inkomstdatum) by förvaltningslagen (2017:900) 22 §.

- Post, and what lies in the authority's mailbox at the first emptying of a day, counts as come in on
  the closest preceding working day (the day before the scanning day, skipping weekends and holidays).
- E-mail and uploads (electronic documents) come in when they are received: the calendar day, in the
  authority's time zone, they reached the server, whatever day of the week it is.
Working days exclude Saturdays, Sundays and Swedish public holidays (the `holidays` package), and
midsommarafton, julafton and nyårsafton, treated as holidays in practice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

POST = "post"
MAILBOX = "mailbox"
EMAIL = "email"
UPLOAD = "upload"
CHANNELS = (POST, MAILBOX, EMAIL, UPLOAD)
PAPER = frozenset({POST, MAILBOX})
CHANNEL_LABELS = {POST: "post", MAILBOX: "brevlåda", EMAIL: "e-post", UPLOAD: "uppladdning"}


@dataclass(frozen=True)
class Arrival:
    date: date
    channel: str
    reason: str  # Swedish, shown with the stamp


@lru_cache(maxsize=64)
def _holidays(year: int) -> dict[date, str]:
    import holidays  # the package loads every country's calendar: only when a date is asked for

    days: dict[date, str] = dict(holidays.country_holidays("SE", years=year, include_sundays=False, language="sv"))
    # midsommarafton: the Friday before midsommardagen (a Saturday between 20 and 26 June)
    for d, name in list(days.items()):
        if "midsommardagen" in name.lower():
            days.setdefault(d - timedelta(days=1), "Midsommarafton")
    days.setdefault(date(year, 12, 24), "Julafton")
    days.setdefault(date(year, 12, 31), "Nyårsafton")
    return days


def holiday_name(day: date) -> str | None:
    return _holidays(day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


def previous_working_day(day: date) -> date:
    d = day - timedelta(days=1)
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


def channel_for(item_channel: str, source: str | None, hotfolder_channel: str, subfolder_channels: str) -> str:
    """The intake channel of an item, for the arrival rule: per hot-folder subfolder if configured,
    the hot folder's own setting, or the item's channel (upload/cli are uploads)."""
    if item_channel == "hotfolder":
        mapping = parse_channel_map(subfolder_channels)
        if source and source in mapping:
            return mapping[source]
        return hotfolder_channel if hotfolder_channel in CHANNELS else POST
    if item_channel in CHANNELS:
        return item_channel
    return UPLOAD


def parse_channel_map(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (text or "").split(","):
        if "=" in part:
            folder, channel = (p.strip() for p in part.split("=", 1))
            if folder and channel in CHANNELS:
                out[folder] = channel
    return out


def arrival_date(received_at: datetime, channel: str, tz: str = "Europe/Stockholm") -> Arrival:
    """FL 22 §: the date a document counts as come in, from when and how it reached the authority."""
    local = received_at.astimezone(ZoneInfo(tz)) if received_at.tzinfo else received_at
    day = local.date()
    label = CHANNEL_LABELS.get(channel, channel)
    if channel in PAPER:
        d = previous_working_day(day)
        return Arrival(
            d, channel, f"{label.capitalize()} skannad {day.isoformat()}: närmast föregående arbetsdag (FL 22 §)"
        )
    return Arrival(day, channel, f"{label.capitalize()}: mottagen {day.isoformat()} (FL 22 §)")
