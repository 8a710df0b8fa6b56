"""Slots for a meeting, in both parties' hours: in our availability (days and hours in the
organiser's timezone), at least N working days ahead, skipping listed holidays, not overlapping
another meeting or a busy time, and inside the partner's working hours where they are. Where no
hour is common, the nearest options (never at night where the partner is) for a person to weigh.
Pure."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from outreach.campaign.model import BUSINESS_DAYS, WEEKDAYS, Availability

STEP = timedelta(minutes=30)
HORIZON_DAYS = 120
DAYTIME = (time(7, 0), time(20, 0))  # the widest a partner is ever asked to meet, in their own time


@dataclass(frozen=True)
class TheirHours:
    """The partner's working hours, in their zone (default: Monday to Friday, 09:00-17:00)."""

    zone: str
    start: time = time(9, 0)
    end: time = time(17, 0)
    days: tuple[str, ...] = tuple(BUSINESS_DAYS)

    def holds(self, start: datetime, end: datetime) -> bool:
        """The whole meeting lies in one of their working days."""
        here, there = start.astimezone(ZoneInfo(self.zone)), end.astimezone(ZoneInfo(self.zone))
        return (
            here.date() == there.date()
            and WEEKDAYS[here.weekday()] in self.days
            and self.start <= here.time()
            and there.time() <= self.end
            and there.time() != time(0)
        )

    def distance(self, start: datetime, end: datetime) -> timedelta:
        """How far outside their hours the meeting lies (zero inside); a weekend or a night is far."""
        here, there = start.astimezone(ZoneInfo(self.zone)), end.astimezone(ZoneInfo(self.zone))
        if here.date() != there.date() or not DAYTIME[0] <= here.time() or there.time() > DAYTIME[1]:
            return timedelta(days=365)
        early = _minutes(self.start) - _minutes(here.time())
        late = _minutes(there.time()) - _minutes(self.end)
        weekend = timedelta(hours=12) if WEEKDAYS[here.weekday()] not in self.days else timedelta(0)
        return timedelta(minutes=max(early, late, 0)) + weekend


def working_days_after(day: date, count: int, holidays: set[date]) -> date:
    while count > 0:
        day += timedelta(days=1)
        if WEEKDAYS[day.weekday()] in BUSINESS_DAYS and day not in holidays:
            count -= 1
    return day


def free_slots(
    now: datetime,
    availability: Availability,
    zone: str,
    duration: timedelta,
    busy: list[tuple[datetime, datetime]],
    after: datetime | None = None,
    theirs: TheirHours | None = None,
    count: int = 1,
    per_day: int | None = None,
) -> list[datetime]:
    """Up to `count` starts, earliest first, in our availability, free, and in their hours;
    at most `per_day` on one day (a choice spread over days), not overlapping each other."""
    found: list[datetime] = []
    days: dict[date, int] = {}
    for start in _our_free_starts(now, availability, zone, duration, busy, after):
        if theirs is not None and not theirs.holds(start, start + duration):
            continue
        day = start.date()
        if per_day is not None and (days.get(day, 0) >= per_day or (found and start < found[-1] + duration)):
            continue
        found.append(start)
        days[day] = days.get(day, 0) + 1
        if len(found) == count:
            break
    return found


def first_free_slot(
    now: datetime,
    availability: Availability,
    zone: str,
    duration: timedelta,
    busy: list[tuple[datetime, datetime]],
    after: datetime | None = None,
    theirs: TheirHours | None = None,
) -> datetime | None:
    found = free_slots(now, availability, zone, duration, busy, after, theirs)
    return found[0] if found else None


def nearest_options(
    now: datetime,
    availability: Availability,
    zone: str,
    duration: timedelta,
    busy: list[tuple[datetime, datetime]],
    theirs: TheirHours,
    count: int = 3,
) -> list[datetime]:
    """Where no slot is common: our free starts closest to their hours, in daytime there (07:00
    to 20:00), one per day, nearest first; empty when none falls in their daytime at all."""
    best: dict[date, tuple[timedelta, datetime]] = {}
    for start in _our_free_starts(now, availability, zone, duration, busy, None):
        far = theirs.distance(start, start + duration)
        if far >= timedelta(days=365):
            continue
        day = start.astimezone(ZoneInfo(zone)).date()
        if day not in best or far < best[day][0]:
            best[day] = (far, start)
    ranked = sorted(best.values(), key=lambda pair: (pair[0], pair[1]))
    return [start for _, start in ranked[:count]]


def _our_free_starts(
    now: datetime,
    availability: Availability,
    zone: str,
    duration: timedelta,
    busy: list[tuple[datetime, datetime]],
    after: datetime | None,
) -> Iterator[datetime]:
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
                yield start
            start += STEP


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute
