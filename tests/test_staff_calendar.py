"""Our calendar too: against a real CalDAV server (Radicale on loopback) the exploration meeting
lands in the staff calendar, a busy event there moves the automatic slot, a move updates the
event and a cancellation removes it; without CalDAV, staff are invited as attendees; a calendar
that cannot be reached leaves the invitation sent and raises a to-do."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa

from outreach.db.models import Partner
from outreach.messages.render import renderer_for
from outreach.services.meetings import invitations as meetings
from outreach.services.partners.todos import open_todos
from outreach.settings.campaigns import settings_of
from tests.support.radicale import PASSWORD, Radicale
from tests.test_sending_rules import MONDAY_10_UTC, FakeOutbox, queue, steps

CALENDAR_ENV = "OUTREACH_TEST_CALENDAR_PASSWORD"


@pytest.fixture
def radicale(tmp_path):
    server = Radicale(tmp_path).start()
    yield server
    server.stop()


def campaign_with(uow, tmp_path, meeting: dict):
    queue(uow, tmp_path, count=1, meeting=meeting)
    partner = uow.session.scalar(sa.select(Partner))
    return partner, steps(uow)[0].campaign


def events(radicale) -> list[icalendar.Event]:
    client, calendar = radicale.calendar()
    with client:
        return [
            e for item in calendar.search(event=True) for e in icalendar.Calendar.from_ical(item.data).walk("VEVENT")
        ]


def test_the_meeting_lands_in_the_staff_calendar_avoids_its_busy_times_and_leaves_when_cancelled(
    uow, tmp_path, radicale, monkeypatch
):
    monkeypatch.setenv(CALENDAR_ENV, PASSWORD)
    spec = {"url": radicale.calendar_url, "auth": {"username": "staff", "password_env": CALENDAR_ENV}}
    partner, campaign = campaign_with(uow, tmp_path, {"staff_calendar": spec})
    settings = settings_of(campaign)
    free = meetings.next_slot(uow.session, settings, MONDAY_10_UTC)
    busy = icalendar.Calendar()
    busy.add("prodid", "-//Staff//EN")
    busy.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", "staff-busy@school.test")
    event.add("dtstamp", MONDAY_10_UTC)
    event.add("dtstart", free - timedelta(minutes=15))
    event.add("dtend", free + timedelta(hours=1))
    event.add("summary", "Exam board")
    busy.add_component(event)
    client, calendar = radicale.calendar()
    with client:
        calendar.save_event(busy.to_ical().decode())
    moved = meetings.next_slot(uow.session, settings, MONDAY_10_UTC)
    assert moved >= free + timedelta(hours=1)  # the busy hour is kept free

    meeting = meetings.invite(uow.session, partner, campaign, moved)
    uow.commit()
    outbox = FakeOutbox()
    meetings.send_invitation(uow, meeting, outbox, renderer_for(settings), MONDAY_10_UTC)
    [ours] = [e for e in events(radicale) if str(e["UID"]) == meeting.uid]
    assert ours.decoded("DTSTART") == moved and str(ours["SUMMARY"]).startswith("First exploration meeting")

    meetings.reschedule(meeting, moved + timedelta(days=1))
    meetings.send_invitation(uow, meeting, outbox, renderer_for(settings), MONDAY_10_UTC)
    [ours] = [e for e in events(radicale) if str(e["UID"]) == meeting.uid]
    assert ours.decoded("DTSTART") == moved + timedelta(days=1) and int(ours["SEQUENCE"]) == 1

    meetings.cancel(meeting)
    meetings.send_invitation(uow, meeting, outbox, renderer_for(settings), MONDAY_10_UTC)
    assert [str(e["UID"]) for e in events(radicale)] == ["staff-busy@school.test"]
    assert not [t for t in open_todos(uow.session) if t.kind == "calendar"]


def test_without_caldav_staff_are_attendees_and_an_unreachable_calendar_raises_a_to_do(uow, tmp_path, monkeypatch):
    monkeypatch.setenv(CALENDAR_ENV, PASSWORD)
    unreachable = {
        "url": "http://127.0.0.1:9/staff/meetings/",
        "auth": {"username": "staff", "password_env": CALENDAR_ENV},
    }
    partner, campaign = campaign_with(
        uow, tmp_path, {"staff_attendees": ["team@school.test"], "staff_calendar": unreachable}
    )
    settings = settings_of(campaign)
    meeting = meetings.invite(uow.session, partner, campaign, meetings.next_slot(uow.session, settings, MONDAY_10_UTC))
    uow.commit()
    outbox = FakeOutbox()
    message = meetings.send_invitation(uow, meeting, outbox, renderer_for(settings), MONDAY_10_UTC)
    assert "team@school.test" in message["Cc"]
    assert outbox.sent == [message]  # the invitation went out
    ics = next(p.get_content() for p in message.walk() if p.get_content_type() == "text/calendar")
    attendees = [str(a) for a in icalendar.Calendar.from_ical(ics).walk("VEVENT")[0].get("ATTENDEE")]
    assert "mailto:team@school.test" in attendees
    [todo] = [t for t in open_todos(uow.session) if t.kind == "calendar"]
    assert "could not be updated" in todo.text


def test_an_answer_shows_in_the_staff_calendar_with_the_same_uid_and_sequence(
    uow, database_url, tmp_path, radicale, monkeypatch
):
    """A REPLY processed as the worker processes it: the staff calendar's copy is put again with
    the attendee's PARTSTAT (the staff attendee's as recorded), the same UID and SEQUENCE."""
    from outreach.db.types import utcnow
    from outreach.inbound.message import Fetched
    from outreach.services.inbound import inbox
    from tests.test_meeting_rules import calendar_mail
    from tests.test_meetings import answer_ics
    from tests.test_sending_rules import Clock, run_tick, send_all
    from worker.app import App

    monkeypatch.setenv(CALENDAR_ENV, PASSWORD)
    spec = {"url": radicale.calendar_url, "auth": {"username": "staff", "password_env": CALENDAR_ENV}}
    partner, campaign = campaign_with(uow, tmp_path, {"staff_calendar": spec, "staff_attendees": ["team@school.test"]})
    outbox, clock = FakeOutbox(), Clock(MONDAY_10_UTC)
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))  # the first contact: the partner is ours
    settings = settings_of(campaign)
    meeting = meetings.invite(uow.session, partner, campaign, meetings.next_slot(uow.session, settings, clock.now))
    uow.commit()
    meetings.send_invitation(uow, meeting, outbox, renderer_for(settings), clock.now)

    def partstats() -> tuple[int, dict[str, str]]:
        [ours] = [e for e in events(radicale) if str(e["UID"]) == meeting.uid]
        return int(ours["SEQUENCE"]), {str(a).lower(): a.params["PARTSTAT"] for a in ours["ATTENDEE"]}

    wanted = {"mailto:person0@partner0.test": "NEEDS-ACTION", "mailto:team@school.test": "NEEDS-ACTION"}
    assert partstats() == (0, wanted)
    raw = calendar_mail("person0@partner0.test", "REPLY", answer_ics(meeting.uid, "person0@partner0.test", "ACCEPTED"))
    [inbound_id] = inbox.store(uow, tmp_path, "vet@school.test", "INBOX", 1, [Fetched(1, raw, clock.now)], 1, utcnow())
    app = App(database_url=database_url, data_dir=tmp_path / "data", now=lambda: clock.now)
    try:
        assert app.process_inbound(inbound_id).status == "processed"  # processed, then dispatched
    finally:
        app.close()
    assert partstats() == (0, {**wanted, "mailto:person0@partner0.test": "ACCEPTED"})
    uow.session.expire_all()
    assert meeting.sequence == 0 and not [t for t in open_todos(uow.session) if t.kind == "calendar"]
