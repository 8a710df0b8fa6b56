"""Meeting answers and the next-steps mail, against a real database and a fake mailbox."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from outreach.calendar.invite import Answer
from outreach.db.models import Partner
from outreach.domain.vocabulary import StepStatus
from outreach.services.meetings import invitations as meetings
from tests.test_sending_rules import MONDAY_10_UTC, Clock, FakeOutbox, queue, run_tick, send_all, steps


def accepted_meeting(uow, tmp_path, partstat="ACCEPTED"):
    queue(uow, tmp_path, count=1)
    outbox, clock = FakeOutbox(), Clock(MONDAY_10_UTC)
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    partner = uow.session.scalar(sa.select(Partner))
    campaign = steps(uow)[0].campaign
    meeting = meetings.invite(uow.session, partner, campaign, MONDAY_10_UTC + timedelta(days=8))
    uow.commit()
    answer = Answer("REPLY", meeting.uid, 0, "PERSON0@partner0.test", partstat, "Fine", None)
    recorded = meetings.record_answer(uow.session, answer, clock.now)
    uow.commit()
    return meeting, recorded, outbox, clock


def record_and_approve(uow, meeting, now):
    from outreach.domain.outcome import Outcome

    meetings.record_outcome(uow.session, meeting, Outcome(takeaways=["We agreed to talk again"]), "staff", now)
    meetings.approve_next_steps(uow.session, meeting, "staff", now)
    uow.commit()


def next_steps(uow):
    return [s for s in steps(uow) if s.template == "next_steps"]


def test_an_accepted_meeting_brings_the_next_steps_mail_after_it_ends(uow, tmp_path):
    meeting, recorded, outbox, clock = accepted_meeting(uow, tmp_path)
    assert recorded.partstat == "accepted"
    record_and_approve(uow, meeting, clock.now)
    [step] = next_steps(uow)
    assert step.due_at == meeting.end_at + timedelta(hours=2) and step.status is StepStatus.SCHEDULED
    assert run_tick(uow, outbox, clock) == []  # not before the meeting has ended
    clock.now = step.due_at
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    mail = outbox.sent[-1]
    # the meeting was earlier this year: its date goes without the year
    assert mail["Subject"] == f"Next steps after our meeting on {meeting.start_at.day} {meeting.start_at:%B}"
    text = mail.get_body(("plain",)).get_content()
    assert "Key takeaways:" in text and "- We agreed to talk again" in text
    assert next_steps(uow)[0].status is StepStatus.SENT


def test_a_stale_answer_changes_nothing_and_a_cancelled_meeting_stops_the_mail(uow, tmp_path):
    meeting, _, outbox, clock = accepted_meeting(uow, tmp_path)
    record_and_approve(uow, meeting, clock.now)
    meetings.reschedule(meeting, meeting.start_at + timedelta(days=1))
    uow.commit()
    stale = meetings.record_answer(
        uow.session, Answer("REPLY", meeting.uid, 0, "person0@partner0.test", "DECLINED", None, None), clock.now
    )
    assert stale.outcome == "stale" and meeting.attendees[0].partstat == "NEEDS-ACTION"
    meetings.record_answer(
        uow.session, Answer("REPLY", meeting.uid, 1, "person0@partner0.test", "ACCEPTED", None, None), clock.now
    )
    uow.commit()
    assert next_steps(uow)[0].due_at == meeting.end_at + timedelta(hours=2)  # re-timed with the move
    meetings.cancel(meeting)
    uow.commit()
    clock.now = meeting.end_at + timedelta(hours=3)
    [outcome] = send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    assert (outcome.result, outcome.detail) == ("cancelled", "the meeting was cancelled")


def test_a_counter_proposal_is_reported_not_recorded(uow, tmp_path):
    meeting, _, _, clock = accepted_meeting(uow, tmp_path, partstat="TENTATIVE")
    counter = meetings.record_answer(
        uow.session,
        Answer(
            "COUNTER",
            meeting.uid,
            0,
            "person0@partner0.test",
            "TENTATIVE",
            None,
            datetime(2027, 3, 20, 9, 0, tzinfo=UTC),
        ),
        clock.now,
    )
    assert counter.outcome == "counter" and next_steps(uow) == []


def test_a_counter_proposal_by_mail_raises_a_to_do_that_an_updated_invitation_settles(uow, tmp_path, monkeypatch):
    from email.message import EmailMessage
    from email.policy import SMTP

    from outreach.db.types import utcnow
    from outreach.inbound.message import Fetched
    from outreach.services.inbound import inbox
    from outreach.services.partners.todos import open_todos

    meeting, _, outbox, clock = accepted_meeting(uow, tmp_path)
    counter = EmailMessage(policy=SMTP)
    counter["From"], counter["To"], counter["Subject"] = "person0@partner0.test", "vet@school.test", "New time proposed"
    counter.set_content("Could we do Thursday instead?")
    counter.add_alternative(
        "BEGIN:VCALENDAR\r\nPRODID:-//Partner//EN\r\nVERSION:2.0\r\nMETHOD:COUNTER\r\nBEGIN:VEVENT\r\n"
        f"UID:{meeting.uid}\r\nSEQUENCE:0\r\nDTSTAMP:20270302T081500Z\r\nDTSTART:20270311T090000Z\r\n"
        "DTEND:20270311T094500Z\r\nATTENDEE;PARTSTAT=TENTATIVE:mailto:person0@partner0.test\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n",
        subtype="calendar",
        params={"method": "COUNTER"},
    )
    [inbound_id] = inbox.store(
        uow, tmp_path, "vet@school.test", "INBOX", 1, [Fetched(1, counter.as_bytes(), clock.now)], 1, utcnow()
    )
    assert inbox.process(uow, inbound_id, clock.now).status == "processed"
    [todo] = [t for t in open_todos(uow.session) if t.kind == "counter"]
    assert "proposes another time" in todo.text and f"meeting reschedule {meeting.id}" in todo.text

    class Client:  # the campaign's mailbox, as the updated invitation goes out
        def __init__(self, mailbox):
            pass

        def send(self, message, sender, recipients):
            outbox.sent.append(message)

        def file_sent(self, message, when):
            pass

        def close(self):
            pass

    monkeypatch.setattr("outreach.mail.mailbox.MailboxClient", Client)
    meetings.reschedule(meeting, meeting.start_at + timedelta(days=2))
    meetings.deliver(uow, meeting, clock.now)
    assert outbox.sent[-1]["Subject"].startswith("Updated invitation")
    assert not [t for t in open_todos(uow.session) if t.kind == "counter"]


@pytest.mark.parametrize("sequence", ["abc", str(2**63)])
def test_an_answer_with_an_unreadable_sequence_is_a_to_do_not_a_failure(uow, tmp_path, sequence):
    """Before: int() of SEQUENCE raised and the mail became "failed". Now nothing is recorded
    from it; it is logged and staff get an "unreadable answer" to-do."""
    from email.message import EmailMessage
    from email.policy import SMTP

    from outreach.db.models import InboundMail, MeetingAttendee
    from outreach.db.types import utcnow
    from outreach.inbound.message import Fetched
    from outreach.services.inbound import inbox
    from outreach.services.partners.todos import open_todos

    meeting, _, _, clock = accepted_meeting(uow, tmp_path)
    answer = EmailMessage(policy=SMTP)
    answer["From"], answer["To"], answer["Subject"] = "person0@partner0.test", "vet@school.test", "Declined"
    answer.set_content("Sorry, we cannot come.")
    answer.add_alternative(
        "BEGIN:VCALENDAR\r\nPRODID:-//Partner//EN\r\nVERSION:2.0\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        f"UID:{meeting.uid}\r\nSEQUENCE:{sequence}\r\nDTSTAMP:20270302T081500Z\r\n"
        "ATTENDEE;PARTSTAT=DECLINED:mailto:person0@partner0.test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        subtype="calendar",
        params={"method": "REPLY"},
    )
    [inbound_id] = inbox.store(
        uow, tmp_path, "vet@school.test", "INBOX", 1, [Fetched(1, answer.as_bytes(), clock.now)], 1, utcnow()
    )
    assert inbox.process(uow, inbound_id, clock.now).status == "processed"
    uow.session.expire_all()
    assert uow.session.get(InboundMail, inbound_id).error is None
    [todo] = [t for t in open_todos(uow.session) if t.kind == "unreadable_answer"]
    assert todo.inbound_id == inbound_id and "SEQUENCE" in todo.text and "could not be read" in todo.text
    attendee = uow.session.scalar(sa.select(MeetingAttendee).where(MeetingAttendee.meeting_id == meeting.id))
    assert attendee.partstat == "ACCEPTED"  # nothing recorded from an answer we cannot read


def calendar_mail(sender: str, method: str, ics: str) -> bytes:
    from email.message import EmailMessage
    from email.policy import SMTP

    mail = EmailMessage(policy=SMTP)
    mail["From"], mail["To"], mail["Subject"] = sender, "vet@school.test", f"{method.title()}: our meeting"
    mail.set_content("Our answer is in the calendar part.")
    mail.add_alternative(ics, subtype="calendar", params={"method": method})
    return mail.as_bytes()


def processed(uow, tmp_path, raw: bytes, now):
    """The mail stored as the watcher stores it, then processed: what it asks for after the commit."""
    from outreach.db.types import utcnow
    from outreach.inbound.message import Fetched
    from outreach.services.inbound import inbox

    [inbound_id] = inbox.store(uow, tmp_path, "vet@school.test", "INBOX", 1, [Fetched(1, raw, now)], 1, utcnow())
    outcome = inbox.process(uow, inbound_id, now)
    assert outcome.status == "processed", outcome
    return outcome


EXCHANGE_2010_DISCLAIMER = (
    "________________________________\\n"
    "This e-mail and any attachments are confidential and intended solely for the addressee. If you have "
    "received it in error, please notify the sender immediately and delete it. Any unauthorised copying, "
    "disclosure or distribution of the material in this e-mail is strictly forbidden.\\n"
)


@pytest.mark.parametrize(
    ("comment", "stored"),
    [
        ("", None),  # COMMENT: with nothing after it
        ("\\n", None),  # Exchange's empty COMMENT: a line break once read
        ("  \\n\\n ", None),
        ("Thursday suits us better.\\n\\n" + EXCHANGE_2010_DISCLAIMER, "Thursday suits us better."),
        ("See you there.\\n\\nSent from my iPhone", "See you there."),
    ],
)
def test_an_answers_comment_keeps_only_what_the_person_wrote(uow, tmp_path, comment, stored):
    from outreach.db.models import Interaction, MeetingAttendee
    from outreach.services.events import ShowAnswers

    meeting, _, _, clock = accepted_meeting(uow, tmp_path, partstat="NEEDS-ACTION")
    ics = (
        "BEGIN:VCALENDAR\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\nMETHOD:REPLY\r\n"
        f"BEGIN:VEVENT\r\nUID:{meeting.uid}\r\nSEQUENCE:0\r\nDTSTAMP:20270302T081500Z\r\n"
        f"COMMENT;LANGUAGE=en-US:{comment}\r\n"
        "ATTENDEE;PARTSTAT=TENTATIVE;CN=Person 0:MAILTO:person0@partner0.test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    outcome = processed(uow, tmp_path, calendar_mail("person0@partner0.test", "REPLY", ics), clock.now)
    assert not [e for e in outcome.events if isinstance(e, ShowAnswers)]  # no staff calendar to show it in
    uow.session.expire_all()
    attendee = uow.session.scalar(sa.select(MeetingAttendee).where(MeetingAttendee.meeting_id == meeting.id))
    assert (attendee.partstat, attendee.comment) == ("TENTATIVE", stored)
    logged = uow.session.scalars(sa.select(Interaction.text).where(Interaction.text.like("tentative%"))).all()
    assert logged == [f"tentative meeting {meeting.id}" + (f": {stored}" if stored else "")]


def test_a_comment_is_cut_with_the_reply_readers_own_signature_rules():
    from outreach.inbound.reply import answer_comment

    assert [answer_comment(text) for text in (None, "", "\n", " \r\n ")] == [None] * 4
    german = (
        "Donnerstag passt besser.\n\nDiese E-Mail enthält vertrauliche Informationen. Wenn Sie nicht der "
        "richtige Adressat sind, informieren Sie bitte sofort den Absender."
    )
    assert answer_comment(german) == "Donnerstag passt besser."
    assert answer_comment("Yes.\n\nThis is confidential for now, but we would like to meet.") == (
        "Yes.\n\nThis is confidential for now, but we would like to meet."
    )
