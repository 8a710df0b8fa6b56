"""What staff do with one partner, from the command line or the web workspace alike: a note,
a move to another phase, a one-off mail, holding, resuming or skipping a scheduled message,
editing and adding contacts. Every change records who made it."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.orm import Session

from outreach.db.models import Campaign, Contact, Interaction, Partner, Step
from outreach.domain.phases import manual_move
from outreach.domain.problems import message_for
from outreach.domain.records import ContactIn
from outreach.domain.steps import PENDING, StepKind
from outreach.domain.vocabulary import ContactStatus, Direction, InteractionKind, Phase, StepStatus
from outreach.errors import InvalidInput, NotFound, Problem
from outreach.mail.compose import new_message_id
from outreach.messages.attachments import attachment_of
from outreach.messages.render import renderer_for
from outreach.services.partners import logbook, todos
from outreach.settings.campaigns import settings_of


def add_note(session: Session, partner: Partner, text: str, author: str, now: datetime) -> Interaction:
    if not text.strip():
        raise InvalidInput([Problem("note", None, "text", "the note is empty")])
    note = Interaction(
        partner_id=partner.id,
        direction=Direction.INTERNAL,
        kind=InteractionKind.NOTE,
        occurred_at=now,
        subject=f"note by {author}"[:998],
        text=text.strip(),
        author=author[:200],
    )
    session.add(note)
    session.flush()
    return note


def move(session: Session, partner: Partner, target: Phase, reason: str, by: str, now: datetime) -> None:
    """A partner moved by hand, with the reason kept in the phase history; the to-dos that
    asked for an answer are settled by it."""
    if not reason.strip():
        raise InvalidInput([Problem("move", None, "reason", "say why the partner moves (it is kept in the history)")])
    logbook.record_move(partner, manual_move(partner.phase, target, reason.strip(), by), now)
    todos.answered(session, partner.id, f"moved to {target.value} by {by}", now, by)
    session.flush()


def campaign_of(session: Session, partner: Partner) -> Campaign:
    """The campaign a partner's mail goes through: the one of its latest message."""
    found = session.scalar(
        sa.select(Campaign)
        .join(Step, Step.campaign_id == Campaign.id)
        .where(Step.partner_id == partner.id)
        .order_by(Step.id.desc())
        .limit(1)
    )
    if found is None:
        raise NotFound(f"{partner.name} is in no campaign yet: queue one first (its mailbox sends the mail)")
    return found


def one_off_mail(
    session: Session,
    partner: Partner,
    by: str,
    now: datetime,
    contact: Contact | None = None,
    template: str | None = None,
    subject: str | None = None,
    text: str | None = None,
    attachment: Path | None = None,
    about: Partner | None = None,
) -> Step:
    """A personal mail to one contact, through the same outbox, pacing and at-most-once rules
    as every other; threaded to the conversation. From a template, or free text."""
    contact = contact or next((c for c in partner.contacts if c.status is ContactStatus.ACTIVE), None)
    if contact is None or contact.partner_id != partner.id:
        raise InvalidInput([Problem("mail", None, "contact", f"{partner.name} has no contact who can be written to")])
    if template is None and not (subject and subject.strip() and text and text.strip()):
        raise InvalidInput([Problem("mail", None, "text", "give a template, or a subject and a text")])
    if subject and ("\n" in subject or "\r" in subject):
        raise InvalidInput([Problem("mail", None, "subject", "the subject must be on one line")])
    campaign = campaign_of(session, partner)
    settings = settings_of(campaign)
    step = Step(
        campaign_id=campaign.id,
        partner_id=partner.id,
        contact_id=contact.id,
        name=f"one-off-{uuid.uuid4().hex[:12]}",
        template=template or StepKind.FREE_TEXT,
        status=StepStatus.SCHEDULED,
        due_at=now,
        message_id=new_message_id(settings.mailbox.address),
        created_by=by[:200],
        subject=subject.strip()[:998] if subject else None,
        body=text.strip() if text else None,
        attachment_path=str(attachment.resolve()) if attachment else None,
        about_partner_id=about.id if about else None,
    )
    if attachment is not None:
        attachment_of(attachment)  # readable now, or refused now
    session.add(step)
    session.flush()
    if template is not None:  # a template that cannot be written for this contact is refused now
        from outreach.services.outbound.sending import message_for_step

        message_for_step(step, settings, renderer_for(settings), now)
    return step


def ask_for_introduction(session: Session, target: Partner, via: Contact, by: str, now: datetime) -> Step:
    """The guide's warm introduction: ask a mutual contact to introduce us to a partner (the
    `introduction_request` template, in the mutual contact's language); noted on the partner."""
    if via.partner_id == target.id:
        raise InvalidInput(
            [Problem("introduce", None, "--via", "the mutual contact must be someone outside that partner")]
        )
    step = one_off_mail(session, via.partner, by, now, via, "introduction_request", about=target)
    add_note(session, target, f"Introduction asked from {via.name or via.email} ({via.email}) by {by}", by, now)
    return step


def step_of(session: Session, step_id: int) -> Step:
    step = session.get(Step, step_id)
    if step is None:
        raise NotFound(f"no scheduled message {step_id}")
    return step


def hold_step(session: Session, step_id: int, by: str) -> Step:
    step = step_of(session, step_id)
    if step.status not in PENDING:
        raise InvalidInput(
            [Problem("step", None, str(step_id), f"is {step.status.value}: only a pending message can be held")]
        )
    step.status, step.last_error = StepStatus.HELD, f"held by {by}"
    return step


def resume_step(session: Session, step_id: int, by: str, now: datetime) -> Step:
    step = step_of(session, step_id)
    if step.status is not StepStatus.HELD:
        raise InvalidInput([Problem("step", None, str(step_id), f"is {step.status.value}, not held")])
    if step.template == "next_steps":
        raise InvalidInput(
            [
                Problem(
                    "step",
                    None,
                    str(step_id),
                    "a next-steps mail goes when the meeting's outcome is "
                    "recorded and approved: record or approve it instead",
                )
            ]
        )
    step.status, step.due_at, step.last_error = StepStatus.SCHEDULED, max(step.due_at, now), None
    return step


def skip_step(session: Session, step_id: int, by: str) -> Step:
    step = step_of(session, step_id)
    if step.status not in (*PENDING, StepStatus.HELD):
        raise InvalidInput(
            [Problem("step", None, str(step_id), f"is {step.status.value}: only a pending message can be skipped")]
        )
    step.status, step.last_error = StepStatus.CANCELLED, f"skipped by {by}"
    return step


def scheduled(session: Session, partner_id: int) -> list[Step]:
    return list(
        session.scalars(
            sa.select(Step)
            .where(Step.partner_id == partner_id, Step.status.in_([*PENDING, StepStatus.HELD]))
            .order_by(Step.due_at)
        )
    )


CONTACT_FIELDS = ("name", "salutation", "title", "family_name", "role", "email", "language", "register", "timezone")


def save_contact(
    session: Session,
    partner: Partner,
    values: dict,
    contact: Contact | None = None,
    by: str = "staff",
    now: datetime | None = None,
) -> Contact:
    """A contact edited or added, validated as an import row is; a field left empty is cleared.
    What changed is kept in the partner's timeline, with who changed it."""
    given: dict[str, Any] = {k: (values.get(k) or None) for k in CONTACT_FIELDS}
    try:
        record = ContactIn(**given)
    except ValidationError as error:
        raise InvalidInput(
            [
                Problem("contact", None, str(item["loc"][0]) if item["loc"] else "contact", message_for(item))
                for item in error.errors()
            ]
        ) from None
    clash = session.scalar(sa.select(Contact).where(Contact.email == record.email))
    if clash is not None and clash is not contact:
        raise InvalidInput(
            [Problem("contact", None, "email", f"{record.email} is already a contact of {clash.partner.name}")]
        )
    added = contact is None
    if contact is None:
        contact = Contact(status=ContactStatus.ACTIVE)
        partner.contacts.append(contact)
    changed = [
        f"{name}: {getattr(record, name)}"
        for name in CONTACT_FIELDS
        if getattr(contact, name, None) != getattr(record, name)
    ]
    for name in CONTACT_FIELDS:
        setattr(contact, name, getattr(record, name))
    if changed:
        session.add(
            Interaction(
                partner_id=partner.id,
                direction=Direction.INTERNAL,
                kind=InteractionKind.NOTE,
                occurred_at=now or datetime.now().astimezone(),
                author=by[:200],
                subject=f"contact {record.email} {'added' if added else 'changed'} by {by}"[:998],
                text="; ".join(str(c) for c in changed),
            )
        )
    session.flush()
    return contact
