"""Business days in a contact's country and timezone: weekends and public holidays (from the
`holidays` package) do not count. Pure."""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays


@functools.lru_cache(maxsize=256)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    try:
        return frozenset(holidays.country_holidays(country, years=year))
    except NotImplementedError:  # a country the package does not know: weekends only
        return frozenset()


def is_business_day(day: date, country: str | None) -> bool:
    return day.weekday() < 5 and (not country or day not in _public_holidays(country, day.year))


def business_days_after(moment: datetime, count: int, zone: str, country: str | None) -> datetime:
    """The same local time of day, `count` business days later, in the contact's timezone."""
    local = moment.astimezone(ZoneInfo(zone))
    day = local.date()
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day, country):
            count -= 1
    return datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=ZoneInfo(zone))
