"""The invitation as iCalendar (RFC 5545) with iTIP methods (RFC 5546): REQUEST for an invite
or an update (same UID, SEQUENCE + 1), CANCEL to remove it. Built with `icalendar`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vRecur, vText

PRODID = "-//VET Partnership Outreach//Exploration meetings//EN"


@dataclass(frozen=True)
class Person:
    email: str
    name: str | None = None


@dataclass(frozen=True)
class MeetingPlan:
    uid: str
    sequence: int
    start: datetime            # aware, in the organiser's timezone
    duration: timedelta
    timezone: str
    summary: str
    description: str
    organizer: Person
    attendees: tuple[Person, ...]
    location: str | None = None
    url: str | None = None
    method: str = "REQUEST"
    stamp: datetime = field(default_factory=lambda: datetime.now(timezone.utc))  # DTSTAMP
    rrule: str | None = None   # a series (RFC 5545 3.8.5.3), e.g. FREQ=MONTHLY;INTERVAL=3

    def updated(self, now: datetime, start: datetime | None = None, duration: timedelta | None = None) -> MeetingPlan:
        """The same meeting moved: same UID, SEQUENCE + 1, a new DTSTAMP."""
        return replace(self, start=start or self.start, duration=duration or self.duration,
                       sequence=self.sequence + 1, method="REQUEST", stamp=now)

    def cancelled(self, now: datetime) -> MeetingPlan:
        """METHOD:CANCEL, STATUS:CANCELLED, SEQUENCE + 1."""
        return replace(self, sequence=self.sequence + 1, method="CANCEL", stamp=now)


def build(plan: MeetingPlan) -> bytes:
    """The .ics text: VCALENDAR with METHOD, a VTIMEZONE for a narrow window, one VEVENT."""
    zone = ZoneInfo(plan.timezone)
    start = plan.start.astimezone(zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", plan.method)
    calendar.add_component(Timezone.from_tzid(plan.timezone, first_date=start.date() - timedelta(days=366),
                                              last_date=start.date() + timedelta(days=366)))
    calendar.add_component(_event(plan, start))
    return bytes(calendar.to_ical())


def _event(plan: MeetingPlan, start: datetime) -> Event:
    event = Event()
    event.add("uid", plan.uid)
    event.add("sequence", plan.sequence)
    event.add("dtstamp", plan.stamp.astimezone(timezone.utc))
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
    organizer = vCalAddress(f"mailto:{plan.organizer.email}")
    if plan.organizer.name:
        organizer.params["cn"] = vText(plan.organizer.name)
    event.add("organizer", organizer)
    for person in plan.attendees:
        attendee = vCalAddress(f"mailto:{person.email}")
        if person.name:
            attendee.params["cn"] = vText(person.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=False)
    return event


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


def read_answer(ics: bytes | str, senders: list[str] | None = None) -> Answer | None:
    """The answer in an iTIP REPLY or COUNTER, or None when the text holds none. With
    `senders` (the message's From and Sender), the answer is the ATTENDEE among them: an
    answer is credited to whoever sent it, never simply to the first ATTENDEE line."""
    try:
        calendar = Calendar.from_ical(ics)
    except Exception:  # icalendar raises many kinds on hostile input
        return None
    method = str(calendar.get("method", "")).upper()
    for event in calendar.walk("VEVENT"):
        attendees = event.get("attendee")
        attendees = attendees if isinstance(attendees, list) else [attendees] if attendees else []
        if senders is not None:
            wanted = {address.lower() for address in senders}
            attendees = [a for a in attendees if str(a).lower().removeprefix("mailto:") in wanted]
        if not attendees:
            return None
        attendee = attendees[0]
        start = event.get("dtstart")
        return Answer(
            method=method or "REPLY", uid=str(event.get("uid", "")), sequence=int(event.get("sequence", 0)),
            attendee=str(attendee).lower().removeprefix("mailto:"),
            partstat=str(attendee.params.get("PARTSTAT", "")).upper() or None,
            comment=str(event.get("comment")) if event.get("comment") else None,
            proposed_start=start.dt if method == "COUNTER" and start is not None else None,
        )
    return None
