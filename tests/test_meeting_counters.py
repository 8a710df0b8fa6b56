"""A partner's counter-proposal decided with one click, with real parts: the COUNTER comes back
through Dovecot and the watcher and keeps its proposed time on its to-do; `outreach meeting
counter ID decline|accept` and the buttons of that to-do on the Today page decline it (the
partner's mailbox gets METHOD:DECLINECOUNTER, read by icalendar and ical.js) or accept it (the
meeting moves, SEQUENCE + 1, the partner gets the update); the to-do closes with who decided."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP

import icalendar
import sqlalchemy as sa

from outreach.db.models import Todo
from outreach.db.types import utcnow
from outreach.services.accounts import users
from outreach.services.accounts.users import Role
from tests.support.icaljs import ensure_icaljs, parse_with_icaljs
from tests.support.mailboxes import messages, wait_for
from tests.test_inbox_watcher import sent_campaign  # noqa: F401  (the fixture)
from tests.test_web_forms import PASS, client, logged_in, token
from worker.processes import start_watchers


def counter_mail(sender: str, to: str, uid: str, start: datetime) -> bytes:
    """A COUNTER as Outlook sends one: the meeting's UID and SEQUENCE, the time proposed."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    ics = (
        "BEGIN:VCALENDAR\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\nMETHOD:COUNTER\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nSEQUENCE:0\r\nDTSTAMP:{stamp}\r\n"
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{start + timedelta(minutes=45):%Y%m%dT%H%M%SZ}\r\n"
        f"COMMENT:Could we meet a day later?\\n\r\nATTENDEE;PARTSTAT=TENTATIVE:mailto:{sender}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    mail = EmailMessage(policy=SMTP)
    mail["From"], mail["To"], mail["Subject"] = sender, to, "New Time Proposed: First exploration meeting"
    mail.set_content("Could we meet a day later?")
    mail.add_alternative(ics, subtype="calendar", params={"method": "COUNTER"})
    return mail.as_bytes()


def invited(cli, address: str) -> dict:
    at = (datetime.now(UTC) + timedelta(days=10)).strftime("%Y-%m-%dT10:00")
    sent = cli("meeting", "invite", address, "--at", at)
    assert sent.code == 0, sent
    return meeting_row(cli, address)


def meeting_row(cli, address: str) -> dict:
    return next(m for m in json.loads(cli("meeting", "list", "--json").out) if m["attendees"][0]["email"] == address)


def proposed(uow, dovecot, campaign, meeting: dict, start: datetime) -> Todo:
    """The partner proposes `start`; the watcher makes it a to-do that keeps the time."""
    address = meeting["attendees"][0]["email"]
    dovecot.deliver(campaign.sender, counter_mail(address, campaign.sender, meeting["uid"], start))

    def todo():
        uow.session.expire_all()
        return uow.session.scalar(sa.select(Todo).where(Todo.kind == "counter", Todo.done_at.is_(None)))

    found = wait_for(todo, timeout=30, what="the counter-proposal's to-do")
    assert found.reading["meeting_id"] == meeting["id"] and found.reading["attendee"] == address
    assert datetime.fromisoformat(found.reading["start"]) == start
    assert f"outreach meeting counter {meeting['id']} accept|decline" in found.text
    return found


def declined_counter(dovecot, address: str) -> tuple[EmailMessage, bytes]:
    def find():
        for mail in messages(dovecot, address):
            ics = next((a for a in mail.iter_attachments() if a.get_filename() == "invite.ics"), None)
            if ics is not None and b"METHOD:DECLINECOUNTER" in ics.get_content():
                return mail, ics.get_content()
        return None

    return wait_for(find, timeout=30, what="the DECLINECOUNTER in the partner's mailbox")


def assert_declined(mail: EmailMessage, ics: bytes, meeting: dict, organiser: str) -> None:
    """The original time stands, as the partner's calendar reads it."""
    alternative = next(mail.iter_parts())
    calendar_part = next(p for p in alternative.iter_parts() if p.get_content_type() == "text/calendar")
    assert calendar_part.get_param("method") == "DECLINECOUNTER"
    assert "original time" in mail.get_body(("plain",)).get_content()
    [event] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (meeting["uid"], meeting["sequence"])
    assert str(event["ORGANIZER"]) == f"mailto:{organiser}" and "DTSTAMP" in event
    attendees = event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
    assert [str(a) for a in attendees] == [f"mailto:{meeting['attendees'][0]['email']}"]
    js = parse_with_icaljs(ensure_icaljs(), ics)
    assert (js["method"], js["uid"], js["sequence"]) == ("DECLINECOUNTER", meeting["uid"], meeting["sequence"])
    assert js["comment"].startswith("The original time stands")


def updated_invitation(dovecot, address: str) -> EmailMessage:
    return wait_for(
        lambda: next((m for m in messages(dovecot, address) if m["Subject"].startswith("Updated invitation")), None),
        timeout=30,
        what="the update in the partner's mailbox",
    )


def test_a_counter_proposal_declined_then_accepted_from_the_command_line(sent_campaign, cli, dovecot, uow, monkeypatch):
    campaign, app, stop = sent_campaign
    monkeypatch.setenv("OUTREACH_ACTOR", "Jana Weber")
    address = campaign.addresses[0]
    meeting = invited(cli, address)
    original = datetime.fromisoformat(meeting["start"])
    [watcher] = start_watchers(app, stop, idle_check_seconds=1)

    first = proposed(uow, dovecot, campaign, meeting, original + timedelta(days=1))
    declined = cli("meeting", "counter", str(meeting["id"]), "decline")
    assert declined.code == 0, declined
    assert f"{address} proposed is declined; meeting {meeting['id']} stays at" in declined.out
    assert_declined(*declined_counter(dovecot, address), meeting, campaign.sender)
    uow.session.expire_all()
    assert (first.done_by, first.done_reason) == ("Jana Weber", "declined by Jana Weber: the original time stands")
    assert meeting_row(cli, address)["start"] == meeting["start"]  # nothing moved

    later = original + timedelta(days=2, hours=4)
    second = proposed(uow, dovecot, campaign, meeting, later)
    accepted = cli("meeting", "counter", str(meeting["id"]), "accept")
    assert accepted.code == 0, accepted
    assert f"meeting {meeting['id']} moved to" in accepted.out and "(sequence 1)" in accepted.out
    update = updated_invitation(dovecot, address)
    ics = next(a for a in update.iter_attachments() if a.get_filename() == "invite.ics").get_content()
    [event] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"]), event.decoded("DTSTART").astimezone(UTC)) == (
        meeting["uid"],
        1,
        later,
    )
    moved = meeting_row(cli, address)
    assert (datetime.fromisoformat(moved["start"]), moved["sequence"]) == (later, 1)
    uow.session.expire_all()
    assert second.done_by == "Jana Weber" and second.done_reason.startswith("accepted by Jana Weber")

    again = cli("meeting", "counter", str(meeting["id"]), "accept")
    assert again.code == 2 and "no open counter-proposal" in again.err
    assert cli("meeting", "counter", str(meeting["id"]), "maybe").code == 2
    stop.set()
    watcher.join(10)


def test_a_counter_proposal_declined_then_accepted_from_the_today_page(sent_campaign, cli, dovecot, uow):
    campaign, app, stop = sent_campaign
    for email, role in (("officer@school.test", Role.OFFICER), ("viewer@school.test", Role.VIEWER)):
        users.add(uow.session, email, role, PASS, utcnow())
    uow.commit()
    address = campaign.addresses[1]
    meeting = invited(cli, address)
    original = datetime.fromisoformat(meeting["start"])
    [watcher] = start_watchers(app, stop, idle_check_seconds=1)

    first = proposed(uow, dovecot, campaign, meeting, original + timedelta(days=1))
    browser = logged_in(app)
    today = browser.get("/").text
    assert f'action="/todos/{first.id}/counter"' in today and "Accept: move the meeting to" in today
    csrf = token(browser, "/")
    assert browser.post(f"/todos/{first.id}/counter", data={"decision": "decline"}).status_code == 403  # no CSRF
    viewer = logged_in(app, "viewer@school.test")
    refused = viewer.post(f"/todos/{first.id}/counter", data={"csrf": token(viewer, "/"), "decision": "decline"})
    assert refused.status_code == 403  # a viewer changes nothing
    assert client(app).post(f"/todos/{first.id}/counter", data={"decision": "decline"}).status_code == 401

    declined = browser.post(f"/todos/{first.id}/counter", data={"csrf": csrf, "decision": "decline"})
    assert declined.status_code == 200 and "stays at" in declined.text
    assert_declined(*declined_counter(dovecot, address), meeting, campaign.sender)
    uow.session.expire_all()
    assert first.done_by == "officer@school.test" and first.done_reason.startswith("declined by officer@school.test")

    later = original + timedelta(days=3)
    second = proposed(uow, dovecot, campaign, meeting, later)
    assert re.search(rf'action="/todos/{second.id}/counter"', browser.get("/").text)
    accepted = browser.post(f"/todos/{second.id}/counter", data={"csrf": csrf, "decision": "accept"})
    assert accepted.status_code == 200 and f"meeting {meeting['id']} moved to" in accepted.text
    updated_invitation(dovecot, address)
    moved = meeting_row(cli, address)
    assert (datetime.fromisoformat(moved["start"]), moved["sequence"]) == (later, 1)
    uow.session.expire_all()
    assert second.done_by == "officer@school.test" and second.done_reason.startswith("accepted by officer@school")
    twice = browser.post(f"/todos/{second.id}/counter", data={"csrf": csrf, "decision": "accept"})
    assert twice.status_code == 404 and "decided already" in twice.text
    stop.set()
    watcher.join(10)
