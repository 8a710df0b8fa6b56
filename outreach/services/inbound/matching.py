"""Whose message is it, and is that proved?

A report (bounce, delay, complaint) is proved only by a Message-ID we sent (in the returned
message, its headers, a copy in the text, or In-Reply-To/References) or by our plus-address
token. Anything else that names a partner's address is a suspicion: logged for staff, no
effect. A personal message (reply, out of office, opt-out, calendar answer) changes state
only for the contact who sent it (From or Sender), or for a colleague at the organisation's
mail domain; a thread match from anyone else is a suspicion too.

Matching only reads: a colleague at the partner's mail domain who is not yet a contact is a
`newcomer`, added (or not) by the effects once the message proves who wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.models import Contact, Interaction, Partner, Step
from outreach.domain.vocabulary import Direction
from outreach.inbound.kinds import Classification, Report
from outreach.inbound.message import InboundMessage
from outreach.inbound.trust import Standing


@dataclass(frozen=True)
class Match:
    partner: Partner
    contact: Contact | None
    how: str
    proved: bool = True
    step: Step | None = None  # the message of ours it answers or returns, where one is named
    answers: bool = False  # it carries a Message-ID of ours or our reply token
    newcomer: bool = False  # from someone at the partner's mail domain who is not yet a contact

    @property
    def standing(self) -> Standing:
        if self.newcomer:
            return Standing.NEWCOMER
        return Standing.ANSWER if self.answers else Standing.CONTACT


def find_partner(session: Session, message: InboundMessage, result: Classification) -> Match | None:
    if isinstance(result, Report):
        return _report_match(session, message, result)
    thread = _by_message_ids(session, message.thread_ids) or _by_token(session, message)
    if thread is not None:
        return _sender_of(session, thread, message)
    return _by_sender(session, message)


def _report_match(session: Session, message: InboundMessage, report: Report) -> Match | None:
    proved = _by_message_ids(session, list(report.returned_ids)) or _by_token(session, message)
    if proved is not None:
        named = _contact_of(proved.partner, report.recipient)
        return replace(proved, contact=named or proved.contact)
    suspect = _by_address(session, report.recipient, "the address in the report")
    return replace(suspect, proved=False) if suspect is not None else None


def _sender_of(session: Session, thread: Match, message: InboundMessage) -> Match | None:
    """The thread names a partner; the sender must be one of its people."""
    for sender in message.senders:
        contact = _contact_of(thread.partner, sender)
        if contact is not None:
            return replace(thread, contact=contact)
    if _at_domain_of(thread.partner, message):
        return replace(
            thread, contact=None, newcomer=True, how=f"{thread.how}, a colleague at {thread.partner.mail_domain}"
        )
    own = _by_sender(session, message)
    if own is not None:  # a known contact (or a colleague) of another partner, in someone else's thread
        return replace(own, how=f"{own.how} (in a thread of {thread.partner.name})")
    return replace(
        thread,
        contact=None,
        proved=False,
        how=f"{thread.how}, but from {message.sender or 'no sender'}, "
        f"who is not one of {thread.partner.name}'s contacts",
    )


def _by_sender(session: Session, message: InboundMessage) -> Match | None:
    for sender in message.senders:
        found = _by_address(session, sender, "sender address")
        if found is not None:
            return found
    return _by_domain(session, message)


def _contact_of(partner: Partner, address: str | None) -> Contact | None:
    if not address:
        return None
    return next((c for c in partner.contacts if c.email == address.lower()), None)


def _at_domain_of(partner: Partner, message: InboundMessage) -> bool:
    sender = message.sender
    return bool(sender and partner.mail_domain and sender.rsplit("@", 1)[-1] == partner.mail_domain)


TOKEN = re.compile(r"\+([0-9a-f]{12})@")


def _by_token(session: Session, message: InboundMessage) -> Match | None:
    """Plus-addressing: the answer went to mailbox+TOKEN@domain, the token naming our message."""
    tokens = {
        found
        for name in ("To", "Cc", "Delivered-To", "X-Original-To")
        for address in message.addresses(name)
        for found in TOKEN.findall(address)
    }
    if not tokens:
        return None
    step = session.scalar(sa.select(Step).where(Step.reply_token.in_(tokens)).limit(1))
    return Match(step.partner, step.contact, "reply token", step=step, answers=True) if step is not None else None


def _by_message_ids(session: Session, ids: list[str]) -> Match | None:
    ids = [i for i in ids if len(i) <= 998][:100]
    if not ids:
        return None
    step = session.scalar(sa.select(Step).where(Step.message_id.in_(ids)).limit(1))
    if step is not None:
        return Match(step.partner, step.contact, "thread", step=step, answers=True)
    sent = session.scalar(
        sa.select(Interaction).where(Interaction.message_id.in_(ids), Interaction.direction == Direction.OUT).limit(1)
    )
    return Match(sent.partner, sent.contact, "thread", answers=True) if sent is not None else None


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
    return Match(partners[0], None, "sender domain (new contact)", newcomer=True)
