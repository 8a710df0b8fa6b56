"""The inbox: store each new message raw, then log it against its partner and act on it.

    store (raw file + row + checkpoint, one commit)  ->  process (classify, match, effects)

A message that cannot be processed stays stored, marked `failed` with the error; the
watcher goes on. Unrelated mail (no partner matches) is marked `ignored` and left alone.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.engine import UnitOfWork
from outreach.db.models import Checkpoint, Contact, InboundMail, Interaction, Partner, Step, Suppression
from outreach.domain.phases import move_for_event
from outreach.domain.vocabulary import ContactStatus, Direction, InteractionKind, PartnerStatus, StepStatus
from outreach.inbound import classify as kinds
from outreach.inbound.classify import Classification, classify
from outreach.inbound.message import InboundMessage
from outreach.inbound.quotes import new_text
from outreach.services import logbook

DEFAULT_PAUSE = timedelta(days=7)
PENDING = (StepStatus.SCHEDULED, StepStatus.QUEUED)


# --- storing -----------------------------------------------------------------------------

def last_uid(session: Session, mailbox: str, folder: str, uidvalidity: int) -> int:
    """Where to read on from; 0 after a change of UIDVALIDITY (a resync)."""
    checkpoint = session.scalar(sa.select(Checkpoint).where(Checkpoint.mailbox == mailbox, Checkpoint.folder == folder))
    if checkpoint is None or checkpoint.uidvalidity != uidvalidity:
        return 0
    return checkpoint.last_uid


def store(uow: UnitOfWork, data_dir: Path, mailbox: str, folder: str, uidvalidity: int,
          messages: list[tuple[int, bytes]]) -> list[int]:
    """Keep a batch of raw messages and move the checkpoint past them, in one commit.

    Returns the ids of the rows made; a message stored before (same position, or the same
    Message-ID after a change of UIDVALIDITY) is skipped, so a resync logs nothing twice.
    """
    session = uow.session
    parsed = [(uid, raw, InboundMessage.parse(raw).message_id) for uid, raw in messages]
    uids = [uid for uid, _, _ in parsed]
    ids = [message_id for _, _, message_id in parsed if message_id]
    here = (InboundMail.mailbox == mailbox, InboundMail.folder == folder)
    seen_uids = set(session.scalars(sa.select(InboundMail.uid).where(
        *here, InboundMail.uidvalidity == uidvalidity, InboundMail.uid.in_(uids))))
    seen_ids = set(session.scalars(sa.select(InboundMail.message_id).where(*here, InboundMail.message_id.in_(ids))))
    rows = []
    for uid, raw, message_id in parsed:
        if uid in seen_uids or (message_id and message_id in seen_ids):
            continue
        seen_ids.add(message_id)
        rows.append(InboundMail(mailbox=mailbox, folder=folder, uidvalidity=uidvalidity, uid=uid,
                                message_id=message_id, raw_path=str(_keep_raw(data_dir, raw)), status="new"))
    session.add_all(rows)
    if uids:
        _advance(session, mailbox, folder, uidvalidity, max(uids))
    uow.commit()
    return [row.id for row in rows]


def _keep_raw(data_dir: Path, raw: bytes) -> Path:
    digest = hashlib.sha256(raw).hexdigest()
    path = data_dir / "raw" / digest[:2] / f"{digest}.eml"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(raw)
        temporary.replace(path)
    return path


def _advance(session: Session, mailbox: str, folder: str, uidvalidity: int, uid: int) -> None:
    checkpoint = session.scalar(sa.select(Checkpoint).where(Checkpoint.mailbox == mailbox, Checkpoint.folder == folder))
    if checkpoint is None:
        session.add(Checkpoint(mailbox=mailbox, folder=folder, uidvalidity=uidvalidity, last_uid=uid))
    elif checkpoint.uidvalidity != uidvalidity:
        checkpoint.uidvalidity, checkpoint.last_uid = uidvalidity, uid
    else:
        checkpoint.last_uid = max(checkpoint.last_uid, uid)


# --- processing --------------------------------------------------------------------------

@dataclass(frozen=True)
class Match:
    partner: Partner
    contact: Contact | None
    how: str


@dataclass(frozen=True)
class Followups:
    """What an effect asks of the worker after the commit: mail a meeting, tell staff."""

    meeting_to_send: int | None = None
    tell_staff: bool = False


@dataclass(frozen=True)
class StaffNotice:
    """A human reply to pass on to the campaign's `notify_staff` address."""

    campaign_id: int
    to: str
    partner: str
    phase: str
    sender: str
    subject: str
    text: str
    raw_path: str


@dataclass(frozen=True)
class Processed:
    inbound_id: int
    status: str
    kind: str | None = None
    partner: str | None = None
    how: str | None = None
    notice: StaffNotice | None = None
    meeting_to_send: int | None = None
    campaign_id: int | None = None
    position: tuple[str, int, int] | None = None  # folder, uidvalidity, uid in the mailbox


def process(uow: UnitOfWork, inbound_id: int, now: datetime) -> Processed:
    session = uow.session
    row = session.get(InboundMail, inbound_id)
    if row is None or row.status != "new":
        return Processed(inbound_id, "skipped")
    message = InboundMessage.parse(Path(row.raw_path).read_bytes())
    result = classify(message)
    row.kind, row.processed_at = result.kind, now
    match = None
    if result.kind != kinds.OTHER and message.sender != row.mailbox.lower():
        match = find_partner(session, message, result)
    if match is None:
        row.status = "ignored"
        uow.commit()
        return Processed(inbound_id, "ignored", result.kind)
    followups = EFFECTS[result.kind](session, match, message, result, row, now) or Followups()
    row.status, row.partner_id = "processed", match.partner.id
    latest = _latest_step(session, match.partner.id)
    notice = _staff_notice(latest, match, message, row) if followups.tell_staff else None
    campaign_id = latest.campaign_id if latest is not None else None
    uow.commit()
    return Processed(inbound_id, "processed", result.kind, match.partner.name, match.how, notice,
                     followups.meeting_to_send, campaign_id, (row.folder, row.uidvalidity, row.uid))


def _latest_step(session: Session, partner_id: int) -> Step | None:
    """The partner's most recent step: its campaign is the one the partner answers."""
    return session.scalar(sa.select(Step).where(Step.partner_id == partner_id).order_by(Step.id.desc()).limit(1))


def _staff_notice(step: Step | None, match: Match, message: InboundMessage, row: InboundMail) -> StaffNotice | None:
    """Staff are told of each human reply when the partner's latest campaign names an address."""
    from outreach.services.campaigns import settings_of

    if step is None:
        return None
    settings = settings_of(step.campaign)
    if not settings.notify_staff:
        return None
    return StaffNotice(step.campaign_id, settings.notify_staff, match.partner.name, match.partner.phase.value,
                       message.sender or "", message.subject, new_text(message.text), row.raw_path)


def mark_failed(uow: UnitOfWork, inbound_id: int, error: str) -> None:
    row = uow.session.get(InboundMail, inbound_id)
    if row is not None:
        row.status, row.error = "failed", error[:4000]
        uow.commit()


def find_partner(session: Session, message: InboundMessage, result: Classification) -> Match | None:
    """Threading headers against what we sent; then the sender's address; then the sender's
    domain against the organisation's (a colleague answering counts, and becomes a contact).
    Bounces and complaints are matched through the message that came back."""
    if result.kind in (kinds.BOUNCE, kinds.COMPLAINT):
        ids = [result.returned_message_id] if result.returned_message_id else []
        found = _by_message_ids(session, ids) or _by_address(session, result.recipient, "returned address")
        return found
    found = (_by_message_ids(session, message.thread_ids)
             or _by_token(session, message)
             or _by_address(session, message.sender, "sender address")
             or _by_domain(session, message))
    return _with_sender(found, message.sender)


def _with_sender(match: Match | None, sender: str | None) -> Match | None:
    """A thread names the partner; where it names no contact (a meeting invitation went to the
    organisation), the sender does when they are one of the partner's contacts."""
    if match is None or match.contact is not None or not sender:
        return match
    contact = next((c for c in match.partner.contacts if c.email == sender.lower()), None)
    return replace(match, contact=contact) if contact is not None else match


TOKEN = re.compile(r"\+([0-9a-f]{12})@")


def _by_token(session: Session, message: InboundMessage) -> Match | None:
    """Plus-addressing: the answer went to mailbox+TOKEN@domain, the token naming our message."""
    tokens = {found for name in ("To", "Cc", "Delivered-To", "X-Original-To")
              for address in message.addresses(name) for found in TOKEN.findall(address)}
    if not tokens:
        return None
    step = session.scalar(sa.select(Step).where(Step.reply_token.in_(tokens)).limit(1))
    return Match(step.partner, step.contact, "reply token") if step is not None else None


def _by_message_ids(session: Session, ids: list[str]) -> Match | None:
    if not ids:
        return None
    step = session.scalar(sa.select(Step).where(Step.message_id.in_(ids)).limit(1))
    if step is not None:
        return Match(step.partner, step.contact, "thread")
    sent = session.scalar(sa.select(Interaction).where(
        Interaction.message_id.in_(ids), Interaction.direction == Direction.OUT).limit(1))
    return Match(sent.partner, sent.contact, "thread") if sent is not None else None


def _by_address(session: Session, address: str | None, how: str) -> Match | None:
    if not address:
        return None
    contact = session.scalar(sa.select(Contact).where(Contact.email == address.lower()))
    return Match(contact.partner, contact, how) if contact is not None else None


def _by_domain(session: Session, message: InboundMessage) -> Match | None:
    sender = message.sender
    if not sender or "@" not in sender:
        return None
    partners = session.scalars(sa.select(Partner).where(Partner.mail_domain == sender.rsplit("@", 1)[1])).all()
    if len(partners) != 1:
        return None
    partner = partners[0]
    name = next((a.display_name for a in getattr(message.message.get("From"), "addresses", ()) if a.display_name), None)
    contact = Contact(email=sender, name=name, status=ContactStatus.ACTIVE)
    partner.contacts.append(contact)
    session.flush()
    return Match(partner, contact, "sender domain (new contact)")


# --- effects -----------------------------------------------------------------------------

def _log(session: Session, match: Match, message: InboundMessage, row: InboundMail, kind: InteractionKind,
         text: str, now: datetime) -> None:
    session.add(Interaction(
        partner_id=match.partner.id, contact_id=match.contact.id if match.contact else None, direction=Direction.IN,
        kind=kind, occurred_at=message.date or now, subject=message.subject[:998] or None,
        message_id=message.message_id, in_reply_to=(message.thread_ids or [None])[0], text=text,
        raw_path=row.raw_path))


def _pending_steps(session: Session, partner_id: int, contact_id: int | None = None):
    query = sa.select(Step).where(Step.partner_id == partner_id, Step.status.in_(PENDING))
    if contact_id is not None:
        query = query.where(Step.contact_id == contact_id)
    return session.scalars(query).all()


def _cancel(steps, reason: str) -> None:
    for step in steps:
        step.status, step.last_error = StepStatus.CANCELLED, reason


def _reply(session, match, message, result, row, now):
    _log(session, match, message, row, InteractionKind.EMAIL, new_text(message.text), now)
    move = move_for_event(match.partner.phase, "human_reply", f"reply from {message.sender}")
    if move is not None:
        logbook.record_move(match.partner, move, now)
    _cancel(_pending_steps(session, match.partner.id), "the partner replied")
    return Followups(meeting_to_send=_auto_invite(session, match.partner, now), tell_staff=True)


def _auto_invite(session: Session, partner: Partner, now: datetime) -> int | None:
    from outreach.services.meetings import MeetingError, auto_invite

    step = _latest_step(session, partner.id)
    if step is None:
        return None
    try:
        meeting = auto_invite(session, partner, step.campaign, now)
    except MeetingError:  # no free slot or nobody to invite: staff are told of the reply anyway
        return None
    return meeting.id if meeting else None


def _calendar(session, match, message, result, row, now):
    """An attendee's answer: stored on the meeting (stale ones ignored) and logged with its comment."""
    from outreach.calendar.invite import read_answer
    from outreach.services.meetings import MeetingError, offer_next_slot, record_answer

    answer = read_answer(message.calendar() or "")
    recorded = record_answer(session, answer, now) if answer else None
    if recorded is None or recorded.outcome == "unknown":
        summary = f"calendar {result.itip_method or 'answer'} for a meeting we do not know"
    elif recorded.outcome == "counter":
        summary = f"proposes another time: {answer.proposed_start or 'see the message'}"
    elif recorded.outcome == "stale":
        summary = f"an answer to an older version of meeting {recorded.meeting.id} (ignored)"
    else:
        summary = f"{recorded.partstat} meeting {recorded.meeting.id}"
    comment = f": {answer.comment}" if answer and answer.comment else ""
    followups = Followups(tell_staff=recorded is not None and recorded.outcome == "counter")
    if recorded is not None and recorded.partstat == "declined":
        try:
            if offer_next_slot(session, recorded.meeting, now):
                summary += f"; the next free slot is offered ({recorded.meeting.start_at:%Y-%m-%d %H:%M} UTC)"
                followups = Followups(meeting_to_send=recorded.meeting.id)
        except MeetingError as error:
            summary += f"; no next slot: {error}"
    _log(session, match, message, row, InteractionKind.MEETING, summary + comment, now)
    return followups


def _auto_reply(session, match, message, result, row, now):
    zone = (match.contact.timezone if match.contact else None) or "UTC"
    if result.return_date:
        resume = datetime.combine(result.return_date, time(0, 0), tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)
    else:
        resume = now + DEFAULT_PAUSE
    back = result.return_date.isoformat() if result.return_date else f"not given; paused until {resume:%Y-%m-%d}"
    _log(session, match, message, row, InteractionKind.AUTO_REPLY, f"out of office; back: {back}", now)
    for step in _pending_steps(session, match.partner.id):
        if step.status is StepStatus.SCHEDULED and step.due_at < resume:
            step.due_at = resume  # paused; the scheduler resumes it on its own


def _bounce(session, match, message, result, row, now):
    _log(session, match, message, row, InteractionKind.BOUNCE,
         f"{'hard' if result.permanent else 'soft'} bounce for {result.recipient}: {result.status or 'no status'}", now)
    contact = match.contact
    if not result.permanent or contact is None:
        return
    contact.status = ContactStatus.UNREACHABLE
    _cancel(_pending_steps(session, match.partner.id, contact.id), "the address bounced")
    if all(c.status is not ContactStatus.ACTIVE for c in match.partner.contacts):
        match.partner.status = PartnerStatus.UNREACHABLE


def _opt_out(session, match, message, result, row, now):
    contact = match.contact
    address = (contact.email if contact else None) or result.recipient or message.sender
    _log(session, match, message, row, InteractionKind.OPT_OUT, f"{result.kind}: {new_text(message.text)[:500]}", now)
    if address and not logbook.is_suppressed(session, address):
        session.add(Suppression(email_hash=logbook.email_hash(address), email=address, reason=result.kind))
    if contact is not None:
        contact.status = ContactStatus.OPTED_OUT
        _cancel(_pending_steps(session, match.partner.id, contact.id), f"{result.kind} received")


EFFECTS = {
    kinds.REPLY: _reply, kinds.CALENDAR_REPLY: _calendar, kinds.AUTO_REPLY: _auto_reply,
    kinds.BOUNCE: _bounce, kinds.OPT_OUT: _opt_out, kinds.COMPLAINT: _opt_out,
}
