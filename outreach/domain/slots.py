"""The first free slot for an exploration meeting: in the configured availability (days and
hours in the organiser's timezone), at least N working days ahead, skipping listed holidays,
not overlapping another meeting. Pure."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from outreach.campaign.model import BUSINESS_DAYS, WEEKDAYS, Availability

STEP = timedelta(minutes=30)
HORIZON_DAYS = 120


def working_days_after(day: date, count: int, holidays: set[date]) -> date:
    while count > 0:
        day += timedelta(days=1)
        if WEEKDAYS[day.weekday()] in BUSINESS_DAYS and day not in holidays:
            count -= 1
    return day


def first_free_slot(
    now: datetime,
    availability: Availability,
    zone: str,
    duration: timedelta,
    busy: list[tuple[datetime, datetime]],
    after: datetime | None = None,
) -> datetime | None:
    tz = ZoneInfo(zone)
    holidays = set(availability.holidays)
    first_day = working_days_after(now.astimezone(tz).date(), availability.min_working_days_ahead, holidays)
    not_before = max(now, after) if after else now
    for offset in range(HORIZON_DAYS):
        day = first_day + timedelta(days=offset)
        if WEEKDAYS[day.weekday()] not in availability.days or day in holidays:
            continue
        start = datetime.combine(day, availability.start, tzinfo=tz)
        last = datetime.combine(day, availability.end, tzinfo=tz) - duration
        while start <= last:
            end = start + duration
            if start > not_before and not any(start < b_end and b_start < end for b_start, b_end in busy):
                return start
            start += STEP
    return None
