"""Headers first: is a message ours before its body is downloaded? And how the watcher of
each mailbox is doing, for `campaign status` in another process.

A message is ours when its threading headers name a message we sent, its To names one of
our reply tokens, its sender is a partner's contact or at a partner's mail domain, or it
is what mail systems send back (a mailer daemon, a report, a bounce or complaint subject).
Everything else is never downloaded or stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.engine import UnitOfWork
from outreach.db.models import Contact, Interaction, Partner, Step, WatcherHealth
from outreach.domain.vocabulary import Direction
from outreach.inbound.message import HeaderFields, HeaderReading
from outreach.inbound.reports import BOUNCE_SUBJECTS, COMPLAINT_SENDERS, COMPLAINT_SUBJECTS, DAEMONS
from outreach.services.inbound.matching import TOKEN

FAILING_TOO_LONG = timedelta(minutes=10)


def relevant(session: Session, mailbox: str, headers: list[bytes], outgoing: bool = False) -> list[bool]:
    """For each message's header block, whether it is ours (one query per kind of key). In the
    Sent folder: mail staff wrote to a partner from their own mail program (what the product
    sent itself is known by its Message-ID and left alone)."""
    messages = [HeaderFields(block) for block in headers]
    if outgoing:
        return _written_to_partners(session, messages)
    ids = {i for m in messages for i in m.thread_ids if len(i) <= 998}
    ours_ids = _known(session, ids, Step.message_id) | _known_sent(session, ids)
    tokens = {t for m in messages for t in _tokens(m)}
    ours_tokens = _known(session, tokens, Step.reply_token)
    senders = {s for m in messages for s in m.senders}
    contacts = _known(session, senders, Contact.email)
    domains = _known(session, {s.rsplit("@", 1)[-1] for s in senders}, Partner.mail_domain)
    own = mailbox.lower()
    return [_is_ours(m, own, ours_ids, ours_tokens, contacts, domains) for m in messages]


def _written_to_partners(session: Session, messages: Sequence[HeaderReading]) -> list[bool]:
    ids = {m.message_id for m in messages if m.message_id}
    ours = _known(session, ids, Step.message_id) | _known_sent(session, ids)
    recipients = {a for m in messages for name in ("To", "Cc") for a in m.addresses(name)}
    contacts = _known(session, recipients, Contact.email)
    domains = _known(session, {a.rsplit("@", 1)[-1] for a in recipients}, Partner.mail_domain)
    return [
        m.message_id not in ours
        and any(a in contacts or a.rsplit("@", 1)[-1] in domains for name in ("To", "Cc") for a in m.addresses(name))
        for m in messages
    ]


def _is_ours(message: HeaderReading, own: str, ids: set, tokens: set, contacts: set, domains: set) -> bool:
    if message.sender == own:
        return False
    if ids & set(message.thread_ids) or tokens & set(_tokens(message)):
        return True
    if any(s in contacts or s.rsplit("@", 1)[-1] in domains for s in message.senders):
        return True
    return _from_a_mail_system(message)


def _from_a_mail_system(message: HeaderReading) -> bool:
    content_type = message.header("Content-Type").lower()
    return bool(
        DAEMONS.match(message.local_part)
        or "multipart/report" in content_type
        or message.header("X-Failed-Recipients")
        or BOUNCE_SUBJECTS.search(message.subject)
        or COMPLAINT_SENDERS.match(message.sender or "")
        or COMPLAINT_SUBJECTS.search(message.subject)
    )


def _tokens(message: HeaderReading) -> list[str]:
    return [
        found
        for name in ("To", "Cc", "Delivered-To", "X-Original-To")
        if "+" in message.header(name)
        for address in message.addresses(name)
        for found in TOKEN.findall(address)
    ]


def _known(session: Session, values: set, column, *where) -> set:
    """Which of `values` the column holds, 500 at a time."""
    wanted = [v for v in values if v]
    found: set = set()
    for start in range(0, len(wanted), 500):
        found |= set(session.scalars(sa.select(column).where(column.in_(wanted[start : start + 500]), *where)))
    return found


def _known_sent(session: Session, ids: set) -> set:
    return _known(session, ids, Interaction.message_id, Interaction.direction == Direction.OUT)


# --- the watcher's health --------------------------------------------------------------------


def record_health(uow: UnitOfWork, mailbox: str, error: str | None, now: datetime) -> None:
    row = uow.session.scalar(sa.select(WatcherHealth).where(WatcherHealth.mailbox == mailbox))
    if row is None:
        row = WatcherHealth(mailbox=mailbox)
        uow.session.add(row)
    if error is None:
        row.last_ok_at, row.failing_since, row.last_error = now, None, None
    else:
        row.failing_since, row.last_error = row.failing_since or now, error[:2000]
    uow.commit()


def failing_watchers(session: Session, now: datetime) -> list[WatcherHealth]:
    """Mailboxes whose watcher has failed for more than 10 minutes without a good sync."""
    return list(
        session.scalars(
            sa.select(WatcherHealth).where(
                WatcherHealth.failing_since.is_not(None), WatcherHealth.failing_since < now - FAILING_TOO_LONG
            )
        )
    )
