"""Invitations, updates and cancellations parse with no error in icalendar, vobject and
Mozilla's ical.js, and carry what calendars need; answers are read back."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from outreach.calendar.invite import MeetingPlan, Person, build, decline_counter, read_answer
from tests.support.icaljs import ensure_icaljs, parse_with_icaljs

BERLIN = ZoneInfo("Europe/Berlin")


def plan() -> MeetingPlan:
    return MeetingPlan(
        uid="meeting-7f3a@school.test",
        sequence=0,
        start=datetime(2027, 3, 9, 10, 0, tzinfo=BERLIN),
        duration=timedelta(minutes=45),
        timezone="Europe/Berlin",
        summary="First exploration meeting: Riverside Vocational College and Nordhafen Logistik GmbH",
        description="ONLINE MEETING AGENDA\n1. Welcome and Introductions (5-10 minutes)\n" + "x" * 200,
        organizer=Person("vet@school.test", "Jana Weber"),
        attendees=(Person("k.becker@nordhafen.test", "Klaus Becker"), Person("anna@nordhafen.test", "Anna Müller")),
        url="https://meet.school.test/exploration",
        stamp=datetime(2027, 3, 1, 8, 0, tzinfo=UTC),
    )


@pytest.fixture(scope="module")
def icaljs():
    return ensure_icaljs()


LATER = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
VARIANTS = {
    "invite": lambda p: p,
    "update": lambda p: p.updated(LATER, start=datetime(2027, 3, 10, 14, 0, tzinfo=BERLIN)),
    "cancel": lambda p: p.cancelled(LATER),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_three_parsers_read_it_the_same_way(variant, icaljs):
    meeting = VARIANTS[variant](plan())
    ics = build(meeting)
    assert all(len(line) <= 75 for line in ics.split(b"\r\n")), "lines are folded at 75 octets"

    parsed = icalendar.Calendar.from_ical(ics)
    assert all(not component.errors for component in parsed.walk())
    [event] = parsed.walk("VEVENT")
    assert str(parsed["METHOD"]) == meeting.method and str(event["UID"]) == meeting.uid
    assert int(event["SEQUENCE"]) == meeting.sequence
    assert event.decoded("DTSTART").astimezone(UTC) == meeting.start.astimezone(UTC)
    assert [t["TZID"] for t in parsed.walk("VTIMEZONE")] == ["Europe/Berlin"]

    card = vobject.readOne(ics.decode(), validate=True)
    assert card.vevent.uid.value == meeting.uid and int(card.vevent.sequence.value) == meeting.sequence
    assert card.vevent.dtstart.value.astimezone(UTC) == meeting.start.astimezone(UTC)

    js = parse_with_icaljs(icaljs, ics)
    assert (js["method"], js["uid"], js["sequence"]) == (meeting.method, meeting.uid, meeting.sequence)
    assert js["organizer"] == "mailto:vet@school.test"
    assert js["startUtc"] == meeting.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert js["attendees"] == [
        {
            "value": "mailto:k.becker@nordhafen.test",
            "cn": "Klaus Becker",
            "role": "REQ-PARTICIPANT",
            "partstat": "NEEDS-ACTION",
            "rsvp": "TRUE",
        },
        {
            "value": "mailto:anna@nordhafen.test",
            "cn": "Anna Müller",
            "role": "REQ-PARTICIPANT",
            "partstat": "NEEDS-ACTION",
            "rsvp": "TRUE",
        },
    ]
    assert js["status"] == ("CANCELLED" if variant == "cancel" else "CONFIRMED")
    assert js["description"].startswith("ONLINE MEETING AGENDA")


def test_a_declined_counter_proposal_names_the_meeting_and_says_the_original_time_stands(icaljs):
    """METHOD:DECLINECOUNTER (RFC 5546 3.2.7): the meeting's UID and SEQUENCE, ORGANIZER, the
    ATTENDEEs, DTSTAMP and a COMMENT; no time of its own, so no VTIMEZONE."""
    meeting = plan().updated(LATER)
    ics = decline_counter(meeting, "The original time stands: Tuesday 9 March 2027, 10:00 (Europe/Berlin)")
    parsed = icalendar.Calendar.from_ical(ics)
    assert all(not component.errors for component in parsed.walk())
    [event] = parsed.walk("VEVENT")
    assert (str(parsed["METHOD"]), str(event["UID"]), int(event["SEQUENCE"])) == ("DECLINECOUNTER", meeting.uid, 1)
    assert str(event["ORGANIZER"]) == "mailto:vet@school.test" and event.decoded("DTSTAMP") == LATER
    assert [str(a) for a in event["ATTENDEE"]] == ["mailto:k.becker@nordhafen.test", "mailto:anna@nordhafen.test"]
    assert "DTSTART" not in event and not parsed.walk("VTIMEZONE")
    js = parse_with_icaljs(icaljs, ics)
    assert (js["method"], js["uid"], js["sequence"]) == ("DECLINECOUNTER", meeting.uid, 1)
    assert js["comment"].startswith("The original time stands") and js["startUtc"] is None


def test_each_attendee_carries_the_answer_recorded():
    answered = MeetingPlan(
        **{**plan().__dict__, "attendees": (Person("k.becker@nordhafen.test", "Klaus", "ACCEPTED"), Person("a@n.test"))}
    )
    [event] = icalendar.Calendar.from_ical(build(answered)).walk("VEVENT")
    assert [a.params["PARTSTAT"] for a in event["ATTENDEE"]] == ["ACCEPTED", "NEEDS-ACTION"]


def test_an_update_keeps_the_uid_and_raises_the_sequence():
    first = plan()
    moved = first.updated(LATER, start=datetime(2027, 3, 10, 14, 0, tzinfo=BERLIN))
    gone = moved.cancelled(LATER + timedelta(hours=1))
    assert (moved.uid, moved.sequence, gone.sequence, gone.method) == (first.uid, 1, 2, "CANCEL")
    assert first.stamp < moved.stamp < gone.stamp


def test_the_timezone_starts_with_todays_rules_and_is_the_same_for_every_meeting():
    """No window around the start (a series has no end): the rules since 1996 as yearly RRULEs,
    no COMMENT, no RDATE; a meeting years later carries the same definition."""
    ics = build(plan()).decode()
    definition = ics[ics.index("BEGIN:VTIMEZONE") : ics.index("END:VTIMEZONE")]
    starts = [line for line in definition.splitlines() if line.startswith(("DTSTART:", "RDATE", "RRULE:", "COMMENT"))]
    assert starts == [
        "DTSTART:19961027T030000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "DTSTART:19970330T020000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
    ]
    later = build(MeetingPlan(**{**plan().__dict__, "start": datetime(2031, 7, 1, 9, 0, tzinfo=BERLIN)})).decode()
    assert later[later.index("BEGIN:VTIMEZONE") : later.index("END:VTIMEZONE")] == definition


@pytest.mark.parametrize("partstat", ["ACCEPTED", "TENTATIVE", "DECLINED"])
def test_answers_are_read_back(partstat):
    reply = (
        f"BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar//EN\r\nVERSION:2.0\r\nMETHOD:REPLY\r\n"
        f"BEGIN:VEVENT\r\nUID:meeting-7f3a@school.test\r\nSEQUENCE:1\r\nDTSTAMP:20270302T081500Z\r\n"
        f"DTSTART:20270309T090000Z\r\nATTENDEE;CN=Klaus;PARTSTAT={partstat}:mailto:K.Becker@Nordhafen.test\r\n"
        f"COMMENT:See you then\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    answer = read_answer(reply)
    assert (answer.method, answer.uid, answer.sequence, answer.attendee, answer.partstat, answer.comment) == (
        "REPLY",
        "meeting-7f3a@school.test",
        1,
        "k.becker@nordhafen.test",
        partstat,
        "See you then",
    )
    assert read_answer(b"not a calendar") is None


def test_an_answer_is_credited_to_the_attendee_who_sent_it():
    """Partner B answers with A listed first: the answer is B's; from a stranger, nobody's."""
    reply = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        "UID:meeting-7f3a@school.test\r\nSEQUENCE:0\r\nDTSTAMP:20270302T081500Z\r\n"
        "ATTENDEE;PARTSTAT=DECLINED:mailto:a@first.test\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:B@Second.test\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    answer = read_answer(reply, senders=["b@second.test"])
    assert (answer.attendee, answer.partstat) == ("b@second.test", "ACCEPTED")
    assert read_answer(reply, senders=["stranger@elsewhere.test"]) is None


def test_the_agenda_says_what_the_guides_agenda_says_with_the_names_filled_in():
    from outreach.rendering import Renderer

    agenda = Renderer().agenda(
        "en",
        host="Riverside Vocational College",
        partner="Nordhafen Logistik GmbH",
        date="Tuesday 9 March 2027",
        time="10:00-10:45 (Europe/Berlin)",
        link="https://meet.school.test/exploration",
    )
    items = [line for line in agenda.splitlines() if line[:2] in ("1.", "2.", "3.", "4.", "5.")]
    assert items == [
        "1. Welcome and Introductions (5-10 minutes)",
        "2. Overview of Riverside Vocational College (5-7 minutes)",
        "3. Overview of Nordhafen Logistik GmbH (5-7 minutes)",
        "4. Discussion of Potential Collaboration Areas (10-20 minutes)",
        "5. Next Steps and Follow-up (5-10 minutes)",
    ]
    assert "Welcome by Riverside Vocational College" in agenda
    assert "Link: https://meet.school.test/exploration" in agenda and "Tuesday 9 March 2027" in agenda
    assert "Designation of contact persons for each organisation" in agenda
    ics = build(MeetingPlan(**{**plan().__dict__, "description": agenda}))
    [event] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["DESCRIPTION"]) == agenda
