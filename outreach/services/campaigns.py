"""Campaign use cases: render every message (preview), and queue the first step."""

from __future__ import annotations

import secrets
from html import escape as html_escape
from pathlib import Path
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable
from email.message import EmailMessage, MIMEPart

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from outreach.campaign import CampaignFile, LoadedCampaign
from outreach.campaign.uploaded import Origin
from outreach.db.models import Campaign, Contact, Step
from outreach.db.types import utcnow
from outreach.domain.context import message_context, message_language, message_register, profile_language
from outreach.domain.records import ContactIn, PartnerIn
from outreach.domain.selection import ranked
from outreach.domain.vocabulary import ContactStatus, StepStatus
from outreach.errors import InvalidInput, NotFound, Problem
from outreach.mail.compose import Attachment, Body, Envelope, compose, new_message_id
from outreach.rendering import Renderer, Rendered, TemplateError
from outreach.services import campaign_control, logbook, mailboxes

FIRST_STEP = campaign_control.FIRST_STEP


@dataclass(frozen=True)
class Draft:
    partner: PartnerIn
    contact: ContactIn
    rendered: Rendered
    settings: CampaignFile

    @property
    def notes(self) -> list[str]:
        """Where the contact's language is not fully served, what they get instead, said plainly."""
        who = f"partner {self.partner.name!r}, contact {self.contact.email}"
        used, wanted = self.rendered.written_in, self.rendered.language
        notes = []
        if used not in (wanted, wanted.split("-")[0]):
            notes.append(f"{who}: no {self.rendered.template.split('/')[0]} template in {wanted}; "
                         f"they will get {used} ({self.rendered.template})")
        profile = profile_language(self.settings, used)
        if profile.split("-")[0] != used.split("-")[0] and self.settings.message.attach_one_pager:
            notes.append(f"{who}: the institution profile has no {used} text (add institution.translations.{used}); "
                         f"their one-pager will be in {profile}")
        return notes


def renderer_for(settings: CampaignFile) -> Renderer:
    return Renderer(settings.message.template_dir)


_written: dict[tuple[int, datetime], CampaignFile] = {}
_settings: dict[tuple, CampaignFile] = {}


def settings_of(campaign: Campaign) -> CampaignFile:
    """A queued campaign's settings, validated once per version of the row, with the mailbox it
    sends from: the registry's when it names one (as the registry is now), its own only when it
    was queued from the command line (services/mailboxes.py)."""
    key = (campaign.id, campaign.updated_at)
    if key not in _written:
        _written[key] = CampaignFile.model_validate(campaign.settings, context={"stored": True})
    written = _written[key]
    session = object_session(campaign)
    origin = Origin(campaign.origin or Origin.CLI)
    full = key + (origin, mailboxes.stamp(session, written))
    if full not in _settings:
        _settings[full] = mailboxes.resolved(session, written, origin)
    return _settings[full]


def render_message(settings: CampaignFile, renderer: Renderer, partner: PartnerIn, contact: ContactIn,
                   template: str, extra: dict | Callable[[str], dict] | None = None) -> Rendered:
    """A message in the contact's language and register (or the campaign's language where
    theirs has no template). `extra` may depend on that language (dates): a function of it."""
    name = renderer.variant(template, message_register(settings, contact), message_language(settings, contact),
                            settings.message.language)
    written_in = name.rsplit(".", 2)[-2]
    more = extra(written_in) if callable(extra) else (extra or {})
    context = {**message_context(settings, partner, contact, written_in), **more}
    return renderer.render(name, context, where=f"partner {partner.name!r}, contact {contact.email}")


def criteria_of(session: Session, name: str | None = None) -> list:
    """The selection criteria of a queued campaign (named, else the latest queued)."""
    query = sa.select(Campaign).order_by(Campaign.id.desc())
    if name:
        query = query.where(Campaign.name == name)
    row = session.scalar(query.limit(1))
    if row is None:
        raise NotFound(f"no campaign {name!r} is queued" if name else "no campaign is queued: its criteria score the partners")
    return list(settings_of(row).selection.criteria)


def render_free_text(settings: CampaignFile, renderer: Renderer, partner: PartnerIn, contact: ContactIn,
                     subject: str, body: str) -> Rendered:
    """A one-off mail staff wrote themselves, signed as every message is."""
    context = message_context(settings, partner, contact)
    return renderer.free_text(subject, body, context)


def draft_all(campaign: LoadedCampaign, renderer: Renderer, advance: Callable[[], None] = lambda: None) -> list[Draft]:
    """Every first-contact message, or InvalidInput naming each partner and missing variable."""
    drafts, problems = [], []
    for partner in campaign.partners:
        for contact in partner.contacts:
            advance()
            try:
                rendered = render_message(campaign.settings, renderer, partner, contact, campaign.settings.message.template)
            except TemplateError as error:
                problems.append(Problem(str(campaign.path), None, "template", str(error)))
                continue
            drafts.append(Draft(partner, contact, rendered, campaign.settings))
    if problems:
        raise InvalidInput(problems)
    return drafts


def one_pager(settings: CampaignFile, renderer: Renderer, language: str) -> Attachment:
    """The institution's one-page introduction, wholly in one language: the message's where
    the profile is given in it, else the campaign's. Made once per campaign and language."""
    language = profile_language(settings, language)
    key = (id(settings), language)
    cached = _one_pagers.get(key)
    if cached is None or cached[0] is not settings:
        context = message_context(settings, PartnerIn(name="-"), ContactIn(email="x@x.test", language=language))
        html = renderer.one_pager(context)
        attachment = Attachment(f"{settings.institution.name} - one-pager.html", html.encode("utf-8"), "text", "html")
        cached = _one_pagers[key] = (settings, attachment)
    return cached[1]


_one_pagers: dict[tuple[int, str], tuple[CampaignFile, Attachment]] = {}


def one_pager_part(settings: CampaignFile, renderer: Renderer, language: str) -> MIMEPart:
    """The one-pager as a MIME part, built once and attached to every message that carries it."""
    attachment = one_pager(settings, renderer, language)
    part = _one_pager_parts.get(id(attachment))
    if part is None or part[0] is not attachment:
        part = _one_pager_parts[id(attachment)] = (attachment, attachment.part())
    return part[1]


_one_pager_parts: dict[int, tuple[Attachment, MIMEPart]] = {}


def attachment_of(path: Path) -> Attachment:
    import mimetypes

    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    maintype, subtype = kind.split("/", 1)
    try:
        return Attachment(path.name, path.read_bytes(), maintype, subtype)
    except OSError as error:
        raise InvalidInput([Problem(str(path), None, "attachment", f"cannot read it: {error.strerror}")]) from None


def new_reply_token(settings: CampaignFile) -> str | None:
    """With plus-addressing, each message gets a token of its own for its reply address."""
    return secrets.token_hex(6) if settings.mailbox.plus_addressing else None


def reply_address(settings: CampaignFile, token: str | None) -> str | None:
    """Where answers go: with plus-addressing, the mailbox's address tagged with the step's token."""
    mailbox = settings.mailbox
    if mailbox.plus_addressing and token:
        local, _, domain = (mailbox.reply_to or mailbox.address).partition("@")
        return f"{local}+{token}@{domain}"
    return mailbox.reply_to


def build_message(settings: CampaignFile, renderer: Renderer, contact: ContactIn, rendered: Rendered,
                  message_id: str, date: datetime, extra_headers: dict[str, str] | None = None,
                  reply_token: str | None = None, one_pager: bool = True, document: Path | None = None) -> EmailMessage:
    mailbox = settings.mailbox
    attach = one_pager and settings.message.attach_one_pager
    attachments = (one_pager_part(settings, renderer, rendered.written_in),) if attach else ()
    if document is not None:  # a document staff attach to a one-off mail (a proposal, an MoU)
        attachments += (attachment_of(document).part(),)
    return compose(
        Envelope(mailbox.display_name, mailbox.address, contact.name, contact.email,
                 reply_address(settings, reply_token), settings.message.list_unsubscribe),
        Body(rendered.subject, rendered.text, rendered.html, attachments),
        message_id, date, extra_headers,
    )


@dataclass
class QueueSummary:
    partners: logbook.UpsertSummary
    scheduled: int = 0
    already_queued: int = 0
    not_mailable: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # what a changed file changed, queued again
    fallbacks: list[str] = field(default_factory=list)  # contacts whose language has no template
    steps_updated: int = 0


def queue(session: Session, campaign: LoadedCampaign, renderer: Renderer, now: datetime,
          advance: Callable[[], None] = lambda: None, origin: Origin = Origin.CLI) -> QueueSummary:
    """Upsert the partners, keep the campaign, schedule the first step for each new contact.

    Every message is rendered first: one that cannot be rendered stops the whole campaign.
    Queuing again schedules nothing twice (one step per contact, campaign and step name).
    A mailbox named by address must be registered; the row keeps the name, not the mailbox.
    A campaign uploaded through the workspace (`origin` web) may only name one.
    """
    mailboxes.check_queueable(session, campaign.settings, origin, str(campaign.path))
    written = campaign.settings
    campaign = with_mailbox(session, campaign, origin)
    drafts = draft_all(campaign, renderer, advance)
    summary = QueueSummary(logbook.upsert_partners(session, campaign.partners, f"campaign:{campaign.settings.name}", advance))
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
    existing = set(session.scalars(sa.select(Step.contact_id).where(
        Step.campaign_id == row.id, Step.name == FIRST_STEP)))
    suppressed = logbook.suppressed_hashes(session)
    for email in emails:
        contact = contacts.get(email)
        if contact is None or contact.status is not ContactStatus.ACTIVE or logbook.email_hash(email) in suppressed:
            summary.not_mailable.append(email)
        elif contact.id in existing:
            summary.already_queued += 1
        else:
            session.add(Step(
                campaign_id=row.id, partner_id=contact.partner_id, contact_id=contact.id, name=FIRST_STEP,
                template=campaign.settings.message.template, status=StepStatus.SCHEDULED, due_at=now,
                message_id=new_message_id(campaign.settings.mailbox.address),
                reply_token=new_reply_token(campaign.settings),
            ))
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
    values = dict(mailbox=settings.mailbox.address,
                  settings=written.model_dump(mode="json", exclude={"partners", "partners_file"}),
                  source_path=str(campaign.path), origin=origin.value)
    if row is None:
        row = Campaign(name=settings.name, **values)
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()
    return row


@dataclass
class CampaignStatus:
    name: str
    mailbox: str
    counts: dict[str, int]
    attention: list[dict]
    inbound_failed: list[dict]
    watcher_failing: dict | None
    next_message: dict


def status(session: Session, name: str | None = None, now: datetime | None = None) -> list[CampaignStatus]:
    """Steps per status for each campaign, and what staff must look at: failed and uncertain
    messages, inbound mail of its mailbox that could not be processed, a failing watcher."""
    from outreach.services import inbox, relevance

    failing = {w.mailbox: w for w in relevance.failing_watchers(session, now or utcnow())}
    failed_inbound = inbox.failed(session)
    query = sa.select(Campaign).order_by(Campaign.id)
    if name:
        query = query.where(Campaign.name == name)
    result = []
    for campaign in session.scalars(query):
        counts = dict(session.execute(sa.select(Step.status, sa.func.count()).where(
            Step.campaign_id == campaign.id).group_by(Step.status)).all())
        attention = [
            {"step": s.id, "step_name": s.name, "contact": s.contact.email, "status": s.status.value, "error": s.last_error}
            for s in session.scalars(sa.select(Step).where(
                Step.campaign_id == campaign.id, Step.status.in_([StepStatus.FAILED, StepStatus.UNCERTAIN, StepStatus.HELD])))
        ]
        inbound_failed = [{"inbound": r.id, "uid": r.uid, "error": r.error} for r in failed_inbound
                          if r.mailbox == campaign.mailbox]
        watcher = failing.get(campaign.mailbox)
        watcher_failing = ({"since": watcher.failing_since.isoformat(), "error": watcher.last_error}
                           if watcher is not None else None)
        from outreach.services.scheduler import room_left

        upcoming = campaign_control.next_message(session, campaign, settings_of(campaign), now or utcnow(), room_left)
        result.append(CampaignStatus(campaign.name, campaign.mailbox,
                                     {s.value: counts.get(s, 0) for s in StepStatus}, attention,
                                     inbound_failed, watcher_failing,
                                     {"at": upcoming.at.isoformat() if upcoming.at else None, "why": upcoming.why}))
    return result


def staff_notice_message(settings: CampaignFile, notice, date: datetime) -> EmailMessage:
    """A `TellStaff` event as mail, with the partner's whole message attached where it is kept."""
    from email import message_from_bytes

    from outreach.mail.policy import READING

    mailbox = settings.mailbox
    attached = ()
    if notice.raw_path and Path(notice.raw_path).is_file():
        original = MIMEPart()
        original.set_content(message_from_bytes(Path(notice.raw_path).read_bytes(), policy=READING))
        attached = (original,)
    return compose(
        Envelope(mailbox.display_name, mailbox.address, None, notice.to),
        Body(notice.subject[:200], notice.text, f"<pre>{html_escape(notice.text)}</pre>", attached),
        new_message_id(mailbox.address), date)
