"""The sending window: business days and hours in the contact's timezone. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from outreach.campaign.model import WEEKDAYS, Hours


def in_window(moment: datetime, hours: Hours, zone: str) -> bool:
    local = moment.astimezone(ZoneInfo(zone))
    return WEEKDAYS[local.weekday()] in hours.days and hours.start <= local.time() < hours.end


def next_opening(moment: datetime, hours: Hours, zone: str) -> datetime:
    """`moment` itself when it is inside the window, else the next start of the window (UTC)."""
    if in_window(moment, hours, zone):
        return moment
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    for days_ahead in range(0, 8):
        day = (local + timedelta(days=days_ahead)).date()
        if WEEKDAYS[day.weekday()] not in hours.days:
            continue
        start = datetime.combine(day, hours.start, tzinfo=tz)
        if start > local:
            return start.astimezone(UTC)
    raise ValueError("the sending window has no day")  # unreachable: days is never empty
