"""The invitation as iCalendar (RFC 5545) with iTIP methods (RFC 5546): REQUEST for an invite
or an update (same UID, SEQUENCE + 1), CANCEL to remove it. Built with `icalendar`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component, Event, vCalAddress, vRecur, vText

from outreach.calendar.timezones import vtimezone

PRODID = "-//VET Partnership Outreach//Exploration meetings//EN"


@dataclass(frozen=True)
class Person:
    email: str
    name: str | None = None
    partstat: str = "NEEDS-ACTION"  # an attendee's answer as recorded (RFC 5545 3.2.12)


@dataclass(frozen=True)
class MeetingPlan:
    uid: str
    sequence: int
    start: datetime  # aware, in the organiser's timezone
    duration: timedelta
    timezone: str
    summary: str
    description: str
    organizer: Person
    attendees: tuple[Person, ...]
    location: str | None = None
    url: str | None = None
    method: str = "REQUEST"
    stamp: datetime = field(default_factory=lambda: datetime.now(UTC))  # DTSTAMP
    rrule: str | None = None  # a series (RFC 5545 3.8.5.3), e.g. FREQ=MONTHLY;INTERVAL=3

    def updated(self, now: datetime, start: datetime | None = None, duration: timedelta | None = None) -> MeetingPlan:
        """The same meeting moved: same UID, SEQUENCE + 1, a new DTSTAMP."""
        return replace(
            self,
            start=start or self.start,
            duration=duration or self.duration,
            sequence=self.sequence + 1,
            method="REQUEST",
            stamp=now,
        )

    def cancelled(self, now: datetime) -> MeetingPlan:
        """METHOD:CANCEL, STATUS:CANCELLED, SEQUENCE + 1."""
        return replace(self, sequence=self.sequence + 1, method="CANCEL", stamp=now)


def build(plan: MeetingPlan) -> bytes:
    """The .ics text: VCALENDAR with METHOD, a VTIMEZONE of the zone's rules in force (yearly
    RRULEs with no end: right for every occurrence of an open-ended series), one VEVENT."""
    zone = ZoneInfo(plan.timezone)
    start = plan.start.astimezone(zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", plan.method)
    calendar.add_component(vtimezone(plan.timezone, start))
    calendar.add_component(_event(plan, start))
    return bytes(calendar.to_ical())


def _event(plan: MeetingPlan, start: datetime) -> Event:
    event = Event()
    event.add("uid", plan.uid)
    event.add("sequence", plan.sequence)
    event.add("dtstamp", plan.stamp.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + plan.duration)
    event.add("summary", plan.summary)
    event.add("description", plan.description)
    if plan.location or plan.url:
        event.add("location", plan.location or plan.url)
    if plan.url:
        event.add("url", plan.url)
    if plan.rrule:
        event.add("rrule", vRecur.from_ical(plan.rrule))
    event.add("status", "CANCELLED" if plan.method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(plan.organizer))
    for person in plan.attendees:
        attendee = _address(person)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText(person.partstat)
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=False)
    return event


def _address(person: Person) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    if person.name:
        address.params["cn"] = vText(person.name)
    return address


def decline_counter(plan: MeetingPlan, comment: str) -> bytes:
    """METHOD:DECLINECOUNTER (RFC 5546 3.2.7): the organiser declines an attendee's
    counter-proposal and the meeting stays as it is. The same UID and the meeting's SEQUENCE,
    ORGANIZER, the ATTENDEEs, DTSTAMP and a COMMENT; no time of its own, so no VTIMEZONE."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "DECLINECOUNTER")
    event = Event()
    event.add("uid", plan.uid)
    event.add("sequence", plan.sequence)
    event.add("dtstamp", plan.stamp.astimezone(UTC))
    event.add("organizer", _address(plan.organizer))
    for person in plan.attendees:  # named, asked for nothing: no RSVP
        event.add("attendee", _address(person), encode=False)
    event.add("comment", comment)
    calendar.add_component(event)
    return bytes(calendar.to_ical())


@dataclass(frozen=True)
class Answer:
    """An attendee's iTIP answer: REPLY (accepted, tentative, declined) or COUNTER."""

    method: str
    uid: str
    sequence: int
    attendee: str
    partstat: str | None
    comment: str | None
    proposed_start: datetime | None


@dataclass(frozen=True)
class Unreadable:
    """A calendar answer from an attendee whose values cannot be trusted (a SEQUENCE that is
    no number or out of range, a date out of range, a value too long): staff read it."""

    reason: str


# Bounds on what an answer may carry. SEQUENCE: RFC 5545 sets no maximum; ours is the
# database's integer. A proposed time outside these years is no meeting time.
MAX_SEQUENCE = 2**31 - 1
YEARS = (1970, 2200)
UID_CHARS, ADDRESS_CHARS, PARTSTAT_CHARS, COMMENT_CHARS = 255, 320, 16, 2000


class _Unread(Exception):
    pass


def read_answer(ics: bytes | str, senders: list[str] | None = None) -> Answer | Unreadable | None:
    """The answer in an iTIP REPLY or COUNTER, None when the text holds none, Unreadable when
    its values are broken or out of bounds (never an exception). With `senders` (the message's
    From and Sender), the answer is the ATTENDEE among them: an answer is credited to whoever
    sent it, never simply to the first ATTENDEE line."""
    try:
        calendar = Calendar.from_ical(ics)
    except Exception:  # icalendar raises many kinds on hostile input
        return None
    method = str(calendar.get("method", "")).upper()[:20]
    for event in calendar.walk("VEVENT"):
        attendee = _attendee(event, senders)
        if attendee is None:
            return None
        try:
            return _answer(event, method or "REPLY", attendee)
        except _Unread as problem:
            return Unreadable(str(problem))
        except Exception as error:  # any other surprise in a stranger's calendar text
            return Unreadable(f"{type(error).__name__} while reading it")
    return None


def _attendee(event: Component, senders: list[str] | None) -> vCalAddress | None:
    attendees = event.get("attendee")
    attendees = attendees if isinstance(attendees, list) else [attendees] if attendees else []
    if senders is not None:
        wanted = {address.lower() for address in senders}
        attendees = [a for a in attendees if str(a).lower().removeprefix("mailto:") in wanted]
    return attendees[0] if attendees else None


def _answer(event: Component, method: str, attendee: vCalAddress) -> Answer:
    address = _bounded(str(attendee).lower().removeprefix("mailto:"), ADDRESS_CHARS, "ATTENDEE")
    partstat = _bounded(str(getattr(attendee, "params", {}).get("PARTSTAT", "")).upper(), PARTSTAT_CHARS, "PARTSTAT")
    comment = str(event.get("comment")) if event.get("comment") else None
    return Answer(
        method=method,
        uid=_bounded(str(event.get("uid", "")), UID_CHARS, "UID"),
        sequence=_sequence(event),
        attendee=address,
        partstat=partstat or None,
        comment=comment[:COMMENT_CHARS] if comment else None,
        proposed_start=_proposed_start(event) if method == "COUNTER" else None,
    )


def _sequence(event: Component) -> int:
    value = event.get("sequence", 0)
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise _Unread(f"SEQUENCE {_shown(value)} is not a number") from None
    if not 0 <= number <= MAX_SEQUENCE:
        raise _Unread(f"SEQUENCE {_shown(value)} is out of range (0 to {MAX_SEQUENCE})")
    return number


def _proposed_start(event: Component) -> datetime | None:
    start = event.get("dtstart")
    if start is None:
        return None
    try:
        moment = start.dt
    except Exception:  # icalendar keeps an unparsable value and raises when it is read
        moment = None
    if not isinstance(moment, datetime) or not YEARS[0] <= moment.year <= YEARS[1]:
        raise _Unread(f"the proposed start {_shown(_raw(start))} is not a time between {YEARS[0]} and {YEARS[1]}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _raw(value: Any) -> object:
    try:
        return value.to_ical()
    except Exception:
        return value


def _bounded(text: str, length: int, name: str) -> str:
    if len(text) > length:
        raise _Unread(f"{name} is longer than {length} characters")
    return text


def _shown(value: object) -> str:
    """A stranger's value, short and printable, for the to-do's text."""
    try:
        text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
    except ValueError:  # an integer too long to print
        return "(a very long number)"
    text = "".join(c if c.isprintable() else "?" for c in text)
    return repr(text[:40] + ("..." if len(text) > 40 else ""))
