"""Right to erasure, complete: after `forget`, the person's address and name are found
nowhere in the logbook, the database file or the raw mail; only a one-way hash stays on the
suppression list so they are never mailed again.

    rows about the person -> deleted (contact, steps, interactions, meeting attendance,
                             stored inbound mail that names them, with its raw file)
    text that mentions them -> the address and name replaced by FORGOTTEN (phase history,
                             other interactions, to-dos, errors)
    the SQLite file       -> secure_delete, then VACUUM and a WAL checkpoint
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db import outcomes
from outreach.db.models import (
    AuditEvent,
    Campaign,
    Contact,
    InboundMail,
    Interaction,
    MeetingAttendee,
    PhaseChange,
    ReplyLabel,
    Step,
    Suppression,
    Todo,
)
from outreach.domain.suppression import email_hash
from outreach.errors import NotFound

ERASURE = "erasure"  # the suppression reason; the address itself is gone
FORGOTTEN = "[forgotten]"


@dataclass
class Forgotten:
    email: str
    partner_name: str | None
    interactions_removed: int
    raw_files: list[str] = field(default_factory=list)
    mailboxes: list[str] = field(default_factory=list)  # where our copies of mail to them remain


def forget(session: Session, email: str) -> Forgotten:
    email = email.strip().lower()
    hashed = email_hash(email)
    contact = session.scalar(sa.select(Contact).where(Contact.email == email))
    suppression = session.scalar(sa.select(Suppression).where(Suppression.email_hash == hashed))
    if contact is None and suppression is None:
        raise NotFound(f"{email} is not in the logbook or the suppression list")
    result = Forgotten(email, None, 0)
    names = [email]
    if contact is not None:
        result.partner_name = contact.partner.name
        names += [contact.name] if contact.name and len(contact.name) >= 3 else []
        result.mailboxes = sorted(
            set(session.scalars(sa.select(Campaign.mailbox).join(Step).where(Step.contact_id == contact.id)))
        )
        result.interactions_removed = _remove_rows(session, contact, result)
    result.raw_files += _remove_inbound_naming(session, names)
    _redact_text(session, names)
    if suppression is None:
        session.add(Suppression(email_hash=hashed, email=None, reason=ERASURE))
    else:
        suppression.email, suppression.reason = None, ERASURE
    session.flush()
    return result


def _remove_rows(session: Session, contact: Contact, result: Forgotten) -> int:
    interactions = session.scalars(sa.select(Interaction).where(Interaction.contact_id == contact.id)).all()
    raw = [i.raw_path for i in interactions if i.raw_path]
    for interaction in interactions:
        session.delete(interaction)
    for row in session.scalars(sa.select(InboundMail).where(InboundMail.raw_path.in_(raw))) if raw else ():
        _forget_labels(session, row)
        session.delete(row)
    result.raw_files += raw
    session.execute(
        sa.delete(MeetingAttendee).where(
            sa.or_(MeetingAttendee.contact_id == contact.id, sa.func.lower(MeetingAttendee.email) == contact.email)
        )
    )
    session.execute(
        sa.update(Step)
        .where(Step.retry_of.in_(sa.select(Step.id).where(Step.contact_id == contact.id)))
        .values(retry_of=None)
    )
    session.execute(sa.delete(Step).where(Step.contact_id == contact.id))
    outcomes.refresh(session.connection(), [contact.partner_id])  # its campaigns may be fewer now
    session.delete(contact)
    session.flush()
    return len(interactions)


def _remove_inbound_naming(session: Session, names: list[str]) -> list[str]:
    """Stored inbound mail whose raw text names the person (a bounce about them, a reply from
    them that matched nobody), with its raw file."""
    removed = []
    needles = [n.lower().encode() for n in names]
    for row in session.scalars(sa.select(InboundMail).where(InboundMail.raw_path != "")):
        path = Path(row.raw_path)
        try:
            raw = path.read_bytes().lower()
        except OSError:
            continue
        if any(needle in raw for needle in needles):
            removed.append(row.raw_path)
            _forget_labels(session, row)
            session.delete(row)
    return removed


def _forget_labels(session: Session, row: InboundMail) -> None:
    """The school's labels made from the person's reply (its text is theirs) go with it."""
    session.execute(sa.delete(ReplyLabel).where(ReplyLabel.inbound_id == row.id))


def _redact_text(session: Session, names: list[str]) -> None:
    """The address and name replaced wherever free text mentions them."""
    columns = [
        (PhaseChange, PhaseChange.reason),
        (Interaction, Interaction.text),
        (Interaction, Interaction.subject),
        (Todo, Todo.text),
        (Step, Step.last_error),
        (InboundMail, InboundMail.error),
        (AuditEvent, AuditEvent.subject),
        (AuditEvent, AuditEvent.detail),
        (ReplyLabel, ReplyLabel.text),
        (ReplyLabel, ReplyLabel.referral_email),
        (ReplyLabel, ReplyLabel.referral_name),
    ]
    for model, column in columns:
        for name in names:
            pattern = f"%{name.lower()}%"
            for row in session.scalars(sa.select(model).where(sa.func.lower(column).like(pattern))):
                setattr(row, column.key, _replace(getattr(row, column.key), name))


def _replace(text: str, name: str) -> str:
    lower, target, out, start = text.lower(), name.lower(), [], 0
    while (found := lower.find(target, start)) >= 0:
        out += [text[start:found], FORGOTTEN]
        start = found + len(target)
    return "".join(out) + text[start:]


def scrub_database_file(engine) -> None:
    """SQLite keeps deleted content in free pages and the WAL until they are reused: rebuild
    the file and empty the WAL. PostgreSQL's VACUUM runs on its own schedule there."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("PRAGMA secure_delete=ON")
        connection.exec_driver_sql("VACUUM")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
