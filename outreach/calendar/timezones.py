"""VTIMEZONE (RFC 5545 3.6.5) from the tz database (zoneinfo), right for an open-ended series.

Each STANDARD or DAYLIGHT sub-component is one kind of change (offset before, offset after,
name) whose onsets follow a yearly rule: the rule is read from the zone's own changes (same
month, same local time, same weekday in the same week of the month, or the same day) and
written as an RRULE; the rule in force today has no end, an older one ends with UNTIL. A change
that follows no rule gets a sub-component of its own (DTSTART only), so no RDATE is written and
no COMMENT either. A zone that has not changed since 1970 gets one STANDARD with no recurrence.

The definition starts where the rules in force a year before the meeting started (the last
change that follows none of them, e.g. 1996 for the EU rule), so every file for a zone carries
the same definition whatever the meeting's date: readers that keep the first definition they
meet for a TZID (vobject, and so Radicale) read every meeting right.

The changes are found by asking zoneinfo for the offset day by day from 1970 until they have
settled into a yearly pattern (or into none) for some years after the last change the tz
database lists (fat TZif files list changes up to 2037); once a process, for each zone."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

LOOK_BACK = timedelta(days=366)  # the rules in force a year before the meeting are written
YEAR = timedelta(days=366)
FLOOR = datetime(1970, 1, 1, tzinfo=UTC)  # no change before it is written
SETTLED_YEARS = 28  # a rule that holds for 28 years (every kind of year) holds on; or 28 years with no change
LISTED_UNTIL = 2037  # the last year fat TZif files list changes for; the rule string follows
LAST_YEAR = 2200  # the search ends here whatever the zone does
STEP = timedelta(days=1)
UNTIL_MARGIN = timedelta(days=1)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# How a change's day is found in its month: the n-th weekday, the last weekday, the first
# weekday on or after a day of the month, or a fixed day.
DayForm = tuple[str, int, int]  # ("nth", n, weekday) | ("last", 0, weekday) | ("from", day, weekday) | ("date", day, 0)
FORM_ORDER = {"nth": 0, "last": 1, "date": 2, "from": 3}


@dataclass(frozen=True)
class Change:
    """A change of UTC offset at an instant; before == after for the definition's start."""

    at: datetime  # aware, UTC
    before: timedelta
    after: timedelta
    name: str
    daylight: bool

    @property
    def wall(self) -> datetime:
        """The local time just before the change, as DTSTART of a sub-component wants it."""
        return (self.at + self.before).replace(tzinfo=None)

    @property
    def kind(self) -> tuple[timedelta, timedelta, str, bool]:
        return (self.before, self.after, self.name, self.daylight)


@dataclass(frozen=True)
class Onsets:
    """One STANDARD or DAYLIGHT: its first change and the RRULE of the next ones (if any)."""

    first: Change
    rrule: str | None = None


def vtimezone(tzid: str, start: datetime) -> Timezone:
    """The VTIMEZONE of `tzid` for a meeting (or series) that begins at `start`: from the start
    of the rules in force a year before it, with no end."""
    zone = ZoneInfo(tzid)
    found, end_year = zone_changes(tzid, max(start.year + 1, LISTED_UNTIL))
    timezone = Timezone()
    timezone.add("tzid", tzid)
    for part in definition(zone, list(found), start.astimezone(UTC) - LOOK_BACK, end_year):
        timezone.add_component(sub_component(part))
    return timezone


@lru_cache(maxsize=64)
def zone_changes(tzid: str, year: int) -> tuple[tuple[Change, ...], int]:
    """The zone's changes from 1970 to the first of January of the returned year (after `year`),
    by which they have followed one yearly pattern (or none) for SETTLED_YEARS years."""
    zone = ZoneInfo(tzid)
    end_year = year + SETTLED_YEARS + 1
    found = list(changes(zone, FLOOR, _new_year(end_year)))
    while not settled(found, end_year) and end_year < LAST_YEAR:
        later = min(end_year + 10, LAST_YEAR)
        found += changes(zone, _new_year(end_year), _new_year(later))
        end_year = later
    return tuple(found), end_year


def definition(zone: ZoneInfo, found: list[Change], since: datetime, end_year: int) -> list[Onsets]:
    """The sub-components from the start of the rules in force at `since` (the last change that
    follows none of them): the yearly rules and lone changes from there on. A zone that has not
    changed since 1970 gets its offset as one onset."""
    every = runs(found)
    begins = [run[0].at for run in every if run[0].at <= since <= run[-1].at + YEAR]
    earlier = [change.at for change in found if change.at <= since]
    regime = max(begins, default=earlier[-1] if earlier else FLOOR)
    kept = [[change for change in run if change.at >= regime] for run in every]
    parts = [onsets(run, end_year) for run in kept if run]
    if not earlier:
        parts.append(Onsets(unchanged(zone)))
    return sorted(parts, key=lambda part: part.first.at)


def changes(zone: ZoneInfo, begin: datetime, end: datetime) -> Iterator[Change]:
    """Every change of UTC offset in (begin, end], to the second."""
    moment = begin
    offset = _offset(zone, moment)
    while moment < end:
        following = min(moment + STEP, end)
        if _offset(zone, following) != offset:
            change = _change(zone, _first_with_new_offset(zone, moment, following))
            yield change
            offset = change.after
        moment = following


def unchanged(zone: ZoneInfo) -> Change:
    """The zone's offset in 1970 as an onset that changes nothing, at local midnight of 1 January."""
    local = FLOOR.astimezone(zone)
    offset = local.utcoffset() or timedelta()
    daylight = (local.dst() or timedelta()) > timedelta()
    return Change(FLOOR - offset, offset, offset, local.tzname() or "", daylight)


def runs(found: Iterable[Change]) -> list[list[Change]]:
    """The changes of each kind, in runs that follow one yearly rule."""
    kinds: dict[tuple[timedelta, timedelta, str, bool], list[Change]] = {}
    for change in found:
        kinds.setdefault(change.kind, []).append(change)
    result: list[list[Change]] = []
    for same_kind in kinds.values():
        result += _yearly_runs(same_kind)
    return result


def settled(found: list[Change], end_year: int) -> bool:
    """The last SETTLED_YEARS years before `end_year` hold no change, or one change of each kind
    a year on one rule."""
    recent = [change for change in found if change.wall.year >= end_year - SETTLED_YEARS]
    return all(len(run) == SETTLED_YEARS for run in runs(recent))


def onsets(run: list[Change], end_year: int) -> Onsets:
    """A run as one sub-component: a lone change as it is, a rule with no end when it lasts
    into the last year searched, else a rule until a day after its last change: UNTIL is UTC,
    but dateutil's tzical (vobject, Radicale) reads it as local time, and a day later holds the
    last change for either reading and no change of the year after."""
    if len(run) == 1:
        return Onsets(run[0])
    lasts = run[-1].wall.year >= end_year - 1
    return Onsets(run[0], rrule(run, until=None if lasts else run[-1].at + UNTIL_MARGIN))


def rrule(run: list[Change], until: datetime | None) -> str:
    """FREQ=YEARLY in the run's month on its day form, e.g. BYMONTH=3;BYDAY=-1SU."""
    kind, number, weekday = min(_common_forms(run), key=lambda form: (FORM_ORDER[form[0]], form[1]))
    parts = ["FREQ=YEARLY", f"BYMONTH={run[0].wall.month}"]
    if kind == "nth":
        parts.append(f"BYDAY={number}{WEEKDAYS[weekday]}")
    elif kind == "last":
        parts.append(f"BYDAY=-1{WEEKDAYS[weekday]}")
    elif kind == "from":
        parts += [f"BYDAY={WEEKDAYS[weekday]}", "BYMONTHDAY=" + ",".join(str(number + i) for i in range(7))]
    else:
        parts.append(f"BYMONTHDAY={number}")
    if until is not None:
        parts.append(f"UNTIL={until.astimezone(UTC):%Y%m%dT%H%M%SZ}")
    return ";".join(parts)


def day_forms(wall: datetime) -> frozenset[DayForm]:
    """Every way of naming the day of `wall` within its month."""
    days = calendar.monthrange(wall.year, wall.month)[1]
    weekday = wall.weekday()
    forms: set[DayForm] = {("date", wall.day, 0)}
    if wall.day <= 28:  # a fifth weekday is no rule: the tz database says "last"
        forms.add(("nth", (wall.day - 1) // 7 + 1, weekday))
    if wall.day + 7 > days:
        forms.add(("last", 0, weekday))
    forms |= {("from", first, weekday) for first in range(max(1, wall.day - 6), wall.day + 1) if first + 6 <= days}
    return frozenset(forms)


def sub_component(part: Onsets) -> TimezoneStandard | TimezoneDaylight:
    change = part.first
    component = TimezoneDaylight() if change.daylight else TimezoneStandard()
    component.add("dtstart", change.wall)
    component.add("tzoffsetfrom", change.before)
    component.add("tzoffsetto", change.after)
    if change.name:
        component.add("tzname", change.name)
    if part.rrule:
        component.add("rrule", vRecur.from_ical(part.rrule))
    return component


def _yearly_runs(same_kind: list[Change]) -> list[list[Change]]:
    result: list[list[Change]] = []
    for change in same_kind:
        if result and _continues(result[-1], change):
            result[-1].append(change)
        else:
            result.append([change])
    return result


def _continues(run: list[Change], change: Change) -> bool:
    last = run[-1].wall
    wall = change.wall
    return (
        wall.year == last.year + 1
        and (wall.month, wall.time()) == (last.month, last.time())
        and bool(_common_forms([*run, change]))
    )


def _common_forms(run: list[Change]) -> frozenset[DayForm]:
    forms = day_forms(run[0].wall)
    for change in run[1:]:
        forms &= day_forms(change.wall)
    return forms


def _change(zone: ZoneInfo, at: datetime) -> Change:
    just_before = (at - timedelta(seconds=1)).astimezone(zone)
    after = at.astimezone(zone)
    before_dst, after_dst = just_before.dst() or timedelta(), after.dst() or timedelta()
    return Change(
        at=at,
        before=just_before.utcoffset() or timedelta(),
        after=after.utcoffset() or timedelta(),
        name=after.tzname() or "",
        # summer time, or the end of a negative one (Europe/Dublin's winter is "negative DST")
        daylight=after_dst > timedelta() or after_dst > before_dst,
    )


def _first_with_new_offset(zone: ZoneInfo, low: datetime, high: datetime) -> datetime:
    """The first second in (low, high] whose offset differs from low's."""
    offset = _offset(zone, low)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) // 2
        middle = middle.replace(microsecond=0)
        if middle <= low:
            middle = low + timedelta(seconds=1)
        if _offset(zone, middle) == offset:
            low = middle
        else:
            high = middle
    return high


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta | None:
    return moment.astimezone(zone).utcoffset()


def _new_year(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=UTC)
