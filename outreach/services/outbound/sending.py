"""Sending one scheduled step: at-most-once email (design.md).

    claim queued->sending (commit) -> re-check reply, opt-out, suppression -> render
    -> SMTP -> copy to Sent -> sent, logged, phase moved (commit)

The Message-ID was stored when the step was scheduled. A step found in `sending` after a
crash is settled by looking for its Message-ID in the Sent folder, never by a blind resend.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol, cast
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, undefer
from sqlalchemy.orm.attributes import set_committed_value

from outreach.campaign import CampaignFile
from outreach.db.engine import UnitOfWork, session_of
from outreach.db.models import LAST_ACTIVITY, Campaign, Contact, Interaction, Meeting, Partner, Step, Suppression
from outreach.domain import language as lang
from outreach.domain.business_days import business_days_after
from outreach.domain.language import short_date
from outreach.domain.phases import move_for_event
from outreach.domain.steps import StepKind
from outreach.domain.suppression import email_hash
from outreach.domain.vocabulary import (
    ContactStatus,
    Direction,
    InteractionKind,
    PartnerStatus,
    Phase,
    StepStatus,
)
from outreach.mail.compose import Body, Envelope, compose, new_message_id
from outreach.mail.secrets import SecretError
from outreach.mail.smtp import MailboxFailure, PermanentRefusal, TemporaryFailure
from outreach.messages.envelope import build_message, new_reply_token
from outreach.messages.render import message_source, render_free_text, rendered_once
from outreach.rendering import Fields, Renderer, TemplateError
from outreach.services.meetings.collaboration import QUARTER, next_check_in, schedule_check_in
from outreach.services.operations import sending_health
from outreach.services.partners import logbook, todos
from outreach.settings import mailboxes
from outreach.settings.campaigns import settings_of

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
OPEN_PHASES = (Phase.SCOUTING, Phase.FIRST_CONTACT)


class Outbox(Protocol):
    """The port the send path needs from a mailbox (SMTP and IMAP behind it)."""

    def send(self, message, sender: str, recipients: list[str]) -> None: ...
    def file_sent(self, message, when: datetime) -> None: ...
    def was_sent(self, message_id: str) -> bool: ...


# The statements run for every message, built once (SQLAlchemy then only binds values). A mapped
# class's __table__ is a Table; SQLAlchemy types it as any FromClause (hence the casts).
_CLAIM = (
    sa.update(cast(sa.Table, Step.__table__))
    .where(Step.id == sa.bindparam("step_id"), Step.status == StepStatus.QUEUED)
    .values(status=StepStatus.SENDING, claimed_at=sa.bindparam("now"), attempts=Step.attempts + 1)
)
_SUPPRESSED_OR_REPLIED = sa.select(
    sa.exists().where(Suppression.email_hash == sa.bindparam("email_hash")),
    sa.exists().where(
        Interaction.partner_id == sa.bindparam("partner_id"),
        Interaction.direction == Direction.IN,
        Interaction.kind == InteractionKind.EMAIL,
        Interaction.history.is_(False),
    ),
)
_MARK_SENT = (
    sa.update(cast(sa.Table, Step.__table__))
    .where(Step.id == sa.bindparam("step_id"))
    .values(status=StepStatus.SENT, sent_at=sa.bindparam("now"), last_error=None)
)
_LOG = sa.insert(cast(sa.Table, Interaction.__table__))
# A step to send with what its message needs, in one read; the campaign's settings are read once
# per version (settings_of), the message rendered when it was queued with the step.
_STEP_TO_SEND = (
    sa.select(Step)
    .where(Step.id == sa.bindparam("step_id"))
    .options(
        joinedload(Step.campaign).defer(Campaign.settings),
        joinedload(Step.contact),
        joinedload(Step.partner),
        undefer(Step.rendered),
    )
)


@dataclass(frozen=True)
class Outcome:
    step_id: int
    result: str  # sent, skipped, later, cancelled, retry, failed, refused
    detail: str = ""
    wait_seconds: float = 0  # later: not the mailbox's turn yet; queue it again after this wait


def send_step(
    uow: UnitOfWork,
    step_id: int,
    outboxes: Callable[[CampaignFile], Outbox],
    renderers: Callable[[CampaignFile], Renderer],
    now: Callable[[], datetime],
) -> Outcome:
    session = uow.session
    step = session.execute(_STEP_TO_SEND, {"step_id": step_id}).scalar_one_or_none()
    if step is None or step.status is not StepStatus.QUEUED:
        return Outcome(step_id, "skipped", f"not queued ({step.status.value if step else 'gone'})")
    settings = settings_of(step.campaign)
    pace = timedelta(seconds=settings.sending.seconds_between_messages)
    wait = sending_health.take_turn(session, settings.mailbox.address, now(), pace)
    if wait:  # another worker's message went less than a pace ago (nothing is written)
        return Outcome(
            step_id, "later", f"the mailbox's next turn is in {wait.total_seconds():.1f}s", wait.total_seconds()
        )
    if not _claim(session, step, now()):
        uow.commit()
        return Outcome(step_id, "skipped", "claimed by another worker")
    uow.commit()
    reason = stop_reason(session, step)
    if reason:
        return _finish(uow, step, StepStatus.CANCELLED, "cancelled", reason)
    try:
        message, rendered = message_for_step(step, settings, renderers(settings), now())
    except TemplateError as error:
        return _finish(uow, step, StepStatus.FAILED, "failed", str(error))
    outbox = outboxes(settings)
    try:
        outbox.send(message, settings.mailbox.address, [step.contact.email])
    except SecretError as error:  # before any connection: nothing reached SMTP
        return _secret_missing(uow, step, settings, str(error), now())
    except MailboxFailure as error:  # the mailbox cannot send (no connection, login, TLS): nothing left
        return _mailbox_failing(uow, step, settings, str(error), now())
    except PermanentRefusal as error:
        return _refused(uow, step, str(error), now())
    except TemporaryFailure as error:
        return _retry(uow, step, str(error), now())
    try:
        outbox.file_sent(message, now())
    except (TemporaryFailure, SecretError) as error:
        log.warning("step %s sent, but not filed in Sent: %s", step.id, error)
    record_sent(session, step, rendered.subject, rendered.text, now())
    sending_health.worked(session, settings.mailbox.address, now(), settings.sending.timezone)
    uow.commit()
    if step.template == StepKind.CHECK_IN and settings.notify_staff:
        _remind_staff(outbox, settings, step, rendered.subject, now())
    return Outcome(step_id, "sent", step.contact.email)


def _remind_staff(outbox: Outbox, settings: CampaignFile, step: Step, subject: str, now: datetime) -> None:
    """The optional reminder: staff hear that a quarterly check-in went out, to prepare the review."""
    assert settings.notify_staff is not None  # the caller checks that staff asked to be told
    text = (
        f'The quarterly check-in "{subject}" went to {step.contact.email} ({step.partner.name}).\n'
        "Time to prepare the review: progress, results to share, new opportunities.\n"
    )
    mailbox = settings.resolved_mailbox
    message = compose(
        Envelope(mailbox.display_name, mailbox.address, None, settings.notify_staff),
        Body(f"Reminder: check-in with {step.partner.name}", text, f"<p>{text}</p>"),
        new_message_id(settings.mailbox.address),
        now,
    )
    try:
        outbox.send(message, settings.mailbox.address, [settings.notify_staff])
    except TemporaryFailure as error:  # a reminder is not worth a retry loop; the check-in is logged
        log.warning("staff reminder for step %s not sent: %s", step.id, error)


def stop_reason(session: Session, step: Step) -> str | None:
    """Why this message must not go out now, if it must not."""
    contact, partner = step.contact, step.partner
    if contact.status is not ContactStatus.ACTIVE:
        return f"contact is {contact.status.value}"
    if step.created_by is not None:  # a one-off mail staff chose to write: only the address may stop it
        return _suppressed(session, contact)
    if step.template == StepKind.CLOSING:  # the answer to a "no": only while the partner's answer stands
        if partner.status is not PartnerStatus.DECLINED:
            return f"partner is {partner.status.value}, no longer declined"
        return _suppressed(session, contact)
    if partner.status in (
        PartnerStatus.UNREACHABLE,
        PartnerStatus.CLOSED,
        PartnerStatus.DECLINED,
        PartnerStatus.OPTED_OUT,
    ):
        return f"partner is {partner.status.value}"
    if step.template == StepKind.BOOKING and _has_meeting(session, step.partner_id):
        return "the partner has a meeting already"
    if step.template in (
        StepKind.LATER,
        StepKind.INTRODUCTION,
        StepKind.BOOKING,
    ):  # answers a reply ("not now", "write to my colleague", "yes, let's meet"), whatever the phase
        return _suppressed(session, contact)
    if step.template == StepKind.NEXT_STEPS:
        return _next_steps_stop(session, step)
    if step.template == StepKind.CHECK_IN:
        if partner.phase is not Phase.MAINTENANCE:
            return f"the partner is in {partner.phase.value}, not maintenance"
        return _suppressed(session, contact)
    if partner.phase not in OPEN_PHASES:
        return f"partner has moved on to {partner.phase.value}"
    suppressed, replied = (
        session.connection()
        .execute(_SUPPRESSED_OR_REPLIED, {"email_hash": email_hash(contact.email), "partner_id": partner.id})
        .one()
    )
    if suppressed:
        return "address is on the suppression list"
    if replied:
        return "the partner has replied"
    if step.name != StepKind.FIRST_CONTACT and _has_meeting(session, partner.id):
        return "a meeting is booked"
    return None


def _suppressed(session: Session, contact) -> str | None:
    return "address is on the suppression list" if logbook.is_suppressed(session, contact.email) else None


def _has_meeting(session: Session, partner_id: int) -> bool:
    return session.scalar(sa.select(Meeting.id).where(Meeting.partner_id == partner_id).limit(1)) is not None


def _next_steps_stop(session: Session, step: Step) -> str | None:
    """The next-steps mail goes only after a meeting the contact accepted, and not to the suppressed."""
    if logbook.is_suppressed(session, step.contact.email):
        return "address is on the suppression list"
    meeting = _meeting_of(session, step)
    if meeting is None or meeting.status != "invited":
        return "the meeting was cancelled"
    attendee = next((a for a in meeting.attendees if a.contact_id == step.contact_id), None)
    if attendee is None or attendee.partstat != "ACCEPTED":
        return "the meeting is no longer accepted"
    return None


def _meeting_of(session: Session, step: Step):
    return session.get(Meeting, int(step.name.rsplit("-", 1)[1])) if step.name.startswith("next-steps-") else None


def _follow_up_of(session: Session, step: Step, settings: CampaignFile, today: date):
    """A follow-up answers our first message: its subject and date for the template, and the
    threading headers (In-Reply-To, References) so mail programs show one conversation."""
    first = session.scalar(
        sa.select(Interaction)
        .join(Step, Step.message_id == Interaction.message_id)
        .where(
            Step.contact_id == step.contact_id,
            Step.campaign_id == step.campaign_id,
            Step.name == StepKind.FIRST_CONTACT,
        )
    )
    if first is None:
        return {"first": Fields("first", {})}, None
    sent = first.occurred_at.astimezone(ZoneInfo(step.contact.timezone or settings.sending.timezone))
    return (
        lambda language: {
            "first": Fields("first", {"subject": first.subject, "date": short_date(sent, language, today)})
        },
        {"In-Reply-To": first.message_id, "References": first.message_id},
    )


def _next_steps_words(session: Session, step: Step, today: date):
    """The meeting's date and its recorded outcome, in the language of the mail."""
    from outreach.domain.context import fields_of_partnership
    from outreach.domain.vocabulary import PartnershipType
    from outreach.services.meetings.invitations import outcome_of, reader_zone

    meeting = _meeting_of(session, step)
    when = meeting.start_at.astimezone(ZoneInfo(reader_zone(meeting, settings_of(step.campaign)))) if meeting else None
    recorded = outcome_of(session, meeting.id) if meeting else None
    content = recorded.content if recorded else {}

    def words(language: str) -> dict:
        actions = [
            {
                "what": a["what"],
                "owner": BOTH.get(lang.base(language), "both") if a["owner"] == "both" else a["owner"],
                "due": short_date(date.fromisoformat(a["due"]), language, today) if a.get("due") else None,
            }
            for a in content.get("actions", [])
        ]
        contacts = content.get("contacts", {})
        return {
            "meeting": Fields("meeting", {"date": short_date(when, language, today) if when else None}),
            "outcome": Fields(
                "outcome",
                {
                    "takeaways": content.get("takeaways"),
                    "actions": actions,
                    "ours": contacts.get("ours") or None,
                    "theirs": contacts.get("theirs") or None,
                    "fields": fields_of_partnership(
                        [PartnershipType(t) for t in content.get("partnership_types", [])],  # type: ignore[call-arg]  # a lookup by value
                        language,
                    ),
                },
            )
            if recorded
            else None,
        }

    return words


def _thread_of(session: Session, step: Step) -> dict | None:
    """In-Reply-To and References for the latest mail in or out with this contact."""
    latest = session.scalar(
        sa.select(Interaction.message_id)
        .where(
            Interaction.partner_id == step.partner_id,
            Interaction.contact_id == step.contact_id,
            Interaction.kind == InteractionKind.EMAIL,
            Interaction.message_id.is_not(None),
        )
        .order_by(Interaction.occurred_at.desc())
        .limit(1)
    )
    return {"In-Reply-To": latest, "References": latest} if latest else None


def _target_of(session: Session, step: Step):
    """An introduction request names the partner we ask to be introduced to."""
    from outreach.domain.context import fields_of_partnership
    from outreach.domain.vocabulary import PartnershipType

    about = session.get(Partner, step.about_partner_id) if step.about_partner_id else None
    person = next((c.name for c in about.contacts if c.name), None) if about else None
    return lambda language: {
        "target": Fields(
            "target",
            {
                "organisation": about.name if about else None,
                "contact": person,
                "fields": fields_of_partnership(
                    [PartnershipType(t) for t in about.partnership_types],  # type: ignore[call-arg]  # by value
                    language,
                )
                if about
                else None,
            },
        )
    }


def _introduction_of(session: Session, step: Step) -> dict:
    """A warm introduction names the contact who introduced us (the guide: use warm introductions)."""
    introducer = session.get(Contact, step.contact.introduced_by_id) if step.contact.introduced_by_id else None
    return {
        "introducer": Fields(
            "introducer",
            {
                "name": (introducer.name or introducer.email) if introducer else None,
                "email": introducer.email if introducer else None,
            },
        )
    }


def _booking_words(session: Session, step: Step, settings: CampaignFile, follow_up, today: date):
    """The booking mail: the follow-up's words and the contact's link, with the day it ends."""
    from outreach.services.meetings import booking

    link = booking.link_of_step(session, step)
    url = booking.url_of(link, step.campaign) if link else None
    expires = link.expires_at if link else None

    def words(language: str) -> dict:
        return {
            **(follow_up(language) if follow_up else {}),
            "booking": Fields(
                "booking",
                {
                    "link": url,
                    "until": short_date(expires, language, today) if expires else None,
                    "minutes": settings.meeting.duration_minutes,
                },
            ),
        }

    return words


# An action both sides own, as each language says it in the next-steps mail.
BOTH = {
    "en": "both",
    "de": "beide",
    "fr": "les deux parties",
    "es": "ambas partes",
    "it": "entrambe le parti",
    "nl": "beide partijen",
    "pl": "obie strony",
    "pt": "ambas as partes",
}


def message_for_step(step: Step, settings: CampaignFile, renderer: Renderer, date: datetime):
    partner = logbook.snapshot(step.partner, trusted=True, contacts=[step.contact])
    contact = partner.contacts[0]
    extra, headers = None, None
    today = _reader_today(step, settings, date)
    if step.name != StepKind.FIRST_CONTACT and step.template not in (
        StepKind.NEXT_STEPS,
        StepKind.CHECK_IN,
        StepKind.INTRODUCTION,
        StepKind.FREE_TEXT,
        StepKind.INTRODUCTION_REQUEST,
    ):
        extra, headers = _follow_up_of(session_of(step), step, settings, today)
    if step.template == StepKind.NEXT_STEPS:
        extra = _next_steps_words(session_of(step), step, today)
    if step.template == StepKind.BOOKING:
        extra = _booking_words(session_of(step), step, settings, extra, today)
    if step.template == StepKind.CHECK_IN:
        from outreach.services.partners import kpis

        session = session_of(step)
        extra = lambda language: {"kpis": kpis.for_letters(session, step.partner_id, language, today)}
    if step.template == StepKind.INTRODUCTION:
        extra, headers = _introduction_of(session_of(step), step), None
    if step.template == StepKind.INTRODUCTION_REQUEST:
        extra = _target_of(session_of(step), step)
    if step.created_by is not None:  # a one-off mail from staff answers the latest mail of the conversation
        headers = _thread_of(session_of(step), step)
    if step.template == StepKind.FREE_TEXT:
        rendered = render_free_text(settings, renderer, partner, contact, step.subject or "", step.body or "")
        one_pager = False
    else:
        source = message_source(settings, renderer, partner, contact, step.template, extra)
        rendered = rendered_once(renderer, source, step.rendered)
        one_pager = settings.attaches_one_pager(step.name, step.template)
    message = build_message(
        settings,
        renderer,
        contact,
        rendered,
        step.message_id,
        date,
        extra_headers=headers,
        reply_token=step.reply_token,
        one_pager=one_pager,
        document=_attached(step),
    )
    return message, rendered


def _reader_today(step: Step, settings: CampaignFile, moment: datetime) -> date:
    """The day the partner reads the mail on, in their time zone: dates in its year go without it."""
    return moment.astimezone(ZoneInfo(step.contact.timezone or settings.sending.timezone)).date()


def _attached(step: Step):
    from pathlib import Path

    return Path(step.attachment_path) if step.attachment_path else None


def _claim(session: Session, step: Step, now: datetime) -> bool:
    """queued -> sending, only if still queued: two workers never both send a step."""
    claimed = session.connection().execute(_CLAIM, {"step_id": step.id, "now": now}).rowcount == 1
    if claimed:  # what the row now holds, without reading it back
        for name, value in (("status", StepStatus.SENDING), ("claimed_at", now), ("attempts", step.attempts + 1)):
            set_committed_value(step, name, value)
    return claimed


def record_sent(session: Session, step: Step, subject: str, text: str, now: datetime) -> None:
    """The step is sent: logged as an interaction; the partner moves on from scouting.

    Written as plain statements: this runs once for every message the product sends.
    """
    rows = session.connection()  # plain statements, built once, past the ORM's bookkeeping
    rows.execute(_MARK_SENT, {"step_id": step.id, "now": now})
    rows.execute(
        _LOG,
        dict(
            partner_id=step.partner_id,
            contact_id=step.contact_id,
            direction=Direction.OUT,
            kind=InteractionKind.EMAIL,
            occurred_at=now,
            subject=subject,
            message_id=step.message_id,
            text=text,
        ),
    )
    move = move_for_event(step.partner.phase, "first_contact_sent", f"{step.name} sent to {step.contact.email}")
    if move is not None:  # one statement moves the partner on and keeps the mail as its latest activity
        logbook.record_move_rows(session, step.partner_id, move, now, activity=True)
    else:
        rows.execute(LAST_ACTIVITY, {"partner_id": step.partner_id, "at": now})
    _schedule_next_in_sequence(session, step, now)
    if step.template == StepKind.LATER and step.partner.status is PartnerStatus.PAUSED:
        step.partner.status, step.partner.later_until = PartnerStatus.ACTIVE, None  # "later" has come
    if step.created_by is not None:  # staff wrote to the partner: what asked for an answer is answered
        todos.answered(session, step.partner_id, f"answered by {step.created_by}: {subject}", now, step.created_by)
    for name, value in (("status", StepStatus.SENT), ("sent_at", now), ("last_error", None)):
        set_committed_value(step, name, value)


def _schedule_next_in_sequence(session: Session, step: Step, now: datetime) -> None:
    """After the first contact or a follow-up, the next follow-up of the sequence, due the
    configured number of business days after the first contact (in the contact's timezone and
    country). It is a row with its due time: the database is the calendar."""
    if step.template == StepKind.CHECK_IN:  # quarterly, as long as the partnership is in maintenance
        schedule_check_in(session, step.partner, step.campaign, now + QUARTER, next_check_in(step))
        return
    settings = settings_of(step.campaign)
    names = [StepKind.FIRST_CONTACT] + [s.name for s in settings.sequence]
    if step.name not in names or names.index(step.name) + 1 >= len(names):
        return
    following = settings.sequence[names.index(step.name)]
    anchor = (
        now
        if step.name == StepKind.FIRST_CONTACT
        else session.scalar(
            sa.select(Step.sent_at).where(
                Step.contact_id == step.contact_id,
                Step.campaign_id == step.campaign_id,
                Step.name == StepKind.FIRST_CONTACT,
            )
        )
    )
    zone = step.contact.timezone or settings.sending.timezone
    due = business_days_after(anchor or now, following.after_business_days, zone, step.partner.country)
    session.connection().execute(
        sa.insert(cast(sa.Table, Step.__table__)),
        dict(
            campaign_id=step.campaign_id,
            partner_id=step.partner_id,
            contact_id=step.contact_id,
            name=following.name,
            template=following.template,
            status=StepStatus.SCHEDULED,
            due_at=due,
            message_id=new_message_id(settings.mailbox.address),
            reply_token=new_reply_token(settings),
            attempts=0,
            created_at=now,
        ),
    )


def _refused(uow: UnitOfWork, step: Step, error: str, now: datetime) -> Outcome:
    """5xx: the address is unreachable; the organisation too when no reachable contact is left."""
    step.status, step.last_error = StepStatus.FAILED, error
    contact = step.contact
    contact.status = ContactStatus.UNREACHABLE
    uow.session.add(
        Interaction(
            partner_id=step.partner_id,
            contact_id=contact.id,
            direction=Direction.OUT,
            kind=InteractionKind.BOUNCE,
            occurred_at=now,
            subject=f"refused by the server: {error}"[:998],
            message_id=step.message_id,
            text=error,
        )
    )
    partner: Partner = step.partner
    if all(c.status is not ContactStatus.ACTIVE for c in partner.contacts):
        partner.status = PartnerStatus.UNREACHABLE
    uow.commit()
    return Outcome(step.id, "refused", error)


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _retry(uow: UnitOfWork, step: Step, error: str, now: datetime) -> Outcome:
    """4xx, timeouts, dropped connections: scheduled again later, up to MAX_ATTEMPTS."""
    step.last_error = error
    if step.attempts >= MAX_ATTEMPTS:
        step.status = StepStatus.FAILED
        uow.commit()
        return Outcome(step.id, "failed", f"gave up after {step.attempts} attempts: {error}")
    step.status, step.due_at = StepStatus.SCHEDULED, now + backoff(step.attempts)
    uow.commit()
    return Outcome(step.id, "retry", error)


SECRET_RETRY = timedelta(minutes=5)


def _secret_missing(uow: UnitOfWork, step: Step, settings: CampaignFile, error: str, now: datetime) -> Outcome:
    """The mailbox's secret is missing or failed: the message never left, so the step goes
    back to the queue (the attempt not counted) and staff get one to-do until it is back."""
    step.status, step.due_at, step.last_error = StepStatus.SCHEDULED, now + SECRET_RETRY, error
    step.attempts = max(step.attempts - 1, 0)
    sending_health.failed(
        uow.session, mailboxes.sending(settings), f"its secret cannot be read: {error}", now, settings.sending.timezone
    )
    uow.commit()
    return Outcome(step.id, "retry", error)


def _mailbox_failing(uow: UnitOfWork, step: Step, settings: CampaignFile, error: str, now: datetime) -> Outcome:
    """The mailbox cannot send (its server unreachable or silent, a refused login, TLS): the
    message never left, so the step waits (the attempt not counted: no partner is at fault) and
    the mailbox is failing, with one to-do, until a message goes out again."""
    row = sending_health.failed(uow.session, mailboxes.sending(settings), error, now, settings.sending.timezone)
    wait = sending_health.try_again_after(now - (row.failing_since or now))
    step.status, step.due_at, step.last_error = StepStatus.SCHEDULED, now + wait, error
    step.attempts = max(step.attempts - 1, 0)
    uow.commit()
    return Outcome(step.id, "retry", f"the mailbox {settings.mailbox.address} cannot send: {error}")


def _finish(uow: UnitOfWork, step: Step, status: StepStatus, result: str, reason: str) -> Outcome:
    step.status, step.last_error = status, reason
    uow.commit()
    return Outcome(step.id, result, reason)
