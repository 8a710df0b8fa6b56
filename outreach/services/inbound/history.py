"""Mail from before our first message to a partner is history: it is kept in the partner's
timeline, marked so, and never changes a contact's state or schedule. A reply written last year
is not an answer to this year's first contact; staff mail in Sent from before is not an answer
to a to-do.

One exception, in the safe direction: an old opt-out or complaint is honoured (the address goes
on the suppression list, the contact's mail is stopped), with a to-do that says so.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.models import InboundMail, Interaction, Partner, Step
from outreach.domain.vocabulary import Direction, InteractionKind, StepStatus
from outreach.inbound.kinds import AutoReply, Bounce, CalendarReply, Complaint, Delayed, OptOut, Receipt, Reply
from outreach.inbound.quotes import new_text
from outreach.services.events import Event
from outreach.services.inbound.effects import Inbound, opt_out
from outreach.services.inbound.matching import Match
from outreach.services.partners.todos import TodoKind

WENT_OUT = (StepStatus.SENT, StepStatus.UNCERTAIN)
KIND_OF = {
    Reply: InteractionKind.EMAIL,
    CalendarReply: InteractionKind.MEETING,
    AutoReply: InteractionKind.AUTO_REPLY,
    Bounce: InteractionKind.BOUNCE,
    Delayed: InteractionKind.DELAYED,
    Receipt: InteractionKind.RECEIPT,
}


def first_message_at(session: Session, partner_id: int) -> datetime | None:
    """When our first message to the partner went out (any of its contacts); None: not yet.
    A message that may have gone out (uncertain) counts from when it was claimed."""
    return session.scalar(
        sa.select(sa.func.min(sa.func.coalesce(Step.sent_at, Step.claimed_at, Step.created_at))).where(
            Step.partner_id == partner_id, Step.status.in_(WENT_OUT)
        )
    )


def written_at(row: InboundMail) -> datetime:
    """The earlier of the message's own date and its arrival: an old message keeps its age even
    when it was moved into the mailbox today, and a wrong clock makes it old, never new."""
    return min(moment for moment in (row.sent_date, row.received_at) if moment is not None)


def is_history(session: Session, partner: Partner, row: InboundMail, match: Match | None = None) -> bool:
    """Whether the message was written before our first message to the partner. One that names a
    message of ours that went out (its Message-ID, its reply token) was written after it,
    whatever its date."""
    if match is not None and match.step is not None and match.step.status in WENT_OUT:
        return False
    first = first_message_at(session, partner.id)
    return first is None or written_at(row) < first.replace(microsecond=0)  # mail is dated to the second


def keep(inbound: Inbound) -> list[Event]:
    """Log the message as history; an opt-out or complaint is honoured all the same."""
    inbound = replace(inbound, history=True)
    result = inbound.result
    if isinstance(result, (OptOut, Complaint)):
        opt_out(inbound)
        inbound.todo(TodoKind.HISTORY, _honoured(inbound))
        return []
    kind = KIND_OF.get(type(result))
    if kind is not None:
        inbound.log(
            kind,
            new_text(inbound.message.text)[:4000]
            if kind is InteractionKind.EMAIL
            else f"{result.kind.value}, from before our first message (history)",
        )
    return []


def _honoured(inbound: Inbound) -> str:
    who = inbound.contact.email if inbound.contact is not None else inbound.message.sender
    return (
        f"{who} ({inbound.partner.name}) asked not to be mailed on {written_at(inbound.row):%Y-%m-%d}, before "
        f"our first message to them. The opt-out is honoured: they are on the suppression list and their "
        f"scheduled mail is cancelled. Nothing else changed; if they should hear from us after all, ask them "
        f"first by other means."
    )


def staff_mail(
    session: Session,
    partner: Partner,
    contact_id: int | None,
    row: InboundMail,
    subject: str,
    message_id: str | None,
    in_reply_to: str | None,
    text: str,
) -> None:
    """Mail staff wrote to the partner before our first message to it: kept, not an answer."""
    session.add(
        Interaction(
            partner_id=partner.id,
            contact_id=contact_id,
            direction=Direction.OUT,
            kind=InteractionKind.EMAIL,
            occurred_at=row.received_at,
            subject=subject or None,
            message_id=message_id,
            in_reply_to=in_reply_to,
            text=text,
            raw_path=row.raw_path,
            history=True,
        )
    )
