"""A partner's counter-proposal (iTIP COUNTER), decided by a person with one click. Accepted:
the meeting moves to the proposed time as `meeting reschedule` moves it (an updated REQUEST,
SEQUENCE + 1, the update mail). Declined: the partner gets METHOD:DECLINECOUNTER (RFC 5546
3.2.7) with a short mail saying that the original time stands. Either way the to-do closes
with who decided. The proposal is kept on its to-do when the COUNTER arrives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.calendar.invite import Answer, decline_counter
from outreach.campaign import CampaignFile
from outreach.db.models import Campaign, Meeting, MeetingAttendee, Todo
from outreach.errors import InvalidInput, NotFound, Problem
from outreach.mail.compose import Body, CalendarPart, Envelope, compose, new_message_id
from outreach.messages.render import renderer_for
from outreach.services.meetings.invitations import (
    MeetingError,
    deliver,
    find,
    letter,
    log_meeting_mail,
    plan_of,
    reschedule,
)
from outreach.services.operations import sending_health
from outreach.services.partners import todos
from outreach.settings import mailboxes
from outreach.settings.campaigns import settings_of

COUNTER_DECLINED = "counter_declined"  # the mail that says the original time stands


class Decision(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"


def decision_of(text: str) -> Decision:
    try:
        return Decision(text.strip().lower())
    except ValueError:
        raise InvalidInput([Problem("counter", None, "decision", "choose accept or decline")]) from None


@dataclass(frozen=True)
class Proposal:
    """What a COUNTER proposed, as its to-do keeps it."""

    meeting_id: int
    attendee: str
    start: datetime | None  # UTC; a COUNTER may propose no time (another place, say)
    sequence: int
    shown: str  # the proposed time as staff read it: the meeting's own timezone

    def as_json(self) -> dict[str, Any]:
        return {
            "meeting_id": self.meeting_id,
            "attendee": self.attendee,
            "start": self.start.isoformat() if self.start else None,
            "sequence": self.sequence,
            "shown": self.shown,
        }

    @classmethod
    def of(cls, todo: Todo) -> Proposal | None:
        reading = todo.reading or {}
        if todo.kind != todos.TodoKind.COUNTER.value or "meeting_id" not in reading:
            return None  # not a counter, or one raised before proposals were kept
        start = reading.get("start")
        return cls(
            int(reading["meeting_id"]),
            str(reading.get("attendee") or ""),
            datetime.fromisoformat(start) if start else None,
            int(reading.get("sequence") or 0),
            str(reading.get("shown") or ""),
        )


def shown(moment: datetime, zone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(zone)):%a %d %b %Y %H:%M} ({zone})"


def keep(todo: Todo, meeting: Meeting, answer: Answer) -> None:
    """The COUNTER's proposal on its to-do, for the one-click decision."""
    start = answer.proposed_start.astimezone(UTC) if answer.proposed_start else None
    said = shown(start, meeting.timezone) if start else "no time given"
    todo.reading = Proposal(meeting.id, answer.attendee.lower(), start, answer.sequence, said).as_json()


@dataclass(frozen=True)
class Decided:
    partner_id: int
    said: str  # what happened, in a sentence


def decide(uow, todo_id: int, decision: Decision, by: str, now: datetime) -> Decided:
    """The counter-proposal of an open to-do accepted or declined (the Today page)."""
    todo = uow.session.get(Todo, todo_id)
    proposal = Proposal.of(todo) if todo is not None and todo.done_at is None else None
    if todo is None or proposal is None:
        raise NotFound(f"no open counter-proposal {todo_id}: it may be decided already")
    return _decided(uow, todo, proposal, decision, by, now)


def decide_for_meeting(uow, meeting_id: int, decision: Decision, by: str, now: datetime) -> Decided:
    """The meeting's latest open counter-proposal accepted or declined (`outreach meeting counter`)."""
    meeting = find(uow.session, meeting_id)
    found = [
        (t, p) for t in _open_counters(uow.session, meeting) if (p := Proposal.of(t)) and p.meeting_id == meeting.id
    ]
    if not found:
        raise MeetingError(f"meeting {meeting.id} has no open counter-proposal; `outreach todo` lists what is open")
    todo, proposal = found[-1]  # the latest
    return _decided(uow, todo, proposal, decision, by, now)


def _open_counters(session: Session, meeting: Meeting) -> list[Todo]:
    """The open counter-proposal to-dos of the meeting's partner, oldest first."""
    return list(
        session.scalars(
            sa.select(Todo)
            .where(
                Todo.partner_id == meeting.partner_id,
                Todo.kind == todos.TodoKind.COUNTER.value,
                Todo.done_at.is_(None),
            )
            .order_by(Todo.created_at, Todo.id)
        )
    )


def _decided(uow, todo: Todo, proposal: Proposal, decision: Decision, by: str, now: datetime) -> Decided:
    meeting = find(uow.session, proposal.meeting_id)
    if meeting.status == "cancelled":
        raise MeetingError(f"meeting {meeting.id} is cancelled: close the to-do, or invite them again")
    partner_id = meeting.partner_id
    if decision is Decision.ACCEPT:
        return Decided(partner_id, _accept(uow, todo, proposal, meeting, by, now))
    return Decided(partner_id, _decline(uow, todo, proposal, meeting, by, now))


def _accept(uow, todo: Todo, proposal: Proposal, meeting: Meeting, by: str, now: datetime) -> str:
    """The meeting moved to the proposed time, as `meeting reschedule` moves it."""
    if proposal.start is None:
        raise MeetingError(
            f"the counter-proposal names no time: move meeting {meeting.id} with "
            f"`outreach meeting reschedule {meeting.id} --at ...`, or decline it"
        )
    if proposal.start <= now:
        raise MeetingError(f"the proposed time ({proposal.shown}) has passed: decline it, or propose another time")
    reschedule(meeting, proposal.start)
    todos.close(uow.session, todo.id, f"accepted by {by}: the meeting moves to {proposal.shown}", now, by)
    deliver(uow, meeting, now)
    return (
        f"meeting {meeting.id} moved to {proposal.shown} (sequence {meeting.sequence}); "
        f"the update went to {', '.join(a.email for a in meeting.attendees)}"
    )


def _decline(uow, todo: Todo, proposal: Proposal, meeting: Meeting, by: str, now: datetime) -> str:
    """The partner told that the original time stands: DECLINECOUNTER and a short mail."""
    settings = settings_of(uow.session.get_one(Campaign, meeting.campaign_id))
    to = _proposer(meeting, proposal)
    message = declined(settings, meeting, to, now)
    _send(uow, settings, message, to.email, now)
    stands = shown(meeting.start_at, meeting.timezone)
    log_meeting_mail(
        uow.session,
        meeting,
        message,
        now,
        f"meeting {meeting.id}: the time {to.email} proposed ({proposal.shown}) declined by {by}; "
        f"the original time stands: {stands}, sequence {meeting.sequence}",
        to.contact_id,
    )
    todos.close(uow.session, todo.id, f"declined by {by}: the original time stands", now, by)
    uow.commit()
    return f"the time {to.email} proposed is declined; meeting {meeting.id} stays at {stands}"


def _proposer(meeting: Meeting, proposal: Proposal) -> MeetingAttendee:
    return next((a for a in meeting.attendees if a.email.lower() == proposal.attendee), meeting.attendees[0])


def declined(settings: CampaignFile, meeting: Meeting, to: MeetingAttendee, now: datetime) -> EmailMessage:
    """The mail to the attendee who proposed another time, in their language: a short text
    that the original time stands, with METHOD:DECLINECOUNTER for their calendar."""
    renderer = renderer_for(settings)
    words = letter(meeting, settings, renderer, template=COUNTER_DECLINED, to=to, now=now)
    ics = decline_counter(plan_of(meeting, settings, renderer, now, words), words.summary or words.subject)
    mailbox = settings.resolved_mailbox
    return compose(
        Envelope(mailbox.display_name, mailbox.address, to.name, to.email, mailbox.reply_to),
        Body(words.subject, words.text, words.html, ()),
        new_message_id(mailbox.address),
        now,
        calendar=CalendarPart("DECLINECOUNTER", ics),
    )


def _send(uow, settings: CampaignFile, message: EmailMessage, to: str, now: datetime) -> None:
    """From the campaign's mailbox; the result tells the mailbox's sending health."""
    from outreach.mail.mailbox import MailboxClient

    client = MailboxClient(settings.resolved_mailbox)
    try:
        with sending_health.watched(uow, mailboxes.sending(settings), now, settings.sending.timezone):
            client.send(message, settings.mailbox.address, [to])
        client.file_sent(message, now)
    finally:
        client.close()
