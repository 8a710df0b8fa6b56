"""The VTIMEZONE of an invitation is right for every occurrence of an open-ended series: real
readers that take the offsets from the file's own VTIMEZONE (Mozilla's ical.js, vobject with
dateutil's tzical, Radicale's expansion, icalendar's own) put each occurrence of a five-year
series at the instant Python's zoneinfo gives; the file carries no COMMENT and no RDATE."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zoneinfo
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import icalendar
import pytest
from dateutil.rrule import rrulestr
from dateutil.tz import tzical

from outreach.calendar.invite import MeetingPlan, Person, build
from outreach.calendar.timezones import changes, vtimezone
from tests.support.icaljs import PREFIX, ensure_icaljs
from tests.support.radicale import PASSWORD, USER, Radicale

YEARS = 5
ZONES = [
    "Europe/Berlin",
    "Europe/Lisbon",
    "America/New_York",
    "Asia/Tokyo",
    "UTC",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Pacific/Auckland",
    "Asia/Kolkata",
]
SERIES = {"monthly": ("FREQ=MONTHLY", 1), "quarterly": ("FREQ=MONTHLY;INTERVAL=3", 3)}
FIRST = (2027, 1, 15, 10, 0)
# Series that cross a change of the zone's rules: the US rule of 2007, Brazil's end of DST in 2019.
HISTORY = [("America/New_York", (2006, 1, 15, 10, 0)), ("America/Sao_Paulo", (2017, 6, 15, 10, 0))]
CASES = [(zone, FIRST, name) for zone in ZONES for name in SERIES] + [(z, s, "monthly") for z, s in HISTORY]
IDS = [f"{zone}-{start[0]}-{name}" for zone, start, name in CASES]

ICALJS_SCRIPT = """
import ICAL from "ical.js";
import { readFileSync } from "node:fs";
const { ics, until } = JSON.parse(readFileSync(0, "utf8"));
const root = new ICAL.Component(ICAL.parse(ics));
ICAL.TimezoneService.reset();  // only UTC and floating: no zone but the file's
const zones = root.getAllSubcomponents("vtimezone");
for (const zone of zones) ICAL.TimezoneService.register(zone);
const event = new ICAL.Event(root.getFirstSubcomponent("vevent"));
const end = ICAL.Time.fromJSDate(new Date(until), true);
const occurrences = [];
const it = event.iterator();
for (let next = it.next(); next && next.compare(end) < 0; next = it.next()) {
  occurrences.push(next.toJSDate().toISOString());
}
console.log(JSON.stringify({
  occurrences,
  zone: event.startDate.zone.tzid,
  fromFile: zones.some((z) => event.startDate.zone.component === z),
}));
"""

# vobject takes a VTIMEZONE that shows no change from 2000 to 2020 for UTC (its tzinfo_eq) and
# then looks the TZID up in pytz: here pytz is out of reach and the file's definition (dateutil's
# tzical of the VTIMEZONE, as vobject reads it) is registered under its TZID before the event is read.
VOBJECT_SCRIPT = """
import json, sys
sys.modules["pytz"] = None
from datetime import UTC, datetime
import vobject
from vobject.icalendar import registerTzid
ics, until = json.load(sys.stdin)
for definition in vobject.readOne(ics).vtimezone_list:
    registerTzid(definition.tzid.value, definition.gettzinfo())
event = vobject.readOne(ics).vevent
kind = type(event.dtstart.value.tzinfo)
until = datetime.fromisoformat(until)
occurrences = []
for moment in event.getrruleset(addRDate=True):
    if moment >= until:
        break
    occurrences.append(moment.astimezone(UTC).isoformat())
print(json.dumps({"occurrences": occurrences, "tzinfo": kind.__module__ + "." + kind.__name__}))
"""


def series(zone: str, start: tuple[int, ...], rrule: str) -> MeetingPlan:
    return MeetingPlan(
        uid=f"check-in-{zone.replace('/', '-')}-{start[0]}-{rrule.replace(';', '-').replace('=', '')}@school.test",
        sequence=0,
        start=datetime(*start, tzinfo=ZoneInfo(zone)),
        duration=timedelta(minutes=30),
        timezone=zone,
        summary="Partnership check-in",
        description="Quarterly check-in",
        organizer=Person("vet@school.test", "Jana Weber"),
        attendees=(Person("k.becker@nordhafen.test", "Klaus Becker"),),
        stamp=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        rrule=rrule,
    )


def expected(plan: MeetingPlan, step: int) -> list[str]:
    """Each occurrence's UTC instant by Python's zoneinfo: the same wall time every `step` months."""
    local = plan.start
    months = [local.month - 1 + i for i in range(0, 12 * YEARS, step)]
    walls = [local.replace(year=local.year + m // 12, month=m % 12 + 1) for m in months]
    return [wall.astimezone(UTC).isoformat() for wall in walls]


def until(plan: MeetingPlan) -> datetime:
    return plan.start.replace(year=plan.start.year + YEARS).astimezone(UTC)


@pytest.fixture(scope="module")
def icaljs() -> Path:
    ensure_icaljs()
    script = PREFIX / "occurrences.mjs"
    script.write_text(ICALJS_SCRIPT)
    return script


def read_with_icaljs(script: Path, ics: bytes, end: datetime) -> dict:
    payload = json.dumps({"ics": ics.decode(), "until": end.isoformat()})
    done = subprocess.run(["node", str(script)], input=payload, capture_output=True, text=True, timeout=60, cwd=PREFIX)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    answer["occurrences"] = [_iso(moment) for moment in answer["occurrences"]]
    return answer


def read_with_vobject(ics: bytes, end: datetime) -> dict:
    """In a process of its own: vobject keeps the first definition it meets of a TZID for good."""
    payload = json.dumps([ics.decode(), end.isoformat()])
    done = subprocess.run(
        [sys.executable, "-c", VOBJECT_SCRIPT], input=payload, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def read_with_icalendar(ics: bytes) -> tzinfo:
    """icalendar's own reading of the file's VTIMEZONE (not its tz database)."""
    [definition] = icalendar.Calendar.from_ical(ics).walk("VTIMEZONE")
    return definition.to_tz(lookup_tzid=False)


def _iso(moment: str) -> str:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).isoformat()


@pytest.mark.parametrize(("zone", "start", "name"), CASES, ids=IDS)
def test_every_occurrence_is_where_zoneinfo_puts_it(zone, start, name, icaljs):
    """Five years of a series with no end, read by ical.js, by vobject and through icalendar's
    reading of the VTIMEZONE: each occurrence at the UTC instant zoneinfo gives."""
    rrule, step = SERIES[name]
    plan = series(zone, start, rrule)
    ics = build(plan)
    wanted = expected(plan, step)

    js = read_with_icaljs(icaljs, ics, until(plan))
    assert (js["zone"], js["fromFile"]) == (zone, zone != "UTC")  # ical.js keeps its own UTC
    assert js["occurrences"] == wanted

    vo = read_with_vobject(ics, until(plan))
    assert vo["tzinfo"] == "dateutil.tz.tz._tzicalvtz"
    assert vo["occurrences"] == wanted

    file_zone = read_with_icalendar(ics)
    walls = [datetime.fromisoformat(moment).astimezone(ZoneInfo(zone)).replace(tzinfo=None) for moment in wanted]
    assert [wall.replace(tzinfo=file_zone).astimezone(UTC).isoformat() for wall in walls] == wanted


@pytest.mark.parametrize("zone", ZONES)
def test_no_comment_no_rdate_and_icalendar_reads_it_back(zone):
    ics = build(series(zone, FIRST, SERIES["quarterly"][0]))
    text = ics.decode().replace("\r\n ", "")
    definition = text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE")]
    assert "COMMENT" not in definition
    assert not re.search(r"^RDATE", definition, re.MULTILINE)
    parsed = icalendar.Calendar.from_ical(ics)
    assert all(not component.errors for component in parsed.walk())
    [timezone] = parsed.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == zone


@pytest.mark.parametrize("zone", ZONES)
def test_each_onset_is_a_change_zoneinfo_makes_in_local_time_before_it(zone):
    """DTSTART is the wall time before the change (RFC 5545 3.6.5); read with TZOFFSETFROM it
    is the instant zoneinfo's offset turns from TZOFFSETFROM to TZOFFSETTO, for each onset of
    the rule over the next years."""
    start = datetime(*FIRST, tzinfo=ZoneInfo(zone))
    definition = vtimezone(zone, start)
    tz = ZoneInfo(zone)
    for part in definition.walk():
        if part.name not in ("STANDARD", "DAYLIGHT"):
            continue
        before, after = part.decoded("TZOFFSETFROM"), part.decoded("TZOFFSETTO")
        onsets = [part.decoded("DTSTART")]
        if "RRULE" in part:
            assert "UNTIL" not in part["RRULE"], "today's rule has no end"
            onsets = list(_expand(part))
        assert onsets[0] <= start.replace(tzinfo=None) + timedelta(days=366)
        for wall in onsets:
            at = (wall - before).replace(tzinfo=UTC)
            assert at.astimezone(tz).utcoffset() == after, (zone, wall)
            if before != after:
                assert (at - timedelta(seconds=1)).astimezone(tz).utcoffset() == before, (zone, wall)


def _expand(part) -> list[datetime]:
    rule = rrulestr(_text(part["RRULE"]), dtstart=part.decoded("DTSTART"))
    return list(rule.between(datetime(2026, 1, 1), datetime(2040, 1, 1), inc=True))


def test_rules_are_written_as_yearly_rrules():
    def rules(zone: str) -> set[tuple[str, str, str, str]]:
        definition = vtimezone(zone, datetime(*FIRST, tzinfo=ZoneInfo(zone)))
        return {
            (
                part.name,
                _text(part["RRULE"]) if "RRULE" in part else "",
                _text(part["TZOFFSETFROM"]),
                _text(part["TZOFFSETTO"]),
            )
            for part in definition.walk()
            if part.name in ("STANDARD", "DAYLIGHT")
        }

    assert rules("Europe/Berlin") == {
        ("DAYLIGHT", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "+0100", "+0200"),
        ("STANDARD", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "+0200", "+0100"),
    }
    assert rules("America/New_York") == {
        ("DAYLIGHT", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3", "-0500", "-0400"),
        ("STANDARD", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11", "-0400", "-0500"),
    }
    assert rules("Australia/Sydney") == {
        ("STANDARD", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=4", "+1100", "+1000"),
        ("DAYLIGHT", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=10", "+1000", "+1100"),
    }
    assert rules("Pacific/Auckland") == {
        ("STANDARD", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=4", "+1300", "+1200"),
        ("DAYLIGHT", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=9", "+1200", "+1300"),
    }
    assert rules("Asia/Kolkata") == {("STANDARD", "", "+0530", "+0530")}
    assert rules("Asia/Tokyo") == {("STANDARD", "", "+0900", "+0900")}
    assert rules("America/Sao_Paulo") == {("STANDARD", "", "-0200", "-0300")}  # DST ended in 2019


def test_rules_that_ended_end_with_until():
    """New York in 2006: the old US rule (first Sunday of April, last of October, since 1987)
    ends in 2006, today's (second Sunday of March, first of November) starts in 2007."""
    definition = vtimezone("America/New_York", datetime(2006, 6, 15, 10, 0, tzinfo=ZoneInfo("America/New_York")))
    rules = sorted(
        (str(part.decoded("DTSTART")), _text(part["RRULE"]) if "RRULE" in part else "")
        for part in definition.walk()
        if part.name in ("STANDARD", "DAYLIGHT")
    )
    assert rules == [
        ("1987-04-05 02:00:00", "FREQ=YEARLY;UNTIL=20060403T070000Z;BYDAY=1SU;BYMONTH=4"),
        ("1987-10-25 02:00:00", "FREQ=YEARLY;UNTIL=20061030T060000Z;BYDAY=-1SU;BYMONTH=10"),
        ("2007-03-11 02:00:00", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"),
        ("2007-11-04 02:00:00", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"),
    ]


def _text(value) -> str:
    written = value.to_ical()
    return written.decode() if isinstance(written, bytes) else written


def _wrong(ics: bytes) -> bytes:
    """Berlin's summer offset written as +03:00 instead of +02:00."""
    return ics.replace(b"TZOFFSETTO:+0200", b"TZOFFSETTO:+0300").replace(b"TZOFFSETFROM:+0200", b"TZOFFSETFROM:+0300")


def _narrow(ics: bytes, plan: MeetingPlan) -> bytes:
    """The VTIMEZONE as it was written before: icalendar's, for a year either side of the start."""
    old = icalendar.Timezone.from_tzid(
        plan.timezone,
        first_date=plan.start.date() - timedelta(days=366),
        last_date=plan.start.date() + timedelta(days=366),
    ).to_ical()
    text = ics.decode()
    begin, end = text.index("BEGIN:VTIMEZONE"), text.index("END:VTIMEZONE\r\n") + len("END:VTIMEZONE\r\n")
    return (text[:begin] + old.decode() + text[end:]).encode()


def test_the_readers_take_the_offsets_from_the_file_not_from_a_tz_database(icaljs):
    """A deliberately wrong VTIMEZONE moves the summer occurrences an hour in both readers, and
    the old narrow one loses summer time after its last year: the readers read the file."""
    plan = series("Europe/Berlin", FIRST, SERIES["monthly"][0])
    ics = build(plan)
    right = expected(plan, 1)
    summer = [datetime.fromisoformat(m).astimezone(ZoneInfo("Europe/Berlin")).dst() != timedelta() for m in right]
    one_hour_early = [
        (datetime.fromisoformat(m) - timedelta(hours=1)).isoformat() if dst else m
        for m, dst in zip(right, summer, strict=True)
    ]
    assert read_with_icaljs(icaljs, _wrong(ics), until(plan))["occurrences"] == one_hour_early
    assert read_with_vobject(_wrong(ics), until(plan))["occurrences"] == one_hour_early

    old = _narrow(ics, plan)
    assert b"COMMENT:This timezone only works" in old
    for answer in (read_with_icaljs(icaljs, old, until(plan)), read_with_vobject(old, until(plan))):
        late = [m for m, r in zip(answer["occurrences"], right, strict=True) if m != r]
        assert late and min(late) >= "2028-03", late


@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    server = Radicale(tmp_path_factory.mktemp("radicale")).start()
    yield server
    server.stop()


EXPAND = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><C:calendar-data><C:expand start="{start}" end="{end}"/></C:calendar-data></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:prop-filter name="UID"><C:text-match collation="i;octet">{uid}</C:text-match></C:prop-filter>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""


TODAY = [case for case in CASES if case[1] == FIRST]


@pytest.mark.parametrize(("zone", "start", "name"), TODAY, ids=[IDS[CASES.index(case)] for case in TODAY])
def test_radicale_expands_the_series_to_the_same_instants(zone, start, name, radicale):
    """Stored on a real CalDAV server and expanded by it (RFC 4791 9.6.5): each instance's
    RECURRENCE-ID, in UTC, is where zoneinfo puts the occurrence."""
    expanded_right(radicale, zone, start, name)


@pytest.mark.parametrize(("zone", "start"), HISTORY, ids=[f"{zone}-{start[0]}" for zone, start in HISTORY])
def test_radicale_expands_a_series_across_a_change_of_rules(zone, start, tmp_path):
    """On a server of its own: Radicale (through vobject) keeps the first VTIMEZONE it meets for
    a TZID for as long as it runs, and a series from 2006 needs the rules before 2007 too."""
    server = Radicale(tmp_path).start()
    try:
        expanded_right(server, zone, start, "monthly")
    finally:
        server.stop()


def expanded_right(radicale: Radicale, zone: str, start: tuple[int, ...], name: str) -> None:
    rrule, step = SERIES[name]
    plan = series(zone, start, rrule)
    stored = b"".join(line + b"\r\n" for line in build(plan).split(b"\r\n") if line and not line.startswith(b"METHOD"))
    url = f"{radicale.calendar_url}{plan.uid}.ics"
    begin, end = plan.start.astimezone(UTC) - timedelta(days=1), until(plan) - timedelta(seconds=1)
    with httpx.Client(auth=(USER, PASSWORD), timeout=30) as client:
        put = client.put(url, content=stored, headers={"Content-Type": "text/calendar"})
        assert put.status_code in (201, 204), put.text
        report = client.request(
            "REPORT",
            radicale.calendar_url,
            content=EXPAND.format(start=f"{begin:%Y%m%dT%H%M%SZ}", end=f"{end:%Y%m%dT%H%M%SZ}", uid=plan.uid),
            headers={"Depth": "1", "Content-Type": "application/xml"},
        )
    assert report.status_code == 207, report.text
    data = re.search(r"<C:calendar-data[^>]*>(.*?)</C:calendar-data>", report.text, re.S | re.I)
    assert data, report.text
    calendar = icalendar.Calendar.from_ical(_unescape(data.group(1)))
    instants = sorted(event.decoded("RECURRENCE-ID").astimezone(UTC) for event in calendar.walk("VEVENT"))
    assert [moment.isoformat() for moment in instants] == expected(plan, step)


def _unescape(xml_text: str) -> str:
    return xml_text.replace("&lt;", "<").replace("&gt;", ">").replace("&#13;", "\r").replace("&amp;", "&")


def test_every_zone_of_the_tz_database_reads_back_as_zoneinfo_has_it():
    """Each of the tz database's zones, read back through dateutil's tzical from the VTIMEZONE
    alone: the UTC offset an hour either side of every change from 2026 to 2045 and on the 15th
    of every month at 10:00, as zoneinfo has it."""
    wrong = []
    for name in sorted(zoneinfo.available_timezones()):
        zone = ZoneInfo(name)
        text = vtimezone(name, datetime(*FIRST, tzinfo=zone)).to_ical().decode()
        assert "RDATE" not in text and "COMMENT" not in text, name
        read = tzical(io.StringIO(text)).get()
        around = [
            c.at + side
            for c in changes(zone, datetime(2026, 1, 1, tzinfo=UTC), datetime(2045, 1, 1, tzinfo=UTC))
            for side in (timedelta(hours=-1), timedelta(hours=1))
        ]
        monthly = [datetime(year, month, 15, 10, tzinfo=zone) for year in range(2026, 2045) for month in range(1, 13)]
        for moment in [*around, *(m.astimezone(UTC) for m in monthly)]:
            if moment.astimezone(read).utcoffset() != moment.astimezone(zone).utcoffset():
                wrong.append((name, moment.isoformat()))
    assert not wrong, wrong[:20]


@pytest.mark.parametrize(("zone", "start", "name"), CASES, ids=IDS)
def test_libical_puts_every_occurrence_where_zoneinfo_does(zone, start, name):
    """libical (Evolution's, and the one that put the check-in series an hour late from May 2028)
    reads the file's own VTIMEZONE: five years of the series, each occurrence at zoneinfo's instant."""
    from tests.support.libical import read_with_libical

    rrule, step = SERIES[name]
    plan = series(zone, start, rrule)
    instants, tzid = read_with_libical(build(plan), until(plan))
    assert tzid == zone
    assert [moment.isoformat() for moment in instants] == expected(plan, step)


def test_libical_reads_the_offsets_from_the_file():
    """A deliberately wrong summer offset in the file moves libical's summer occurrences: it reads the file."""
    from tests.support.libical import read_with_libical

    plan = series("Europe/Berlin", FIRST, "FREQ=MONTHLY")
    wrong = (
        build(plan)
        .replace(b"TZOFFSETTO:+0200", b"TZOFFSETTO:+0300")
        .replace(b"TZOFFSETFROM:+0200", b"TZOFFSETFROM:+0300")
    )
    right, _ = read_with_libical(build(plan), until(plan))
    moved, _ = read_with_libical(wrong, until(plan))
    summer = [a for a, b in zip(right, moved, strict=True) if a != b]
    assert summer and all(a - b == timedelta(hours=1) for a, b in zip(right, moved, strict=True) if a != b)
    assert all(moment.astimezone(ZoneInfo("Europe/Berlin")).dst() for moment in summer)
