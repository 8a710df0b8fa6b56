"""What each kind of inbound mail does to the logbook, keyed to its type. Each effect gets
one `Inbound` (the message, what it is, whose it is) and returns the events for after the
commit (tell staff, send the meeting); the dispatcher in the worker handles them.

Before any of that, `carry_out` asks `outreach.inbound.trust` what the message may change,
given what proves its sender: mail that could not be proved changes nothing (or, for an
opt-out, only holds the contact's mail) and raises a to-do that staff confirm."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.calendar.invite import Answer
from outreach.db.models import Campaign, Contact, InboundMail, Interaction, Meeting, Step, Suppression, Todo
from outreach.domain.phases import move_for_event
from outreach.domain.steps import PENDING, StepKind
from outreach.domain.suppression import email_hash
from outreach.domain.vocabulary import ContactStatus, Direction, InteractionKind, PartnerStatus, StepStatus
from outreach.inbound.authresults import Authentication
from outreach.inbound.intent import Intent, IntentKind, intent_of
from outreach.inbound.kinds import (
    AutoReply,
    Bounce,
    BounceReason,
    CalendarReply,
    Classification,
    Complaint,
    Delayed,
    OptOut,
    Other,
    Receipt,
    Reply,
    reason_name,
)
from outreach.inbound.message import InboundMessage
from outreach.inbound.reply import split_reply
from outreach.inbound.trust import Verdict, verdict
from outreach.services.events import Event, SendMeeting, TellStaff
from outreach.services.inbound.matching import Match
from outreach.services.partners import logbook
from outreach.services.partners.todos import TODO_ID, TodoKind, raise_todo

DEFAULT_PAUSE = timedelta(days=7)
FULL_MAILBOX_RETRY = timedelta(days=3)
FULL_MAILBOX_RETRIES = 2


@dataclass(frozen=True)
class Inbound:
    session: Session
    match: Match
    message: InboundMessage
    result: Classification
    row: InboundMail
    now: datetime
    new_contacts: bool = True  # False: the sender is not proved, so no contact is added from its text
    history: bool = False  # from before our first message to the partner: logged, never acted on

    @property
    def partner(self):
        return self.match.partner

    @property
    def contact(self):
        return self.match.contact

    def log(self, kind: InteractionKind, text: str, returns_on: date | None = None) -> None:
        self.session.add(
            Interaction(
                partner_id=self.partner.id,
                contact_id=self.contact.id if self.contact else None,
                direction=Direction.IN,
                kind=kind,
                occurred_at=self.row.received_at,
                subject=self.message.subject[:998] or None,
                message_id=self.message.message_id,
                in_reply_to=self.message.thread_ids[0] if self.message.thread_ids else None,
                text=text,
                raw_path=self.row.raw_path,
                returns_on=returns_on,
                history=self.history,
            )
        )

    def pending(self, contact_only: bool = False) -> list[Step]:
        query = sa.select(Step).where(Step.partner_id == self.partner.id, Step.status.in_(PENDING))
        if contact_only and self.contact is not None:
            query = query.where(Step.contact_id == self.contact.id)
        return list(self.session.scalars(query))

    def todo(self, kind: TodoKind, text: str) -> Todo:
        return raise_todo(self.session, kind, text, self.now, partner_id=self.partner.id, inbound_id=self.row.id)

    def contact_steps(self) -> list[Step]:
        """The contact's mail not yet sent: pending or held."""
        if self.contact is None:
            return []
        return list(
            self.session.scalars(
                sa.select(Step).where(Step.contact_id == self.contact.id, Step.status.in_([*PENDING, StepStatus.HELD]))
            )
        )

    def tell_staff(self, subject: str, text: str) -> list[Event]:
        """A mail to the partner's latest campaign's `notify_staff`, where it names one."""
        from outreach.settings.campaigns import settings_of

        step = latest_step(self.session, self.partner.id)
        if step is None:
            return []
        settings = settings_of(step.campaign)
        if not settings.notify_staff:
            return []
        return [TellStaff(step.campaign_id, settings.notify_staff, subject[:200], text, self.row.raw_path)]


def latest_step(session: Session, partner_id: int) -> Step | None:
    """The partner's most recent step: its campaign is the one the partner answers."""
    return session.scalar(sa.select(Step).where(Step.partner_id == partner_id).order_by(Step.id.desc()).limit(1))


def _cancel(steps, reason: str) -> None:
    for step in steps:
        step.status, step.last_error = StepStatus.CANCELLED, reason


def _hold(steps, reason: str) -> None:
    for step in steps:
        if step.status is StepStatus.SCHEDULED:
            step.status, step.last_error = StepStatus.HELD, reason


def _pause_until(steps, resume: datetime) -> None:
    for step in steps:
        if step.status is StepStatus.SCHEDULED and step.due_at < resume:
            step.due_at = resume  # paused; the scheduler resumes it on its own


# --- personal answers ----------------------------------------------------------------------

REVIEW_HOLD = "held: the partner's reply waits for a person's decision"


def reply(inbound: Inbound) -> list[Event]:
    """A human reply: logged, its pending mail stopped, staff told; what happens next follows
    what the reply means (only `interested` invites, and moves the partner to proposal). A
    reading the product is unsure of (or that the campaign's `meeting.auto_invite` does not
    let it act on) is put before a person: a review item on Today, the pending mail held."""
    message, partner = inbound.message, inbound.partner
    parts = split_reply(message)
    text = parts.logged_text
    inbound.log(InteractionKind.EMAIL, text)
    # what the partner means is read from their new words only, never from our quoted mail
    intent = intent_of(parts.new_text, inbound.now.date(), message.sender, (inbound.row.mailbox,))
    acting = acts_on(inbound, intent)
    events = inbound.tell_staff(
        f"Reply from {partner.name}: {message.subject}",
        f"{message.sender} answered for {partner.name} (phase {partner.phase.value}; the reply reads as "
        f"{intent.kind.value.replace('_', ' ')}"
        f"{'' if acting else ', not sure enough to act on: decide on the Today page'}).\n\n{text}\n\n"
        f"The whole message is attached. `outreach partners show {message.sender}` shows the timeline.\n",
    )
    if not acting:
        _hold(inbound.pending(), REVIEW_HOLD)
        _review(inbound, intent, parts.new_text)
        return events
    _cancel(inbound.pending(), "the partner replied")
    return events + decided(inbound, intent)


def decided(inbound: Inbound, intent: Intent) -> list[Event]:
    """What a reading does, read by the product or decided by a person: the same effects."""
    return INTENT_EFFECTS[intent.kind](inbound, intent)


def acts_on(inbound: Inbound, intent: Intent) -> bool:
    """Whether the product acts on this reading without a person: a confident reading
    (`intent.acts`); for `interested`, as the campaign's `meeting.auto_invite` says."""
    if intent.kind is not IntentKind.INTERESTED:
        return intent.acts
    mode = _auto_invite_mode(inbound)
    return mode == "always" or (mode == "confident" and intent.acts)


def _auto_invite_mode(inbound: Inbound) -> str:
    step = latest_step(inbound.session, inbound.partner.id)
    if step is None:
        return "confident"
    from outreach.settings.campaigns import settings_of

    return settings_of(step.campaign).meeting.auto_invite.value


def _review(inbound: Inbound, intent: Intent, new_text: str) -> None:
    """A review item: the reply and its reading, with the decisions a person can take."""
    read = intent.kind.value.replace("_", " ")
    sure = f"{intent.confidence:.0%}"
    text = (
        f"{inbound.message.sender} ({inbound.partner.name}) replied; it reads as {read} ({sure} sure), "
        f"which is not sure enough to act on: decide what it means. {_quote(inbound)}"
    )
    todo = raise_todo(
        inbound.session,
        TodoKind.REVIEW_REPLY,
        text,
        inbound.now,
        partner_id=inbound.partner.id,
        inbound_id=inbound.row.id,
    )
    todo.reading = {
        **intent.as_json(),
        "language": intent.language,
        "new_text": new_text[:4000],
        "sender": inbound.message.sender,
    }


def _interested(inbound: Inbound, intent: Intent) -> list[Event]:
    """The partner wants to talk: on to proposal, and an invitation answers them (a person
    answers when no slot is free or nobody can be invited)."""
    move = move_for_event(inbound.partner.phase, "human_reply", "the partner wants to talk")
    if move is not None:
        logbook.record_move(inbound.partner, move, inbound.now)
    _active(inbound.partner)
    if _booking_on(inbound) and _booking_answer(inbound):
        return []
    meeting = _invite(inbound)
    if meeting:
        return [SendMeeting(meeting)]
    inbound.todo(
        TodoKind.REPLY,
        f"{inbound.message.sender} ({inbound.partner.name}) wants to talk: answer them, "
        f"or invite them to the first exploration meeting. {_quote(inbound)}",
    )
    return []


def _active(partner) -> None:
    """A partner who said "later" or "no" and now wants to talk is active again."""
    if partner.status in (PartnerStatus.PAUSED, PartnerStatus.DECLINED):
        partner.status, partner.later_until = PartnerStatus.ACTIVE, None


def _question(inbound: Inbound, intent: Intent) -> list[Event]:
    link = _booking_link(inbound) if _booking_on(inbound) else None
    offer = " To offer a time, send them their booking page (the partner's page shows the link)." if link else ""
    inbound.todo(
        TodoKind.QUESTION,
        f"{inbound.message.sender} ({inbound.partner.name}) asks before committing: "
        f"answer their question.{offer} {_quote(inbound)}",
    )
    return []


def _booking_on(inbound: Inbound) -> bool:
    from outreach.settings.campaigns import settings_of

    step = latest_step(inbound.session, inbound.partner.id)
    return step is not None and settings_of(step.campaign).meeting.booking


def _booking_link(inbound: Inbound) -> str | None:
    """The replying contact's own booking page address (a new link, or the one still working)."""
    from outreach.services.meetings import booking

    step = latest_step(inbound.session, inbound.partner.id)
    if step is None or inbound.contact is None:
        return None
    link = booking.link_for(inbound.session, inbound.partner, inbound.contact, step.campaign, inbound.now)
    return booking.url_of(link, step.campaign)


def _booking_answer(inbound: Inbound) -> bool:
    """With `meeting.booking`: the answer to an interested partner is their link to the booking
    page (they pick the slot), unless they have a meeting already."""
    from outreach.services.meetings import booking

    if inbound.contact is None or inbound.session.scalar(
        sa.select(Meeting.id).where(Meeting.partner_id == inbound.partner.id).limit(1)
    ):
        return False
    step = latest_step(inbound.session, inbound.partner.id)
    answer = _answer_step(inbound, inbound.contact, "booking", StepKind.BOOKING, inbound.now)
    if answer is None or step is None:
        return False
    inbound.session.flush()
    link = booking.link_for(inbound.session, inbound.partner, inbound.contact, step.campaign, inbound.now)
    link.step_id = answer.id
    return True


def _answer_step(
    inbound: Inbound,
    contact: Contact | None,
    name: str,
    template: str,
    due: datetime,
    status: StepStatus = StepStatus.SCHEDULED,
) -> Step | None:
    """A message that answers this reply, in the campaign the partner answers (once by name)."""
    step = latest_step(inbound.session, inbound.partner.id)
    if step is None or contact is None:
        return None
    from outreach.mail.compose import new_message_id
    from outreach.settings.campaigns import settings_of

    exists = inbound.session.scalar(
        sa.select(Step).where(Step.contact_id == contact.id, Step.campaign_id == step.campaign_id, Step.name == name)
    )
    if exists is not None:
        return exists
    answer = Step(
        campaign_id=step.campaign_id,
        partner_id=inbound.partner.id,
        contact_id=contact.id,
        name=name,
        template=template,
        status=status,
        due_at=due,
        message_id=new_message_id(settings_of(step.campaign).mailbox.address),
    )
    inbound.session.add(answer)
    return answer


def _not_now(inbound: Inbound, intent: Intent) -> list[Event]:
    """Paused until the day meant ("later until DATE", in its phase); then a short follow-up
    (the `later` template) and a to-do."""
    assert intent.until is not None  # a not-now reading always carries its day
    until = datetime.combine(intent.until, time(9, 0), tzinfo=UTC)
    if inbound.partner.status in (PartnerStatus.ACTIVE, PartnerStatus.PAUSED, PartnerStatus.DECLINED):
        inbound.partner.status, inbound.partner.later_until = PartnerStatus.PAUSED, intent.until
    _answer_step(inbound, inbound.contact, f"later-{intent.until.isoformat()}", StepKind.LATER, until)
    inbound.todo(
        TodoKind.LATER,
        f"{inbound.partner.name} says not now; a short follow-up is scheduled for "
        f"{intent.until:%Y-%m-%d}. {_quote(inbound)}",
    )
    return []


def _not_interested(inbound: Inbound, intent: Intent) -> list[Event]:
    """Declined: the sequence stops and the partner leaves the active board; a polite closing
    mail only when the campaign asks for one."""
    inbound.partner.status, inbound.partner.later_until = PartnerStatus.DECLINED, None
    step = latest_step(inbound.session, inbound.partner.id)
    if step is not None:
        from outreach.settings.campaigns import settings_of

        if settings_of(step.campaign).message.closing_mail:
            _answer_step(inbound, inbound.contact, "closing", StepKind.CLOSING, inbound.now)
    return []


def _referral(inbound: Inbound, intent: Intent) -> list[Event]:
    """A colleague named: added as a contact, introduced by the one who wrote, a warm
    introduction to them drafted and held, and a to-do to send it (the guide: use warm
    introductions)."""
    by = inbound.contact
    colleague = None
    if intent.referral_email and (by is None or intent.referral_email != by.email):
        colleague = inbound.session.scalar(sa.select(Contact).where(Contact.email == intent.referral_email))
        if colleague is None and not inbound.new_contacts:
            inbound.todo(
                TodoKind.INTRODUCTION,
                f"{by.email if by else inbound.message.sender} "
                f"({inbound.partner.name}) names {intent.referral_email}, but the "
                "message could not be proved to come from them, so no contact was "
                "added: check with them, then add the colleague on the partner's "
                f"page. {_quote(inbound)}",
            )
            return []
        if colleague is None:
            colleague = Contact(
                email=intent.referral_email,
                name=intent.referral_name,
                status=ContactStatus.ACTIVE,
                introduced_by_id=by.id if by else None,
                language=by.language if by else None,
                register=by.register if by else None,
            )
            inbound.partner.contacts.append(colleague)
            inbound.session.flush()
    who = colleague.email if colleague else (intent.referral_name or intent.referral_email or "the colleague named")
    if colleague is None and by is not None and intent.referral_email == by.email:
        text = f"{by.email} now answers for {inbound.partner.name}: write to them from now on."
    else:
        text = f"Write to {who}, introduced by {by.email if by else inbound.message.sender} ({inbound.partner.name})."
        drafted = (
            colleague is not None
            and _answer_step(inbound, colleague, "introduction", StepKind.INTRODUCTION, inbound.now, StepStatus.HELD)
            is not None
        )
        if drafted:
            text += (
                f" A warm introduction (template {StepKind.INTRODUCTION}) is drafted and held: "
                f"`outreach partners resume {inbound.partner.id}` sends it."
            )
    inbound.todo(TodoKind.INTRODUCTION, f"{text} {_quote(inbound)}")
    return []


def _unclear(inbound: Inbound, intent: Intent) -> list[Event]:
    inbound.todo(
        TodoKind.UNCLEAR,
        f"Read the reply of {inbound.message.sender} ({inbound.partner.name}) and decide "
        f"the next step. {_quote(inbound)}",
    )
    return []


def _quote(inbound: Inbound) -> str:
    text = " ".join(split_reply(inbound.message).logged_text.split())
    return f'They wrote: "{text[:300]}{"..." if len(text) > 300 else ""}"'


INTENT_EFFECTS = {
    IntentKind.INTERESTED: _interested,
    IntentKind.QUESTION: _question,
    IntentKind.NOT_NOW: _not_now,
    IntentKind.NOT_INTERESTED: _not_interested,
    IntentKind.REFERRAL: _referral,
    IntentKind.UNCLEAR: _unclear,
}


def _invite(inbound: Inbound) -> int | None:
    from outreach.services.meetings.invitations import MeetingError, NoCommonHour, ask_for_a_time, first_invitation

    step = latest_step(inbound.session, inbound.partner.id)
    if step is None:
        return None
    try:
        meeting = first_invitation(inbound.session, inbound.partner, step.campaign, inbound.now)
    except NoCommonHour as problem:  # never a night-time slot: a person agrees the time
        ask_for_a_time(inbound.session, inbound.partner, problem, inbound.now, "the meeting invitation")
        return None
    except MeetingError:  # no free slot or nobody to invite: staff are told of the reply anyway
        return None
    return meeting.id if meeting else None


def calendar_reply(inbound: Inbound) -> list[Event]:
    """An attendee's answer, credited to the attendee who sent it; stale ones ignored. Its
    comment keeps what the person wrote (no empty one, no disclaimer); a recorded answer shows
    in staff's calendar too."""
    from outreach.calendar.invite import Unreadable, read_answer
    from outreach.inbound.reply import answer_comment
    from outreach.services.meetings.answers import show_answers
    from outreach.services.meetings.invitations import MeetingError, offer_next_slot, record_answer

    answer = read_answer(inbound.message.calendar() or "", senders=inbound.message.senders)
    method = inbound.result.method if isinstance(inbound.result, CalendarReply) else "answer"
    if isinstance(answer, Unreadable):
        return _unreadable_answer(inbound, method, answer.reason)
    if answer is not None:
        answer = replace(answer, comment=answer_comment(answer.comment))
    recorded = record_answer(inbound.session, answer, inbound.now) if answer else None
    if answer is None or recorded is None:  # the one goes with the other
        summary = f"calendar {method} from {inbound.message.sender}, who is not an attendee (ignored)"
    elif recorded.outcome == "unknown":
        summary = f"calendar {method} for a meeting we do not know"
    elif recorded.outcome == "counter":
        summary = _proposed(answer, recorded.answered)
    elif recorded.outcome == "stale":
        summary = f"an answer to an older version of meeting {recorded.answered.id} (ignored)"
    else:
        summary = f"{recorded.partstat} meeting {recorded.answered.id}"
    comment = f": {answer.comment}" if answer and answer.comment else ""
    events: list[Event] = []
    if answer is not None and recorded is not None and recorded.outcome == "counter":
        events = _counter(inbound, answer, recorded.answered, summary + comment)
    if recorded is not None and recorded.outcome == "recorded":
        events = show_answers(inbound.session, recorded.answered)
    if recorded is not None and recorded.partstat == "declined":
        try:
            if offer_next_slot(inbound.session, recorded.answered, inbound.now):
                summary += f"; the next free slot is offered ({recorded.answered.start_at:%Y-%m-%d %H:%M} UTC)"
                events = [SendMeeting(recorded.answered.id)]  # its staff calendar copy goes with it
        except MeetingError as error:
            summary += f"; no next slot: {error}"
    inbound.log(InteractionKind.MEETING, summary + comment)
    return events


def _proposed(answer: Answer, meeting: Meeting) -> str:
    from outreach.services.meetings.counters import shown

    when = shown(answer.proposed_start, meeting.timezone) if answer.proposed_start else "see the message"
    return f"proposes another time: {when} instead of {shown(meeting.start_at, meeting.timezone)}"


def _counter(inbound: Inbound, answer: Answer, meeting: Meeting, said: str) -> list[Event]:
    """A to-do that keeps the proposal, for a one-click decision: accept or decline."""
    from outreach.services.meetings import counters

    todo = inbound.todo(
        TodoKind.COUNTER,
        f"{inbound.partner.name} {said}: accept it (the meeting moves, they get the update) or decline it "
        f"(they are told the original time stands) here or with `outreach meeting counter {meeting.id} "
        f"accept|decline`; or move the meeting to another time (`outreach meeting reschedule {meeting.id} "
        "--at ...` or the partner's page).",
    )
    counters.keep(todo, meeting, answer)
    return inbound.tell_staff(f"{inbound.partner.name} proposes another time", said)


def _unreadable_answer(inbound: Inbound, method: str, reason: str) -> list[Event]:
    """Nothing recorded from values we cannot trust: logged, and a to-do for staff."""
    inbound.log(
        InteractionKind.MEETING, f"calendar {method} from {inbound.message.sender} that could not be read: {reason}"
    )
    inbound.todo(
        TodoKind.UNREADABLE_ANSWER,
        f"{inbound.partner.name}: a calendar answer could not be read ({reason}); "
        "open the message, then record the answer on the partner's page "
        "or ask them to answer again.",
    )
    return []


def auto_reply(inbound: Inbound) -> list[Event]:
    result = inbound.result
    back_on = result.return_date if isinstance(result, AutoReply) else None
    zone = (inbound.contact.timezone if inbound.contact else None) or "UTC"
    if back_on:
        resume = datetime.combine(back_on, time(0, 0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    else:
        resume = inbound.now + DEFAULT_PAUSE
    back = back_on.isoformat() if back_on else f"not given; paused until {resume:%Y-%m-%d}"
    inbound.log(InteractionKind.AUTO_REPLY, f"out of office; back: {back}", resume.astimezone(ZoneInfo(zone)).date())
    _pause_until(inbound.pending(), resume)
    return []


def opt_out(inbound: Inbound) -> list[Event]:
    contact, result = inbound.contact, inbound.result
    recipient = result.recipient if isinstance(result, Complaint) else None
    address = (contact.email if contact else None) or recipient or inbound.message.sender
    inbound.log(InteractionKind.OPT_OUT, f"{result.kind.value}: {split_reply(inbound.message).logged_text[:500]}")
    if address and not logbook.is_suppressed(inbound.session, address):
        inbound.session.add(Suppression(email_hash=email_hash(address), email=address, reason=result.kind.value))
    if contact is not None:
        contact.status = ContactStatus.OPTED_OUT
        _cancel(inbound.contact_steps(), f"{result.kind.value} received")
        partner = inbound.partner
        if partner.status is not PartnerStatus.CLOSED and all(
            c.status is not ContactStatus.ACTIVE for c in partner.contacts
        ):
            partner.status, partner.later_until = PartnerStatus.OPTED_OUT, None
    return []


# --- what mail systems send back -----------------------------------------------------------


def bounce(inbound: Inbound) -> list[Event]:
    result = inbound.result
    assert isinstance(result, Bounce)  # dispatched by kind
    reason = result.reason
    said = result.diagnostic or result.status or "no reason given"
    inbound.log(
        InteractionKind.BOUNCE,
        f"{reason.value} ({'hard' if result.permanent else 'soft'}) "
        f"for {result.recipient or 'an unnamed recipient'}: {said}",
    )
    contact = inbound.contact
    if contact is None:
        return []
    if reason.address_gone:
        contact.status = ContactStatus.UNREACHABLE
        _cancel(inbound.pending(contact_only=True), f"the address bounced ({reason.value})")
        if all(c.status is not ContactStatus.ACTIVE for c in inbound.partner.contacts):
            inbound.partner.status = PartnerStatus.UNREACHABLE
        return []
    if reason is BounceReason.MAILBOX_FULL:
        return _retry_later(inbound)
    if reason in (BounceReason.RATE_LIMITED, BounceReason.DELAYED):
        return []
    _hold(inbound.pending(contact_only=True), f"held: the server refused our mail ({reason.value})")
    text = (
        f"{contact.email}'s mail server refused our message ({reason_name(reason)}): {said}. "
        f"The contact stays active; their scheduled mail is held. Look at what we sent, then "
        f"`outreach partners resume {contact.email}`."
    )
    inbound.todo(TodoKind.REJECTED, text)
    return inbound.tell_staff(f"Our mail to {inbound.partner.name} was refused", text)


def _retry_later(inbound: Inbound) -> list[Event]:
    """A full mailbox: the same message again in 3 days, at most twice; later mail waits."""
    step, session = inbound.match.step, inbound.session
    resume = inbound.now + FULL_MAILBOX_RETRY
    _pause_until(inbound.pending(contact_only=True), resume)
    if step is None or step.status is not StepStatus.SENT:
        return []
    original = step.retry_of or step.id
    retries = session.scalar(sa.select(sa.func.count()).select_from(Step).where(Step.retry_of == original)) or 0
    if retries >= FULL_MAILBOX_RETRIES:
        return []
    from outreach.mail.compose import new_message_id
    from outreach.settings.campaigns import settings_of

    settings = settings_of(session.get_one(Campaign, step.campaign_id))
    session.add(
        Step(
            campaign_id=step.campaign_id,
            partner_id=step.partner_id,
            contact_id=step.contact_id,
            name=f"{step.name} (again {retries + 1})"[:80],
            template=step.template,
            status=StepStatus.SCHEDULED,
            due_at=resume,
            retry_of=original,
            message_id=new_message_id(settings.mailbox.address),
        )
    )
    return []


def delayed(inbound: Inbound) -> list[Event]:
    result = inbound.result
    assert isinstance(result, Delayed)  # dispatched by kind
    inbound.log(
        InteractionKind.DELAYED,
        f"delivery to {result.recipient or 'the partner'} delayed "
        f"({result.status or 'no status'}); the server keeps trying",
    )
    return []


def receipt(inbound: Inbound) -> list[Event]:
    inbound.log(InteractionKind.RECEIPT, f"read receipt from {inbound.message.sender}")
    return []


def other(inbound: Inbound) -> list[Event]:
    result = inbound.result
    assert isinstance(result, Other)  # dispatched by kind
    if not result.for_staff:
        return []
    text = f"{inbound.message.sender} sent a message that needs a person: {result.why} ({inbound.message.subject})"
    inbound.log(InteractionKind.NOTE, text)
    inbound.todo(TodoKind.CHALLENGE, text)
    return inbound.tell_staff(f"{inbound.partner.name}: {result.why}", text)


EFFECTS = {
    Reply: reply,
    CalendarReply: calendar_reply,
    AutoReply: auto_reply,
    OptOut: opt_out,
    Complaint: opt_out,
    Bounce: bounce,
    Delayed: delayed,
    Receipt: receipt,
    Other: other,
}


def act(inbound: Inbound) -> list[Event]:
    return EFFECTS[type(inbound.result)](inbound)


def unproven(
    session: Session, match: Match, message: InboundMessage, result: Classification, row: InboundMail, now: datetime
) -> list[Event]:
    """A report or answer that names a partner without proving it: staff look, nothing changes."""
    text = (
        f"A {result.kind.value} that names {match.partner.name} but does not prove it concerns our mail "
        f"({match.how}); nothing was changed. From {message.sender or 'no sender'}: {message.subject}"
    )
    raise_todo(session, TodoKind.UNPROVEN, text, now, partner_id=match.partner.id, inbound_id=row.id)
    return Inbound(session, match, message, result, row, now).tell_staff(
        f"Not acted on: {result.kind.value} naming {match.partner.name}", text
    )


# --- mail whose sender could not be proved -----------------------------------------------------


def carry_out(
    session: Session,
    match: Match,
    message: InboundMessage,
    result: Classification,
    row: InboundMail,
    now: datetime,
    proof: Authentication,
    vouched: bool = False,
) -> tuple[Verdict, list[Event]]:
    """What the message may change (`outreach.inbound.trust`), done: its effects, or a hold
    and a to-do. `vouched`: staff confirmed that the sender wrote it."""
    decided = verdict(match.standing, result, proof, vouched)
    if decided.acts and match.newcomer:
        match = replace(match, contact=add_sender(session, match.partner, message), newcomer=False)
    inbound = Inbound(session, match, message, result, row, now, new_contacts=decided is Verdict.ACT)
    if decided.acts:
        return decided, act(inbound)
    return decided, UNPROVED[decided](inbound, proof)


def add_sender(session: Session, partner, message: InboundMessage) -> Contact:
    """The sender, a colleague at the partner's mail domain, as a new contact."""
    contact = Contact(email=message.sender, name=message.sender_name, status=ContactStatus.ACTIVE)
    partner.contacts.append(contact)
    session.flush()
    return contact


def _unproved_opt_out(inbound: Inbound, proof: Authentication) -> list[Event]:
    """The safe direction at once: the contact's mail is held. The address is suppressed only
    when staff confirm that the contact sent it."""
    sender, partner = inbound.message.sender or "no sender", inbound.partner
    recipient = inbound.result.recipient if isinstance(inbound.result, Complaint) else None
    who = (inbound.contact.email if inbound.contact else None) or recipient or sender
    held = [s for s in inbound.contact_steps() if s.status is not StepStatus.HELD]
    for step in held:
        step.status, step.last_error = StepStatus.HELD, "held: an opt-out that could not be proved"
    text = (
        f"{who} ({partner.name}) asked to receive no more mail ({inbound.result.kind.value}, from {sender}), "
        f"but the message could not be proved to come from them: {proof.describe()}. "
        f"{_held(len(held))} Nothing else changed and the address is not suppressed. If they sent it, "
        f"`outreach todo confirm {TODO_ID}` suppresses it; if not, `outreach partners resume {who}` sends "
        f"the held mail and `outreach todo done {TODO_ID}` closes this. {_quote(inbound)}"
    )
    inbound.todo(TodoKind.UNPROVED_OPT_OUT, text)
    return inbound.tell_staff(f"Not proved: an opt-out from {who}", text)


def _held(count: int) -> str:
    if count == 0:
        return "No mail of theirs was waiting."
    return f"Their {count} scheduled message{'s are' if count > 1 else ' is'} held."


def _unproved_sender(inbound: Inbound, proof: Authentication) -> list[Event]:
    sender, partner = inbound.message.sender or "no sender", inbound.partner
    text = (
        f"A message from {sender} at {partner.name} ({inbound.result.kind.value}) could not be proved to come "
        f"from them: {proof.describe()}. They are not one of {partner.name}'s contacts, so nothing was changed: "
        f"no contact added, no phase moved. Add them as a contact? `outreach todo confirm {TODO_ID}` adds them "
        f"and acts on the message; `outreach todo done {TODO_ID}` leaves it. {_quote(inbound)}"
    )
    inbound.todo(TodoKind.UNPROVED_SENDER, text)
    return inbound.tell_staff(f"Not proved: mail from {sender}", text)


def _unproved_message(inbound: Inbound, proof: Authentication) -> list[Event]:
    sender, partner = inbound.message.sender or "no sender", inbound.partner
    text = (
        f"A {inbound.result.kind.value.replace('_', ' ')} from {sender} ({partner.name}) names none of our "
        f"messages and could not be proved to come from them: {proof.describe()}. Nothing was changed. If it "
        f"is theirs, `outreach todo confirm {TODO_ID}` acts on it. {_quote(inbound)}"
    )
    inbound.todo(TodoKind.UNPROVED_MESSAGE, text)
    return inbound.tell_staff(f"Not proved: mail from {sender}", text)


UNPROVED = {
    Verdict.HOLD_OPT_OUT: _unproved_opt_out,
    Verdict.ASK_ABOUT_SENDER: _unproved_sender,
    Verdict.STAFF_READ: _unproved_message,
}
