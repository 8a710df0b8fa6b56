"""Campaign use cases: queue a campaign's first step for each of its partners' contacts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.campaign import CampaignFile, LoadedCampaign
from outreach.campaign.uploaded import Origin
from outreach.db.models import Campaign, Contact, Step
from outreach.domain.selection import ranked
from outreach.domain.steps import StepKind
from outreach.domain.suppression import email_hash
from outreach.domain.vocabulary import ContactStatus, StepStatus
from outreach.errors import NotFound
from outreach.mail.compose import new_message_id
from outreach.messages.envelope import new_reply_token
from outreach.messages.render import draft_all
from outreach.rendering import Renderer
from outreach.services.outbound import campaign_control
from outreach.services.partners import logbook
from outreach.settings import mailboxes
from outreach.settings.campaigns import settings_of


def criteria_of(session: Session, name: str | None = None) -> list:
    """The selection criteria of a queued campaign (named, else the latest queued)."""
    query = sa.select(Campaign).order_by(Campaign.id.desc())
    if name:
        query = query.where(Campaign.name == name)
    row = session.scalar(query.limit(1))
    if row is None:
        raise NotFound(
            f"no campaign {name!r} is queued" if name else "no campaign is queued: its criteria score the partners"
        )
    return list(settings_of(row).selection.criteria)


@dataclass
class QueueSummary:
    partners: logbook.UpsertSummary
    scheduled: int = 0
    already_queued: int = 0
    not_mailable: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # what a changed file changed, queued again
    fallbacks: list[str] = field(default_factory=list)  # contacts whose language has no template
    steps_updated: int = 0


def queue(
    session: Session,
    campaign: LoadedCampaign,
    renderer: Renderer,
    now: datetime,
    advance: Callable[[], None] = lambda: None,
    *,
    origin: Origin = Origin.CLI,
    move_contacts: bool = False,
) -> QueueSummary:
    """Upsert the partners, keep the campaign, schedule the first step for each new contact.

    Every message is rendered first: one that cannot be rendered stops the whole campaign.
    Queuing again schedules nothing twice (one step per contact, campaign and step name). A
    known contact under another organisation's name is refused, or moved with `move_contacts`.
    A mailbox named by address must be registered; the row keeps the name, not the mailbox.
    A campaign uploaded through the workspace (`origin` web) may only name one.
    """
    mailboxes.check_queueable(session, campaign.settings, origin, str(campaign.path))
    written = campaign.settings
    campaign = with_mailbox(session, campaign, origin)
    drafts = draft_all(campaign, renderer, advance)
    summary = QueueSummary(
        logbook.upsert_partners(
            session, campaign.partners, f"campaign:{campaign.settings.name}", advance, move_contacts
        )
    )
    summary.fallbacks = [note for draft in drafts for note in draft.notes]
    before = session.scalar(sa.select(Campaign).where(Campaign.name == campaign.settings.name))
    old = (dict(before.settings), settings_of(before)) if before is not None else None
    row = _campaign_row(session, campaign, written, origin)
    if old is not None:
        summary.changes = campaign_control.changes(old[0], row.settings)
        if summary.changes:
            summary.steps_updated = campaign_control.refresh_pending(session, row, old[1], campaign.settings, now)
    # In score order: when the caps bind, the partners who fit the criteria best hear from us first.
    partners = [p for p, _ in ranked(campaign.partners, campaign.settings.selection.criteria)]
    emails = [c.email for p in partners for c in p.contacts]
    contacts = {c.email: c for c in session.scalars(sa.select(Contact).where(Contact.email.in_(emails)))}
    existing = set(
        session.scalars(
            sa.select(Step.contact_id).where(Step.campaign_id == row.id, Step.name == StepKind.FIRST_CONTACT)
        )
    )
    suppressed = logbook.suppressed_hashes(session)
    for email in emails:
        contact = contacts.get(email)
        if contact is None or contact.status is not ContactStatus.ACTIVE or email_hash(email) in suppressed:
            summary.not_mailable.append(email)
        elif contact.id in existing:
            summary.already_queued += 1
        else:
            session.add(
                Step(
                    campaign_id=row.id,
                    partner_id=contact.partner_id,
                    contact_id=contact.id,
                    name=StepKind.FIRST_CONTACT,
                    template=campaign.settings.message.template,
                    status=StepStatus.SCHEDULED,
                    due_at=now,
                    message_id=new_message_id(campaign.settings.mailbox.address),
                    reply_token=new_reply_token(campaign.settings),
                )
            )
            summary.scheduled += 1
    session.flush()
    return summary


def with_mailbox(session: Session, campaign: LoadedCampaign, origin: Origin = Origin.CLI) -> LoadedCampaign:
    """The loaded campaign with the mailbox it sends from (a named one from the registry)."""
    return replace(campaign, settings=mailboxes.resolved(session, campaign.settings, origin))


def _campaign_row(session: Session, campaign: LoadedCampaign, written: CampaignFile, origin: Origin) -> Campaign:
    settings = campaign.settings
    row = session.scalar(sa.select(Campaign).where(Campaign.name == settings.name))
    # The partners live in the logbook; the row keeps everything else the workers need, with the
    # mailbox as the file wrote it: a name stays a name, so the registry is asked at run time.
    values = dict(
        mailbox=settings.mailbox.address,
        settings=written.model_dump(mode="json", exclude={"partners", "partners_file"}),
        source_path=str(campaign.path),
        origin=origin.value,
    )
    if row is None:
        row = Campaign(name=settings.name, **values)
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()
    return row
