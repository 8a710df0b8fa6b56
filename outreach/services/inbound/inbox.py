"""The inbox: store each new message raw, then log it against its partner and act on it.

    store (raw file + row + checkpoint, one commit)  ->  process (classify, match, effects)

A message that cannot be processed stays stored, marked `failed` with the error, and is
listed (`outreach inbound failed`), raised as a staff to-do once, and processed again by
`outreach inbound retry`. Unrelated mail (no partner matches) is marked `ignored` and its
raw copy removed. Mail whose sender could not be proved (see `outreach.inbound.trust`) is
marked `unauthenticated` and waits for staff: `confirm` acts on it once they vouch for it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.engine import UnitOfWork
from outreach.db.models import Campaign, Checkpoint, Contact, InboundMail, Interaction, Partner, Step, Todo
from outreach.domain.vocabulary import Direction, InteractionKind
from outreach.errors import InvalidInput, NotFound, Problem
from outreach.inbound.authresults import Authentication, authentication_of
from outreach.inbound.classify import classify
from outreach.inbound.kinds import Bounce
from outreach.inbound.message import Fetched, InboundMessage
from outreach.inbound.reply import split_reply
from outreach.mail.watcher import Position
from outreach.services.events import Event, FileProcessed, TellStaff
from outreach.services.inbound import history
from outreach.services.inbound.effects import Inbound, carry_out, latest_step, unproven
from outreach.services.inbound.matching import find_partner
from outreach.services.partners.todos import CONFIRMABLE, TodoKind, answered, close, raise_todo
from outreach.settings.campaigns import settings_of

RAW_RETENTION = timedelta(days=365)
WRITTEN_BY_STAFF = "sent_by_staff"  # found in the Sent folder: staff wrote it in their own mail program
HISTORY = "history"  # written before our first message to the partner: logged, not acted on


# --- storing -----------------------------------------------------------------------------


def last_uid(session: Session, mailbox: str, folder: str, uidvalidity: int) -> int:
    """Where to read on from; 0 after a change of UIDVALIDITY (a resync)."""
    found = position(session, mailbox, folder, uidvalidity)
    return found.last if found is not None else 0


def position(session: Session, mailbox: str, folder: str, uidvalidity: int) -> Position | None:
    """Where the folder's reading stands; None when it was never read (a first start). After a
    change of UIDVALIDITY everything is read again (a resync: what was stored is not twice)."""
    checkpoint = _checkpoint(session, mailbox, folder)
    if checkpoint is None:
        return None
    if checkpoint.uidvalidity != uidvalidity:
        return Position(0, 0)
    return Position(checkpoint.first_uid or 0, checkpoint.last_uid)


def begin(uow: UnitOfWork, mailbox: str, folder: str, uidvalidity: int, uid: int) -> None:
    """Reading of the folder begins after `uid`: a first start (the checkpoint is made there), or
    staff reaching back into its past (where it began moves back; the last UID read stays)."""
    checkpoint = _checkpoint(uow.session, mailbox, folder)
    if checkpoint is None:
        uow.session.add(
            Checkpoint(mailbox=mailbox, folder=folder, uidvalidity=uidvalidity, last_uid=uid, first_uid=uid)
        )
    elif checkpoint.uidvalidity != uidvalidity:
        checkpoint.uidvalidity, checkpoint.last_uid, checkpoint.first_uid = uidvalidity, uid, uid
    else:
        checkpoint.first_uid = min(checkpoint.first_uid or 0, uid)  # None: read from the start already
    uow.commit()


def first_sent_day(session: Session, mailbox: str) -> date | None:
    """The day before our first message went out from the mailbox: answers may have come since,
    whether or not a watcher was running (a day early, as servers date mail in their own zone).
    None: nothing went out yet."""
    first = session.scalar(
        sa.select(sa.func.min(Step.sent_at))
        .join(Campaign, Campaign.id == Step.campaign_id)
        .where(Campaign.mailbox == mailbox, Step.sent_at.is_not(None))
    )
    return first.date() - timedelta(days=1) if first is not None else None


def _checkpoint(session: Session, mailbox: str, folder: str) -> Checkpoint | None:
    return session.scalar(sa.select(Checkpoint).where(Checkpoint.mailbox == mailbox, Checkpoint.folder == folder))


def store(
    uow: UnitOfWork,
    data_dir: Path,
    mailbox: str,
    folder: str,
    uidvalidity: int,
    messages: list[Fetched],
    through: int,
    now: datetime,
    outgoing: bool = False,
) -> list[int]:
    """Keep a batch of raw messages and move the checkpoint to `through` (the last UID the
    watcher has dealt with: stored here or found not to be ours), in one commit.

    Returns the ids of the rows made. A message stored before (the same position, or the
    same Message-ID with the same content after a change of UIDVALIDITY) is skipped, so a
    resync logs nothing twice; a new message that reuses a Message-ID is kept.
    """
    session = uow.session
    here = (InboundMail.mailbox == mailbox, InboundMail.folder == folder)
    uids = [m.uid for m in messages]
    seen_uids = (
        set(
            session.scalars(
                sa.select(InboundMail.uid).where(
                    *here, InboundMail.uidvalidity == uidvalidity, InboundMail.uid.in_(uids)
                )
            )
        )
        if uids
        else set()
    )
    hashes = {m.uid: hashlib.sha256(m.raw).hexdigest() for m in messages}
    seen_hashes = (
        set(
            session.scalars(
                sa.select(InboundMail.content_hash).where(*here, InboundMail.content_hash.in_(list(hashes.values())))
            )
        )
        if hashes
        else set()
    )
    rows = []
    for fetched in messages:
        digest = hashes[fetched.uid]
        if fetched.uid in seen_uids or digest in seen_hashes:
            continue
        seen_hashes.add(digest)
        parsed = InboundMessage.parse(fetched.raw)
        rows.append(
            InboundMail(
                mailbox=mailbox,
                folder=folder,
                uidvalidity=uidvalidity,
                uid=fetched.uid,
                message_id=(parsed.message_id or "")[:998] or None,
                content_hash=digest,
                sent_date=parsed.date,
                raw_path=str(keep_raw(data_dir, fetched.raw, digest)),
                status="new",
                kind=WRITTEN_BY_STAFF if outgoing else None,
                received_at=fetched.arrived or now,
            )
        )
    session.add_all(rows)
    if through:
        _advance(session, mailbox, folder, uidvalidity, through)
    uow.commit()
    return [row.id for row in rows]


def keep_raw(data_dir: Path, raw: bytes, digest: str | None = None) -> Path:
    """The raw message under its content hash, readable by the owner only; an absolute path."""
    digest = digest or hashlib.sha256(raw).hexdigest()
    path = (data_dir / "raw" / digest[:2] / f"{digest}.eml").absolute()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(raw)
        temporary.replace(path)
    return path


def _advance(session: Session, mailbox: str, folder: str, uidvalidity: int, uid: int) -> None:
    checkpoint = session.scalar(sa.select(Checkpoint).where(Checkpoint.mailbox == mailbox, Checkpoint.folder == folder))
    if checkpoint is None:
        session.add(Checkpoint(mailbox=mailbox, folder=folder, uidvalidity=uidvalidity, last_uid=uid))
    elif checkpoint.uidvalidity != uidvalidity:  # a resync reads the folder from its start
        checkpoint.uidvalidity, checkpoint.last_uid, checkpoint.first_uid = uidvalidity, uid, 0
    else:
        checkpoint.last_uid = max(checkpoint.last_uid, uid)


# --- processing --------------------------------------------------------------------------


@dataclass(frozen=True)
class Processed:
    inbound_id: int
    status: str
    kind: str | None = None
    partner: str | None = None
    how: str | None = None
    events: tuple[Event, ...] = field(default=())


def process(uow: UnitOfWork, inbound_id: int, now: datetime) -> Processed:
    session = uow.session
    row = session.get(InboundMail, inbound_id)
    if row is None or row.status != "new":
        return Processed(inbound_id, "skipped")
    message = InboundMessage.parse(Path(row.raw_path).read_bytes())
    if row.kind == WRITTEN_BY_STAFF:
        return _written_by_staff(uow, row, message, now)
    result = classify(message)
    row.kind, row.processed_at = result.kind.value, now
    row.reason = result.reason.value if isinstance(result, Bounce) else None
    match = find_partner(session, message, result) if message.sender != row.mailbox.lower() else None
    if match is None:
        row.status = "ignored"
        uow.commit()
        forget_raw(session, row)
        return Processed(inbound_id, "ignored", result.kind.value)
    row.partner_id = match.partner.id
    if not match.proved:
        row.status = "unproven"
        events = unproven(session, match, message, result, row, now)
    elif history.is_history(session, match.partner, row, match):
        row.status = HISTORY
        events = history.keep(Inbound(session, match, message, result, row, now))
    else:
        events = _carried_out(session, match, message, result, row, now, sender_proof(session, row, message))
    uow.commit()
    return Processed(inbound_id, row.status, result.kind.value, match.partner.name, match.how, tuple(events))


def _carried_out(
    session: Session,
    match,
    message: InboundMessage,
    result,
    row: InboundMail,
    now: datetime,
    proof: Authentication,
    vouched: bool = False,
) -> list[Event]:
    decided, events = carry_out(session, match, message, result, row, now, proof, vouched)
    if not decided.acts:
        row.status = "unauthenticated"
        return events
    row.status = "processed"
    return events + _file_processed(session, match, row)


def authserv_ids(session: Session, mailbox: str) -> tuple[str, ...]:
    """The authserv-ids of the server that receives the mailbox's mail, as its campaigns name them
    (a campaign that names a registered mailbox: as the administrator registered it)."""
    found: dict[str, None] = {}
    for campaign in session.scalars(sa.select(Campaign).where(Campaign.mailbox == mailbox).order_by(Campaign.id)):
        found.update(dict.fromkeys(settings_of(campaign).resolved_mailbox.authserv_ids))
    return tuple(found)


def sender_proof(session: Session, row: InboundMail, message: InboundMessage) -> Authentication:
    return authentication_of(message, authserv_ids(session, row.mailbox))


def confirm(uow: UnitOfWork, todo_id: int, now: datetime, by: str | None = None) -> Processed:
    """Staff vouch for the sender of a message that could not be proved: it is acted on as if
    proved (an opt-out suppresses the address, a colleague becomes a contact, a reply moves the
    partner on), and the to-do is closed."""
    session = uow.session
    todo = session.get(Todo, todo_id)
    if todo is None or todo.done_at is not None:
        raise NotFound(f"no open to-do {todo_id}; `outreach todo` lists them")
    if todo.kind not in CONFIRMABLE or todo.inbound_id is None:
        raise InvalidInput(
            [
                Problem(
                    "to-do",
                    None,
                    str(todo_id),
                    f"is a {todo.kind} to-do: there is nothing to confirm; `outreach todo done {todo_id}` closes it",
                )
            ]
        )
    row = session.get(InboundMail, todo.inbound_id)
    path = Path(row.raw_path) if row is not None and row.raw_path else None
    if path is None or not path.exists():
        raise InvalidInput(
            [
                Problem(
                    "to-do",
                    None,
                    str(todo_id),
                    f"the message is no longer kept: act on the partner's page, then `outreach todo done {todo_id}`",
                )
            ]
        )
    assert row is not None  # a path is only read from a row
    message = InboundMessage.parse(path.read_bytes())
    result = classify(message)
    match = find_partner(session, message, result)
    if match is None or not match.proved:
        raise InvalidInput(
            [
                Problem(
                    "to-do",
                    None,
                    str(todo_id),
                    "the message no longer names one of the partner's "
                    f"people: act on the partner's page, then `outreach todo done {todo_id}`",
                )
            ]
        )
    row.partner_id, row.processed_at = match.partner.id, now
    events = _carried_out(session, match, message, result, row, now, sender_proof(session, row, message), vouched=True)
    close(session, todo_id, f"confirmed: the {result.kind.value.replace('_', ' ')} was acted on", now, by)
    uow.commit()
    return Processed(row.id, row.status, result.kind.value, match.partner.name, match.how, tuple(events))


def _written_by_staff(uow: UnitOfWork, row: InboundMail, message: InboundMessage, now: datetime) -> Processed:
    """Mail staff wrote to a partner from their own mail program, found in Sent: logged as
    mail out, and the partner's to-dos that wanted an answer are closed."""
    session = uow.session
    recipients = [a for name in ("To", "Cc") for a in message.addresses(name)]
    contact = session.scalar(sa.select(Contact).where(Contact.email.in_(recipients)).limit(1)) if recipients else None
    partner = (
        contact.partner
        if contact is not None
        else session.scalar(
            sa.select(Partner).where(Partner.mail_domain.in_([a.rsplit("@", 1)[-1] for a in recipients])).limit(1)
        )
    )
    row.processed_at = now
    if partner is None:
        row.status = "ignored"
        uow.commit()
        return Processed(row.id, "ignored", WRITTEN_BY_STAFF)
    if history.is_history(session, partner, row):  # written before our first message: not an answer to anything
        history.staff_mail(
            session,
            partner,
            contact.id if contact else None,
            row,
            message.subject[:998],
            message.message_id,
            next(iter(message.thread_ids), None),
            split_reply(message).logged_text,
        )
        row.status, row.partner_id = HISTORY, partner.id
        uow.commit()
        return Processed(row.id, HISTORY, WRITTEN_BY_STAFF, partner.name, "sent by staff, before our first message")
    session.add(
        Interaction(
            partner_id=partner.id,
            contact_id=contact.id if contact else None,
            direction=Direction.OUT,
            kind=InteractionKind.EMAIL,
            occurred_at=row.received_at,
            subject=message.subject[:998] or None,
            message_id=message.message_id,
            in_reply_to=message.thread_ids[0] if message.thread_ids else None,
            text=split_reply(message).logged_text,
            raw_path=row.raw_path,
        )
    )
    answered(session, partner.id, f"answered from the mailbox ({message.subject[:80]})", now)
    row.status, row.partner_id = "processed", partner.id
    uow.commit()
    return Processed(row.id, "processed", WRITTEN_BY_STAFF, partner.name, "sent by staff")


def _file_processed(session: Session, match, row: InboundMail) -> list[Event]:
    step = latest_step(session, match.partner.id)
    return [FileProcessed(step.campaign_id, row.folder, row.uidvalidity, row.uid)] if step else []


def forget_raw(session: Session, row: InboundMail) -> None:
    """Remove a raw copy that no other stored message shares."""
    shared = session.scalar(
        sa.select(sa.func.count())
        .select_from(InboundMail)
        .where(InboundMail.raw_path == row.raw_path, InboundMail.id != row.id, InboundMail.status != "ignored")
    )
    if not shared:
        Path(row.raw_path).unlink(missing_ok=True)


# --- failures: kept, listed, told once, retried ---------------------------------------------


def mark_failed(uow: UnitOfWork, inbound_id: int, error: str, now: datetime) -> list[Event]:
    """The message stays stored, marked failed; staff get one to-do (and one mail) for it."""
    session = uow.session
    row = session.get(InboundMail, inbound_id)
    if row is None:
        return []
    first_time = row.error is None
    row.status, row.error, row.attempts = "failed", error[:4000], (row.attempts or 0) + 1
    text = (
        f"Inbound message {row.id} (from {row.mailbox}/{row.folder}, UID {row.uid}) could not be processed: "
        f"{error[:500]}. It is kept; after a fix, `outreach inbound retry {row.id}` processes it again."
    )
    raise_todo(session, TodoKind.FAILED_INBOUND, text, now, inbound_id=row.id)
    events = (
        _tell_mailbox_staff(session, row, f"An inbound message could not be processed ({row.id})", text)
        if first_time
        else []
    )
    uow.commit()
    return events


def _tell_mailbox_staff(session: Session, row: InboundMail, subject: str, text: str) -> list[Event]:
    from outreach.settings.campaigns import settings_of

    for campaign in session.scalars(sa.select(Campaign).where(Campaign.mailbox == row.mailbox).order_by(Campaign.id)):
        settings = settings_of(campaign)
        if settings.notify_staff:
            return [TellStaff(campaign.id, settings.notify_staff, subject, text, row.raw_path)]
    return []


def failed(session: Session) -> list[InboundMail]:
    return list(session.scalars(sa.select(InboundMail).where(InboundMail.status == "failed").order_by(InboundMail.id)))


def reset_for_retry(uow: UnitOfWork, ids: list[int] | None) -> list[int]:
    """Failed messages back to `new` (all of them when `ids` is None); the ids reset."""
    query = sa.select(InboundMail).where(InboundMail.status == "failed")
    if ids is not None:
        query = query.where(InboundMail.id.in_(ids))
    rows = list(uow.session.scalars(query))
    for row in rows:
        row.status = "new"
    uow.commit()
    return [row.id for row in rows]


# --- retention ------------------------------------------------------------------------------


def prune_raw(uow: UnitOfWork, now: datetime, keep: timedelta = RAW_RETENTION) -> int:
    """Remove raw copies older than the retention; the logbook keeps what was logged."""
    rows = uow.session.scalars(
        sa.select(InboundMail).where(InboundMail.received_at < now - keep, InboundMail.raw_path != "")
    ).all()
    for row in rows:
        Path(row.raw_path).unlink(missing_ok=True)
        row.raw_path = ""
    uow.commit()
    return len(rows)


@dataclass(frozen=True)
class Readable:
    """A received message as staff read it in the workspace: who, when, subject, whole text."""

    id: int
    sender: str | None
    subject: str | None
    received_at: datetime
    text: str | None
    partner_id: int | None
    kept: bool


def readable(session: Session, inbound_id: int) -> Readable:
    row = session.get(InboundMail, inbound_id)
    if row is None:
        raise NotFound(f"no received message {inbound_id}")
    path = Path(row.raw_path) if row.raw_path else None
    if path is None or not path.exists():  # pruned after the retention period, or never kept
        return Readable(row.id, None, None, row.received_at, None, row.partner_id, False)
    message = InboundMessage.parse(path.read_bytes())
    return Readable(row.id, message.sender, message.subject, row.received_at, message.text, row.partner_id, True)
