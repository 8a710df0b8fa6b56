"""Meeting answers and the next-steps mail, against a real database and a fake mailbox."""

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from outreach.calendar.invite import Answer
from outreach.db.models import Partner, Step
from outreach.domain.vocabulary import StepStatus
from outreach.services import meetings
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


def next_steps(uow):
    return [s for s in steps(uow) if s.template == "next_steps"]


def test_an_accepted_meeting_brings_the_next_steps_mail_after_it_ends(uow, tmp_path):
    meeting, recorded, outbox, clock = accepted_meeting(uow, tmp_path)
    assert recorded.partstat == "accepted"
    [step] = next_steps(uow)
    assert step.due_at == meeting.end_at + timedelta(hours=2) and step.status is StepStatus.SCHEDULED
    assert run_tick(uow, outbox, clock) == []  # not before the meeting has ended
    clock.now = step.due_at
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    mail = outbox.sent[-1]
    assert mail["Subject"] == f"Next steps after our meeting on {meeting.start_at.day} {meeting.start_at:%B %Y}"
    text = mail.get_body(("plain",)).get_content()
    assert "key takeaways" in text and "contact persons for each organisation" in text and "tentative timeline" in text
    assert next_steps(uow)[0].status is StepStatus.SENT


def test_a_stale_answer_changes_nothing_and_a_cancelled_meeting_stops_the_mail(uow, tmp_path):
    meeting, _, outbox, clock = accepted_meeting(uow, tmp_path)
    meetings.reschedule(meeting, meeting.start_at + timedelta(days=1))
    uow.commit()
    stale = meetings.record_answer(uow.session, Answer("REPLY", meeting.uid, 0, "person0@partner0.test", "DECLINED", None, None),
                                   clock.now)
    assert stale.outcome == "stale" and meeting.attendees[0].partstat == "NEEDS-ACTION"
    meetings.record_answer(uow.session, Answer("REPLY", meeting.uid, 1, "person0@partner0.test", "ACCEPTED", None, None), clock.now)
    uow.commit()
    assert next_steps(uow)[0].due_at == meeting.end_at + timedelta(hours=2)  # re-timed with the move
    meetings.cancel(meeting)
    uow.commit()
    clock.now = meeting.end_at + timedelta(hours=3)
    [outcome] = send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    assert (outcome.result, outcome.detail) == ("cancelled", "the meeting was cancelled")


def test_a_counter_proposal_is_reported_not_recorded(uow, tmp_path):
    meeting, _, _, clock = accepted_meeting(uow, tmp_path, partstat="TENTATIVE")
    counter = meetings.record_answer(uow.session, Answer("COUNTER", meeting.uid, 0, "person0@partner0.test", "TENTATIVE", None,
                                                         datetime(2027, 3, 20, 9, 0, tzinfo=timezone.utc)), clock.now)
    assert counter.outcome == "counter" and next_steps(uow) == []
