"""Campaign use cases: queue a campaign's first step for each of its partners' contacts."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.campaign import CampaignFile, LoadedCampaign
from outreach.campaign.uploaded import Origin
from outreach.db import outcomes
from outreach.db.models import Campaign, Contact, Step
from outreach.domain.selection import ranked
from outreach.domain.steps import StepKind
from outreach.domain.suppression import email_hash
from outreach.domain.vocabulary import ContactStatus, StepStatus
from outreach.errors import InvalidInput, NotFound, Problem
from outreach.mail.compose import new_message_id
from outreach.messages.envelope import new_reply_token
from outreach.messages.render import each_draft, kept
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
    summary = QueueSummary(
        logbook.upsert_partners(
            session, campaign.partners, f"campaign:{campaign.settings.name}", advance, move_contacts
        )
    )
    before = session.scalar(sa.select(Campaign).where(Campaign.name == campaign.settings.name))
    old = (dict(before.settings), settings_of(before)) if before is not None else None
    row = _campaign_row(session, campaign, written, origin)
    if old is not None:
        summary.changes = campaign_control.changes(old[0], row.settings)
        if summary.changes:
            summary.steps_updated = campaign_control.refresh_pending(session, row, old[1], campaign.settings, now)
    # In score order: when the caps bind, the partners who fit the criteria best hear from us first.
    ranked_partners = [p for p, _ in ranked(campaign.partners, campaign.settings.selection.criteria)]
    _schedule_first_contacts(session, replace(campaign, partners=ranked_partners), row, renderer, now, summary, advance)
    session.flush()
    return summary


BATCH = 1000  # first-contact steps written per statement


def _schedule_first_contacts(
    session: Session,
    campaign: LoadedCampaign,
    row: Campaign,
    renderer: Renderer,
    now: datetime,
    summary: QueueSummary,
    advance: Callable[[], None],
) -> None:
    """Every first contact is rendered (one that cannot be stops the whole campaign: InvalidInput
    naming each partner and variable); each new one is scheduled with the message it was rendered
    as, so it is not rendered again to be sent. Rendered and written a batch at a time."""
    settings = campaign.settings
    contacts = _stored_contacts(session, [c.email for p in campaign.partners for c in p.contacts])
    existing = set(
        session.scalars(
            sa.select(Step.contact_id).where(Step.campaign_id == row.id, Step.name == StepKind.FIRST_CONTACT)
        )
    )
    suppressed = logbook.suppressed_hashes(session)
    problems: list[Problem] = []
    batch: list[dict] = []
    members: list[int] = []
    with closing(_StepWriter(session)) as writer:
        for draft in each_draft(campaign, renderer, problems, advance):
            summary.fallbacks += draft.notes
            email = draft.contact.email
            contact = contacts.get(email)
            if contact is None or contact.status is not ContactStatus.ACTIVE or email_hash(email) in suppressed:
                summary.not_mailable.append(email)
            elif contact.id in existing:
                summary.already_queued += 1
            elif not problems:  # nothing is written once the campaign is known not to validate
                assert draft.source is not None
                batch.append(
                    _first_step(settings, row, contact, kept(draft.rendered, draft.source.fingerprint(renderer)), now)
                )
                summary.scheduled += 1
                members.append(contact.partner_id)
                if len(batch) >= BATCH:
                    writer.write(batch)
        if problems:
            raise InvalidInput(problems)
        writer.write(batch)
    outcomes.refresh(session.connection(), members)  # written in bulk: the funnel's facts kept here


def _stored_contacts(session: Session, emails: list[str]) -> dict:
    """The logbook's id, partner and status of each address, read a chunk at a time."""
    found = {}
    for start in range(0, len(emails), 1000):
        chunk = emails[start : start + 1000]
        query = sa.select(Contact.id, Contact.partner_id, Contact.status, Contact.email).where(Contact.email.in_(chunk))
        found.update({c.email: c for c in session.execute(query)})
    return found


def _first_step(settings: CampaignFile, row: Campaign, contact, rendered: dict, now: datetime) -> dict:
    return dict(
        campaign_id=row.id,
        partner_id=contact.partner_id,
        contact_id=contact.id,
        name=StepKind.FIRST_CONTACT,
        template=settings.message.template,
        status=StepStatus.SCHEDULED,
        due_at=now,
        message_id=new_message_id(settings.mailbox.address),
        attempts=0,
        created_at=now,
        rendered=rendered,
    ) | _token(settings)


def _token(settings: CampaignFile) -> dict:
    """A reply token where the mailbox has plus-addressing; no key at all where not (every step of a
    batch has the same keys, as one statement writes them)."""
    token = new_reply_token(settings)
    return {"reply_token": token} if token else {}


class _StepWriter:
    """Writes the steps a batch at a time on the session's connection. On a database server, from
    a thread of its own: the server takes one batch while the next is rendered (one batch under
    way; nothing else uses the connection meanwhile: the renderer reads no database). SQLite
    writes in this thread (its work is as much ours as the database's, and a connection may
    belong to one thread)."""

    def __init__(self, session: Session):
        self.connection = session.connection()
        server = self.connection.dialect.name != "sqlite"
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="queue-writer") if server else None
        self.pending: Future | None = None

    def write(self, batch: list[dict]) -> None:
        """Hands the batch over (and empties it), once the one before is written."""
        self.wait()
        if not batch:
            return
        if self.thread is None:
            self.connection.execute(_NEW_STEP, batch)
        else:
            self.pending = self.thread.submit(self.connection.execute, _NEW_STEP, list(batch))
        batch.clear()

    def wait(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()  # a failure of the write is raised here

    def close(self) -> None:
        try:
            self.wait()
        finally:
            if self.thread is not None:
                self.thread.shutdown()


_NEW_STEP = sa.insert(cast(sa.Table, Step.__table__))


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
