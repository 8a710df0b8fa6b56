"""First exploration meetings: invite, move, cancel, and record the partners' answers."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.calendar.invite import Answer, MeetingPlan, Person, build
from outreach.campaign import CampaignFile
from outreach.db.engine import session_of
from outreach.db.models import Campaign, Meeting, MeetingAttendee, Partner, Step
from outreach.domain import language as lang
from outreach.domain.places import partner_zone, zone_words
from outreach.domain.records import ContactIn, hours_of
from outreach.domain.slots import TheirHours, free_slots, nearest_options
from outreach.domain.vocabulary import ContactStatus, StepStatus
from outreach.errors import NotFound, OutreachError
from outreach.mail.compose import Body, CalendarPart, Envelope, compose, new_message_id
from outreach.mail.secrets import SecretError
from outreach.mail.smtp import MailboxFailure
from outreach.messages.render import render_message, renderer_for
from outreach.rendering import Fields, Rendered, Renderer
from outreach.services.operations import sending_health
from outreach.services.partners import kpis, logbook, todos
from outreach.settings import mailboxes
from outreach.settings.campaigns import settings_of

log = logging.getLogger(__name__)

PARTSTATS = {"ACCEPTED": "accepted", "TENTATIVE": "tentative", "DECLINED": "declined"}


class MeetingError(OutreachError):
    exit_code = 2


def zone_of(settings: CampaignFile) -> str:
    return settings.meeting.timezone or settings.sending.timezone


def their_hours(partner: Partner, settings: CampaignFile) -> TheirHours:
    """The partner's working hours where they are: the first active contact's zone, else the
    country's main zone, else the campaign's; hours from the partner's `working_hours`."""
    contact = next((c for c in partner.contacts if c.status is ContactStatus.ACTIVE and c.timezone), None)
    zone = partner_zone(contact.timezone if contact else None, partner.country, zone_of(settings))
    start, end = hours_of(partner.working_hours)
    return TheirHours(zone, start, end)


def reader_zone(meeting: Meeting, settings: CampaignFile, email: str | None = None) -> str:
    """The zone of the meeting mail's reader (`email`, else the first person invited)."""
    first = email or (meeting.attendees[0].email if meeting.attendees else None)
    contact = next((c for c in meeting.partner.contacts if c.email == first), None)
    return partner_zone(contact.timezone if contact else None, meeting.partner.country, zone_of(settings))


def said_time(
    meeting: Meeting, settings: CampaignFile, language: str, email: str | None = None
) -> tuple[datetime, datetime, str]:
    """The meeting's start and end in the reader's zone, and the words for the zone that follow
    the time ("Lisbon time, 11:00 in Hamburg")."""
    zone = reader_zone(meeting, settings, email)
    start, end = meeting.start_at.astimezone(ZoneInfo(zone)), meeting.end_at.astimezone(ZoneInfo(zone))
    return start, end, zone_words(meeting.start_at, zone, meeting.timezone, language, settings.institution.city)


def campaign_for(session: Session, partner: Partner, name: str | None = None) -> Campaign:
    """The campaign whose mailbox and settings the meeting uses: named, else the partner's latest."""
    query = sa.select(Campaign)
    if name:
        query = query.where(Campaign.name == name)
    else:
        query = (
            query.join(Step, Step.campaign_id == Campaign.id)
            .where(Step.partner_id == partner.id)
            .order_by(Step.id.desc())
        )
    found = session.scalar(query.limit(1))
    if found is None:
        raise NotFound(f"no campaign for {partner.name!r}: queue one, or name it with --campaign")
    return found


def invite(
    session: Session, partner: Partner, campaign: Campaign, start: datetime, duration: timedelta | None = None
) -> Meeting:
    settings = settings_of(campaign)
    organiser = settings.mailbox.address.lower()
    people = [c for c in partner.contacts if c.status is ContactStatus.ACTIVE and c.email != organiser]
    if not people:
        raise MeetingError(f"{partner.name} has no contact who can be invited")
    length = duration or timedelta(minutes=settings.meeting.duration_minutes)
    meeting = Meeting(
        partner=partner,
        campaign_id=campaign.id,
        uid=f"{uuid.uuid4()}@{organiser.split('@')[1]}",
        sequence=0,
        start_at=start.astimezone(UTC),
        end_at=(start + length).astimezone(UTC),
        timezone=zone_of(settings),
        status="invited",
    )
    meeting.attendees = [MeetingAttendee(contact_id=c.id, email=c.email, name=c.name) for c in people]
    session.add(meeting)
    session.flush()
    return meeting


def check_in_series(session: Session, partner: Partner, campaign: Campaign, now: datetime) -> Meeting:
    """Maintenance and growth: one recurring check-in meeting (every N months) in the partner's
    and our calendars; its first occurrence in a free slot N months from now."""
    from datetime import timedelta as span

    settings = settings_of(campaign)
    months = settings.check_ins.every_months
    start = next_slot(
        session, settings, now, after=now + span(days=30 * months - 14), theirs=their_hours(partner, settings)
    )
    meeting = invite(session, partner, campaign, start)
    meeting.kind, meeting.rrule = "check_in", f"FREQ=MONTHLY;INTERVAL={months}"
    session.flush()
    return meeting


def reschedule(meeting: Meeting, start: datetime) -> None:
    length = meeting.end_at - meeting.start_at
    meeting.start_at, meeting.end_at = start.astimezone(UTC), (start + length).astimezone(UTC)
    meeting.sequence += 1
    for attendee in meeting.attendees:
        attendee.partstat = "NEEDS-ACTION"


def cancel(meeting: Meeting) -> None:
    if meeting.status == "cancelled":
        raise MeetingError(f"meeting {meeting.id} is cancelled already")
    meeting.sequence += 1
    meeting.status = "cancelled"


INVITATION = "invitation"
CHECK_IN_SERIES = "check_in_invitation"  # the recurring check-in meeting of a partnership in maintenance


def letter(
    meeting: Meeting,
    settings: CampaignFile,
    renderer: Renderer,
    template: str | None = None,
    to: MeetingAttendee | None = None,
    now: datetime | None = None,
) -> Rendered:
    """The invitation's words (subject, calendar title, text with the guide's agenda) in the
    language and register of the first person invited (or of `to`); `template`: another
    mail about the meeting, with the same words for its time."""
    record = logbook.snapshot(meeting.partner, trusted=True)
    first = to or meeting.attendees[0]
    contact = next((c for c in record.contacts if c.email == first.email), None) or ContactIn.model_construct(
        email=first.email,
        name=first.name,
        salutation=None,
        title=None,
        family_name=None,
        role=None,
        language=None,
        register=None,
        timezone=None,
        status=None,
    )
    link = str(settings.meeting.online_link) if settings.meeting.online_link else None

    def words(language: str) -> dict:
        start, end, zone_said = said_time(meeting, settings, language, first.email)
        today = now.astimezone(start.tzinfo).date() if now else None  # the reader's day: no year within it
        return {
            "meeting": Fields(
                "meeting",
                {
                    "when": lang.when(start, language, today),
                    "date": lang.short_date(start, language, today),
                    "time": lang.clock(start, language),
                    "timezone": zone_said,
                    "minutes": int((end - start).total_seconds() // 60),
                    "link": link,
                    "location": settings.meeting.location,
                },
            ),
            "agenda": agenda(meeting, settings, renderer, language) if meeting.kind != "check_in" else None,
            "cancelled": meeting.status == "cancelled",
            "updated": meeting.sequence > 0,
            "every_months": settings.check_ins.every_months,
            "kpis": kpis.for_letters(session_of(meeting), meeting.partner_id, language),
        }

    template = template or (CHECK_IN_SERIES if meeting.kind == "check_in" else INVITATION)
    return render_message(settings, renderer, record, contact, template, words)


def agenda(meeting: Meeting, settings: CampaignFile, renderer: Renderer, language: str) -> str:
    start, end, zone_said = said_time(meeting, settings, language)
    link = str(settings.meeting.online_link) if settings.meeting.online_link else None
    return renderer.agenda(
        language,
        host=settings.institution.name,
        partner=meeting.partner.name,
        date=lang.long_date(start, language),
        time=f"{lang.clock(start, language)}–{lang.clock(end, language)} ({zone_said})",
        link=link,
    )


def plan_of(
    meeting: Meeting, settings: CampaignFile, renderer: Renderer, now: datetime, words: Rendered | None = None
) -> MeetingPlan:
    words = words or letter(meeting, settings, renderer)
    zone = ZoneInfo(meeting.timezone)
    link = str(settings.meeting.online_link) if settings.meeting.online_link else None
    return MeetingPlan(
        uid=meeting.uid,
        sequence=meeting.sequence,
        start=meeting.start_at.astimezone(zone),
        duration=meeting.end_at - meeting.start_at,
        timezone=meeting.timezone,
        summary=words.summary or words.subject,
        description=words.text if meeting.kind == "check_in" else agenda(meeting, settings, renderer, words.written_in),
        rrule=meeting.rrule,
        organizer=Person(settings.resolved_mailbox.address, settings.resolved_mailbox.display_name),
        attendees=tuple(Person(a.email, a.name, a.partstat) for a in meeting.attendees)
        + tuple(Person(email) for email in settings.meeting.staff_attendees),
        location=settings.meeting.location,
        url=link,
        method="CANCEL" if meeting.status == "cancelled" else "REQUEST",
        stamp=now,
    )


def invitation(
    settings: CampaignFile, renderer: Renderer, meeting: Meeting, now: datetime
) -> tuple[EmailMessage, bytes]:
    """The RFC 6047 mail: text, HTML and text/calendar as alternatives and invite.ics, in the
    partner's language (the one-pager went with the first contact). Addressed to the partner's
    contacts, never to the organiser."""
    words = letter(meeting, settings, renderer, now=now)
    plan = plan_of(meeting, settings, renderer, now, words)
    ics = build(plan)
    mailbox = settings.resolved_mailbox
    first, *others = meeting.attendees
    message = compose(
        Envelope(mailbox.display_name, mailbox.address, first.name, first.email, mailbox.reply_to),
        Body(words.subject, words.text, words.html, ()),
        new_message_id(mailbox.address),
        now,
        calendar=CalendarPart(plan.method, ics),
    )
    copied = [a.email for a in others] + list(settings.meeting.staff_attendees)
    if copied:
        message["Cc"] = ", ".join(copied)
    return message, ics


@dataclass(frozen=True)
class Recorded:
    outcome: str  # recorded, stale, unknown, counter
    meeting: Meeting | None = None
    partstat: str | None = None

    @property
    def answered(self) -> Meeting:
        """The meeting answered: every outcome but "unknown" names one."""
        assert self.meeting is not None, f"a {self.outcome} answer names its meeting"
        return self.meeting


def record_answer(session: Session, answer: Answer, now: datetime) -> Recorded:
    """Store an attendee's answer on the meeting, matched by UID and address (any case);
    an answer to an older SEQUENCE than the meeting's is ignored."""
    meeting = session.scalar(sa.select(Meeting).where(Meeting.uid == answer.uid))
    if meeting is None:
        return Recorded("unknown")
    attendee = next((a for a in meeting.attendees if a.email.lower() == answer.attendee.lower()), None)
    if attendee is None:
        return Recorded("unknown", meeting)
    if answer.method == "COUNTER":
        return Recorded("counter", meeting)
    if answer.sequence < meeting.sequence:
        return Recorded("stale", meeting)
    attendee.partstat = answer.partstat or "NEEDS-ACTION"
    attendee.comment, attendee.answered_sequence, attendee.answered_at = answer.comment, answer.sequence, now
    if attendee.partstat == "ACCEPTED":
        schedule_next_steps(session, meeting, attendee)
    return Recorded("recorded", meeting, PARTSTATS.get(attendee.partstat, attendee.partstat.lower()))


NEXT_STEPS_DELAY = timedelta(hours=2)


def schedule_next_steps(session: Session, meeting: Meeting, attendee: MeetingAttendee) -> Step | None:
    """The agenda's item 5 as a mail after the meeting, drafted from the outcome staff record.
    It waits (held) until the outcome is recorded and approved, or, where the campaign says
    `next_steps_after_hours`, until that long after the outcome; never before two hours after
    the meeting's end. It is re-timed when the meeting moves and goes out only if the meeting
    is still accepted then."""
    if attendee.contact_id is None or meeting.campaign_id is None:
        return None
    name = f"next-steps-{meeting.id}"
    step = session.scalar(
        sa.select(Step).where(
            Step.contact_id == attendee.contact_id, Step.campaign_id == meeting.campaign_id, Step.name == name
        )
    )
    settings = settings_of(session.get_one(Campaign, meeting.campaign_id))
    if step is None:
        step = Step(
            campaign_id=meeting.campaign_id,
            partner_id=meeting.partner_id,
            contact_id=attendee.contact_id,
            name=name,
            template="next_steps",
            status=StepStatus.HELD,
            due_at=meeting.end_at + NEXT_STEPS_DELAY,
            message_id=new_message_id(settings.mailbox.address),
        )
        session.add(step)
    if step.status in (StepStatus.SCHEDULED, StepStatus.CANCELLED, StepStatus.HELD):  # not yet gone
        step.status, step.due_at, step.last_error = next_steps_timing(session, meeting, settings)
    return step


def next_steps_timing(
    session: Session, meeting: Meeting, settings: CampaignFile
) -> tuple[StepStatus, datetime, str | None]:
    """When the next-steps mail may go, and what it waits for."""
    earliest = meeting.end_at + NEXT_STEPS_DELAY
    outcome = outcome_of(session, meeting.id)
    if outcome is None:
        return (
            StepStatus.HELD,
            earliest,
            (
                f"waiting for the meeting's outcome: `outreach meeting outcome {meeting.id} "
                "--notes FILE` or the partner's page"
            ),
        )
    if outcome.approved_at is not None:
        return StepStatus.SCHEDULED, max(earliest, outcome.approved_at), None
    hours = settings.meeting.next_steps_after_hours
    if hours:
        return StepStatus.SCHEDULED, max(earliest, outcome.recorded_at + timedelta(hours=hours)), None
    return (
        StepStatus.HELD,
        earliest,
        f"waiting for approval: `outreach meeting approve {meeting.id}` or the partner's page",
    )


def outcome_of(session: Session, meeting_id: int):
    from outreach.db.models import MeetingOutcome

    return session.scalar(sa.select(MeetingOutcome).where(MeetingOutcome.meeting_id == meeting_id))


def latest_outcome(session: Session, partner_id: int):
    """The outcome of the partner's latest meeting that has one."""
    from outreach.db.models import MeetingOutcome

    return session.scalar(
        sa.select(MeetingOutcome)
        .join(Meeting, Meeting.id == MeetingOutcome.meeting_id)
        .where(Meeting.partner_id == partner_id)
        .order_by(Meeting.start_at.desc())
        .limit(1)
    )


def record_outcome(session: Session, meeting: Meeting, outcome, by: str, now: datetime):
    """Keep what was agreed (a new record needs approval again); the next-steps mail follows it."""
    from outreach.db.models import MeetingOutcome

    content = outcome.model_dump(mode="json")
    row = outcome_of(session, meeting.id)
    if row is None:
        row = MeetingOutcome(meeting_id=meeting.id, content=content, recorded_at=now, recorded_by=by[:200])
        session.add(row)
    elif row.content != content:
        row.content, row.recorded_at, row.recorded_by, row.approved_at, row.approved_by = (
            content,
            now,
            by[:200],
            None,
            None,
        )
    session.flush()
    _settle(session, meeting, todos.TodoKind.OUTCOME, f"outcome recorded by {by}", now, by)
    settings = settings_of(session.get_one(Campaign, meeting.campaign_id))
    _refresh_next_steps(session, meeting)
    if row.approved_at is None and not settings.meeting.next_steps_after_hours:
        todos.raise_todo(
            session,
            todos.TodoKind.APPROVE,
            f"Read and approve the next-steps mail to {meeting.partner.name} (meeting {meeting.id}): "
            f"`outreach meeting approve {meeting.id}` or the partner's page.",
            now,
            meeting.partner_id,
        )
    return row


def approve_next_steps(session: Session, meeting: Meeting, by: str, now: datetime):
    row = outcome_of(session, meeting.id)
    if row is None:
        raise MeetingError(
            f"meeting {meeting.id} has no recorded outcome yet: nothing to approve "
            f"(`outreach meeting outcome {meeting.id} --notes FILE`)"
        )
    row.approved_at, row.approved_by = now, by[:200]
    session.flush()
    _refresh_next_steps(session, meeting)
    _settle(session, meeting, todos.TodoKind.APPROVE, f"approved by {by}", now, by)
    return row


def _refresh_next_steps(session: Session, meeting: Meeting) -> None:
    for attendee in meeting.attendees:
        if attendee.partstat == "ACCEPTED":
            schedule_next_steps(session, meeting, attendee)


def _settle(session: Session, meeting: Meeting, kind, reason: str, now: datetime, by: str) -> None:
    from outreach.db.models import Todo

    for todo in session.scalars(
        sa.select(Todo).where(Todo.partner_id == meeting.partner_id, Todo.kind == kind.value, Todo.done_at.is_(None))
    ):
        todo.done_at, todo.done_reason, todo.open_key, todo.done_by = now, reason, None, by


def remind_outcomes(session: Session, now: datetime) -> int:
    """A to-do for each accepted meeting that has ended without a recorded outcome (once)."""
    from outreach.db.models import MeetingOutcome

    ended = session.scalars(
        sa.select(Meeting).where(
            Meeting.status == "invited",
            Meeting.end_at < now,
            Meeting.id.in_(sa.select(MeetingAttendee.meeting_id).where(MeetingAttendee.partstat == "ACCEPTED")),
            Meeting.id.not_in(sa.select(MeetingOutcome.meeting_id)),
        )
    ).all()
    for meeting in ended:
        todos.raise_todo(
            session,
            todos.TodoKind.OUTCOME,
            f"Record the outcome of the meeting with {meeting.partner.name} (meeting {meeting.id}): "
            f"takeaways, next actions, contact persons. The next-steps mail waits for it.",
            now,
            meeting.partner_id,
        )
    return len(ended)


def find(session: Session, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"no meeting {meeting_id}; `outreach meeting list` shows them")
    return meeting


def busy_times(session: Session) -> list[tuple[datetime, datetime]]:
    return [(m.start_at, m.end_at) for m in session.scalars(sa.select(Meeting).where(Meeting.status == "invited"))]


SLOT_HORIZON = timedelta(days=120)


def next_slot(
    session: Session,
    settings: CampaignFile,
    now: datetime,
    after: datetime | None = None,
    theirs: TheirHours | None = None,
) -> datetime:
    """The first free slot of the meeting hours that lies in the partner's working hours too
    (`theirs`): free in the logbook and, where the campaign names one, in staff's own calendar."""
    found = slots(session, settings, now, theirs, 1, after)
    if found:
        return found[0]
    if theirs is None:
        raise MeetingError("no free slot in the meeting availability for the next 120 days")
    raise NoCommonHour(theirs, nearest(session, settings, now, theirs))


def slots(
    session: Session,
    settings: CampaignFile,
    now: datetime,
    theirs: TheirHours | None,
    count: int = 3,
    after: datetime | None = None,
    per_day: int | None = None,
) -> list[datetime]:
    """Up to `count` free starts in our availability and their hours, earliest first: what the
    automatic invitation, the workspace's invite form, `meeting slots` and the booking page offer."""
    duration = timedelta(minutes=settings.meeting.duration_minutes)
    busy = _busy(session, settings, now)
    return free_slots(
        now, settings.meeting.availability, zone_of(settings), duration, busy, after, theirs, count, per_day
    )


def why_no_slot(session: Session, settings: CampaignFile, now: datetime, theirs: TheirHours) -> str:
    """Why none is offered (after `slots` found none): no common hour, and the nearest options."""
    return str(NoCommonHour(theirs, nearest(session, settings, now, theirs)))


def nearest(session: Session, settings: CampaignFile, now: datetime, theirs: TheirHours) -> list[datetime]:
    duration = timedelta(minutes=settings.meeting.duration_minutes)
    busy = _busy(session, settings, now)
    return nearest_options(now, settings.meeting.availability, zone_of(settings), duration, busy, theirs)


def _busy(session: Session, settings: CampaignFile, now: datetime) -> list[tuple[datetime, datetime]]:
    busy = busy_times(session)
    if settings.meeting.staff_calendar is not None:
        from outreach.calendar.staff import CalendarUnavailable
        from outreach.calendar.staff import busy as calendar_busy

        try:
            busy += calendar_busy(settings.meeting.staff_calendar, now, now + SLOT_HORIZON)
        except CalendarUnavailable as error:  # chosen from the logbook alone; said in the log
            log.warning("%s; the slot is chosen from the logbook's meetings only", error)
    return busy


@dataclass(frozen=True)
class Slot:
    """A start offered to a partner: ours and theirs."""

    start: datetime  # in our (the meeting's) zone
    partner_local: datetime  # the same moment where the partner is

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "partner_local": self.partner_local.isoformat()}


def offered(
    session: Session, partner: Partner, campaign: Campaign, now: datetime, count: int = 3, per_day: int | None = None
) -> list[Slot]:
    """The slots to offer this partner (none when no hour is common: `next_slot` says why)."""
    settings = settings_of(campaign)
    theirs = their_hours(partner, settings)
    zone = ZoneInfo(theirs.zone)
    found = slots(session, settings, now, theirs, count, per_day=per_day)
    return [Slot(start, start.astimezone(zone)) for start in found]


class NoCommonHour(MeetingError):
    """No hour of our availability lies in the partner's working hours: a person chooses."""

    def __init__(self, theirs: TheirHours, options: list[datetime]):
        self.theirs, self.options = theirs, options
        there = f"{theirs.start:%H:%M}-{theirs.end:%H:%M} {theirs.zone}"
        if options:
            listed = "; ".join(_both(option, theirs.zone) for option in options)
            text = f"no hour of our meeting availability falls in their working hours ({there}); nearest: {listed}"
        else:
            text = f"no hour of our meeting availability falls in their daytime ({there})"
        super().__init__(text)


def ask_for_a_time(session: Session, partner: Partner, problem: NoCommonHour, now: datetime, what: str) -> None:
    """No common hour: a person agrees a time with the partner (one to-do per partner)."""
    todos.raise_todo(
        session,
        todos.TodoKind.MEETING_TIME,
        f"{partner.name}: {what} was not sent: {problem}. Agree a time with them, then "
        f"`outreach meeting invite {partner.id} --at YYYY-MM-DDTHH:MM` or the partner's page.",
        now,
        partner.id,
        about=f"meeting-time:{partner.id}",
    )


def _both(moment: datetime, zone: str) -> str:
    here = moment.astimezone(ZoneInfo(zone))
    return f"{moment:%a %d %b %H:%M} ours = {here:%a %H:%M} theirs"


def first_invitation(session: Session, partner: Partner, campaign: Campaign, now: datetime) -> Meeting | None:
    """A partner who wants to talk (read so with the campaign's `meeting.auto_invite`, or so
    decided by a person): a meeting in the first free slot (the invitation says another time
    can be proposed); none when the partner has one already."""
    settings = settings_of(campaign)
    if session.scalar(sa.select(Meeting.id).where(Meeting.partner_id == partner.id).limit(1)) is not None:
        return None
    return invite(session, partner, campaign, next_slot(session, settings, now, theirs=their_hours(partner, settings)))


def offer_next_slot(session: Session, meeting: Meeting, now: datetime) -> bool:
    """When every attendee declined and the campaign says so: the same meeting, next free slot."""
    settings = settings_of(session.get_one(Campaign, meeting.campaign_id))
    if not settings.meeting.offer_next_slot_on_decline or meeting.status != "invited":
        return False
    if any(a.partstat != "DECLINED" for a in meeting.attendees):
        return False
    meeting.status = "rescheduling"  # not busy while the next slot is sought
    session.flush()
    reschedule(
        meeting,
        next_slot(session, settings, now, after=meeting.start_at, theirs=their_hours(meeting.partner, settings)),
    )
    meeting.status = "invited"
    return True


def deliver(uow, meeting: Meeting, now: datetime) -> EmailMessage:
    """Send a meeting's invitation, update or cancellation from the campaign's mailbox."""
    from outreach.mail.mailbox import MailboxClient

    settings = settings_of(uow.session.get(Campaign, meeting.campaign_id))
    client = MailboxClient(settings.resolved_mailbox)
    try:
        message = send_invitation(uow, meeting, client, renderer_for(settings), now)
    finally:
        client.close()
    todos.answered(
        uow.session, meeting.partner_id, f"meeting {meeting.id} {meeting.status} (sequence {meeting.sequence})", now
    )
    uow.commit()
    return message


def send_invitation(uow, meeting: Meeting, outbox, renderer: Renderer, now: datetime) -> EmailMessage:
    """Keep the meeting and log the mail, commit, then send: the sequence is stored before it goes out."""

    settings = settings_of(uow.session.get(Campaign, meeting.campaign_id))
    message, _ = invitation(settings, renderer, meeting, now)
    log_meeting_mail(
        uow.session,
        meeting,
        message,
        now,
        f"meeting {meeting.id}: {meeting.status}, sequence {meeting.sequence}, {meeting.start_at:%Y-%m-%d %H:%M} UTC",
    )
    uow.commit()
    try:
        with sending_health.watched(uow, mailboxes.sending(settings), now, settings.sending.timezone):
            outbox.send(
                message,
                settings.mailbox.address,
                [a.email for a in meeting.attendees] + list(settings.meeting.staff_attendees),
            )
    except (MailboxFailure, SecretError) as error:
        _not_sent(uow, meeting, str(error), now)
        raise
    todos.close_open(uow.session, todos.TodoKind.MEETING_NOT_SENT, _not_sent_about(meeting), "sent", now)
    uow.commit()
    outbox.file_sent(message, now)
    _into_staff_calendar(uow, settings, meeting, message, now)
    return message


def log_meeting_mail(
    session: Session, meeting: Meeting, message: EmailMessage, now: datetime, text: str, contact_id: int | None = None
) -> None:
    """A mail about the meeting, in the partner's timeline (logged before it goes out)."""
    from outreach.db.models import Interaction
    from outreach.domain.vocabulary import Direction, InteractionKind

    session.add(
        Interaction(
            partner_id=meeting.partner_id,
            contact_id=contact_id,
            direction=Direction.OUT,
            kind=InteractionKind.MEETING,
            occurred_at=now,
            subject=str(message["Subject"])[:998],
            message_id=message["Message-ID"],
            text=text,
        )
    )


def _not_sent(uow, meeting: Meeting, error: str, now: datetime) -> None:
    """The mailbox could not send the meeting's mail: nothing left, and a person is told which
    mail waits (the mailbox's own to-do says why it cannot send)."""
    todos.raise_todo(
        uow.session,
        todos.TodoKind.MEETING_NOT_SENT,
        f"The {meeting.status} mail of meeting {meeting.id} with {meeting.partner.name} was not sent: {error}. "
        f"Once the mailbox works, send it with `outreach meeting resend {meeting.id}`.",
        now,
        meeting.partner_id,
        about=_not_sent_about(meeting),
    )
    uow.commit()


def _not_sent_about(meeting: Meeting) -> str:
    return f"meeting-mail:{meeting.id}"


def _into_staff_calendar(uow, settings: CampaignFile, meeting: Meeting, message: EmailMessage, now: datetime) -> None:
    """The meeting in staff's own calendar too (CalDAV), as the invitation just sent has it."""
    if settings.meeting.staff_calendar is None:
        return
    ics = next(part.get_content() for part in message.walk() if part.get_content_type() == "text/calendar")
    into_staff_calendar(uow, settings, meeting, ics.encode() if isinstance(ics, str) else ics, now)


def into_staff_calendar(uow, settings: CampaignFile, meeting: Meeting, ics: bytes, now: datetime) -> None:
    """The meeting in staff's own calendar (CalDAV), as it now is; a calendar that cannot be
    reached leaves the invitation sent and raises a to-do."""
    spec = settings.meeting.staff_calendar
    if spec is None:
        return
    from outreach.calendar.staff import CalendarUnavailable, put

    try:
        put(spec, meeting.uid, ics, meeting.status == "cancelled")
    except CalendarUnavailable as error:
        log.warning("%s", error)
        todos.raise_todo(
            uow.session,
            todos.TodoKind.CALENDAR,
            f"Meeting {meeting.id} with {meeting.partner.name}: "
            f"{error}. Put it in the staff calendar by hand, or fix the calendar settings.",
            now,
            meeting.partner_id,
        )
        uow.commit()
