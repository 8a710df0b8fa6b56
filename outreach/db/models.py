"""The partner logbook: partners (organisations), contacts, interactions, phase history,
and the suppression list."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from outreach.db.types import UTCDateTime, enum_column, utcnow
from outreach.domain.vocabulary import (
    ContactStatus,
    Direction,
    InteractionKind,
    PartnerStatus,
    Phase,
    Register,
    Salutation,
    Source,
    StepStatus,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class Partner(Base):
    """An organisation we build a partnership with (employer, chamber, NGO, ...)."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    website: Mapped[str | None] = mapped_column(sa.String(300))
    mail_domain: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    country: Mapped[str | None] = mapped_column(sa.String(2))
    region: Mapped[str | None] = mapped_column(sa.String(120))
    working_hours: Mapped[str | None] = mapped_column(sa.String(11))  # "09:00-17:00" where they are; none: that
    source: Mapped[Source] = mapped_column(enum_column(Source), default=Source.OTHER)
    partnership_types: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    focus_area: Mapped[str | None] = mapped_column(sa.Text)
    personal_note: Mapped[str | None] = mapped_column(sa.Text)  # one sentence for this partner's first mail
    notes: Mapped[str | None] = mapped_column(sa.Text)
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    extra: Mapped[dict | None] = mapped_column(sa.JSON, default=dict)  # the spreadsheet's other columns, as given
    # Collaboration setup: what the partnership agreed on besides its KPIs (tools, meeting schedule).
    partnership: Mapped[dict | None] = mapped_column(sa.JSON)
    influence: Mapped[int | None] = mapped_column()  # the stakeholder matrix: 1 (low) to 5 (high)
    interest: Mapped[int | None] = mapped_column()
    phase: Mapped[Phase] = mapped_column(enum_column(Phase), default=Phase.SCOUTING, index=True)
    status: Mapped[PartnerStatus] = mapped_column(enum_column(PartnerStatus), default=PartnerStatus.ACTIVE)
    later_until: Mapped[date | None] = mapped_column(sa.Date)  # status "later": the day the partner meant
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The latest interaction's time, kept as interactions are written (the pipeline orders by it).
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="partner", cascade="all, delete-orphan", order_by="Contact.id"
    )
    interactions: Mapped[list[Interaction]] = relationship(
        back_populates="partner", cascade="all, delete-orphan", order_by="Interaction.occurred_at"
    )
    phase_history: Mapped[list[PhaseChange]] = relationship(
        back_populates="partner", cascade="all, delete-orphan", order_by="PhaseChange.id"
    )


# The Pipeline reads each column's page from here (phase, then the latest activity), and the
# partnerships on Reports by name.
sa.Index(
    "ix_partners_phase_activity",
    Partner.phase,
    sa.func.coalesce(Partner.last_activity_at, Partner.created_at),
    Partner.id,
)
sa.Index("ix_partners_name_id", Partner.name, Partner.id)


class Contact(Base):
    """A person at a partner organisation."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    role: Mapped[str | None] = mapped_column(sa.String(200))
    salutation: Mapped[Salutation | None] = mapped_column(enum_column(Salutation))
    title: Mapped[str | None] = mapped_column(sa.String(60))
    family_name: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    language: Mapped[str | None] = mapped_column(sa.String(8))
    register: Mapped[Register | None] = mapped_column(enum_column(Register))
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    introduced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id", ondelete="SET NULL"))
    status: Mapped[ContactStatus] = mapped_column(enum_column(ContactStatus), default=ContactStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Partner] = relationship(back_populates="contacts")


class Interaction(Base):
    """Every mail out and in, meeting and note, as the log shows it."""

    __tablename__ = "interactions"
    __table_args__ = (
        sa.Index("ix_interactions_partner_id_occurred_at", "partner_id", "occurred_at"),
        sa.Index("ix_interactions_returns_on", "returns_on"),  # Today: back from out of office
        # Reports: who replied, bounced, was away or opted out, and replies per week, from the index alone
        sa.Index("ix_interactions_received", "direction", "kind", "history", "partner_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    direction: Mapped[Direction] = mapped_column(enum_column(Direction))
    kind: Mapped[InteractionKind] = mapped_column(enum_column(InteractionKind))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    subject: Mapped[str | None] = mapped_column(sa.String(998))
    message_id: Mapped[str | None] = mapped_column(sa.String(998), index=True)
    in_reply_to: Mapped[str | None] = mapped_column(sa.String(998))
    text: Mapped[str | None] = mapped_column(sa.Text)
    raw_path: Mapped[str | None] = mapped_column(sa.String(1024))
    author: Mapped[str | None] = mapped_column(sa.String(200))  # the person who wrote a note or a one-off mail
    returns_on: Mapped[date | None] = mapped_column(sa.Date)  # an out-of-office answer: the day they are back
    # Mail written before our first message to the partner: kept in the timeline, never acted on
    # (not a reply, not an answer from staff).
    history: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    partner: Mapped[Partner] = relationship(back_populates="interactions")
    contact: Mapped[Contact | None] = relationship()


class PhaseChange(Base):
    """One step in a partner's phase history: from, to, when, why and by what."""

    __tablename__ = "phase_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    from_phase: Mapped[Phase | None] = mapped_column(enum_column(Phase))
    to_phase: Mapped[Phase] = mapped_column(enum_column(Phase))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(sa.Text)
    by: Mapped[str] = mapped_column(sa.String(200))

    partner: Mapped[Partner] = relationship(back_populates="phase_history")


class CampaignPartner(Base):
    """A partner a campaign's first contact went to (sent or not), with the first time anything
    was heard back from them: a reply, a bounce, an out-of-office answer, an opt-out (mail in,
    never history; from any campaign, as the funnel counts it), and the campaign's meetings with
    them (all, and those an attendee accepted). Kept as the logbook is written (db/outcomes.py),
    so the funnel counts these rows instead of every mail received and every meeting."""

    __tablename__ = "campaign_partners"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        sa.ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    out_of_office_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    meetings_invited: Mapped[int] = mapped_column(default=0)
    meetings_accepted: Mapped[int] = mapped_column(default=0)


class RepliesOnDay(Base):
    """How many replies (mail in, not history) the logbook holds from a day (UTC): the weekly
    chart adds these up. Kept as the logbook is written (db/outcomes.py)."""

    __tablename__ = "replies_per_day"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    replies: Mapped[int] = mapped_column(default=0)


class Suppression(Base):
    """An address never to be mailed again.

    Kept by a hash of the normalised address, so that a person who asked to be forgotten
    stays unmailable without the address itself being kept (`email` is then NULL).
    """

    __tablename__ = "suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(320))
    reason: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Campaign(Base):
    """A queued campaign: its validated settings are kept, so workers need no file."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    mailbox: Mapped[str] = mapped_column(sa.String(320), index=True)
    settings: Mapped[dict] = mapped_column(sa.JSON)
    source_path: Mapped[str | None] = mapped_column(sa.String(1024))
    # "cli" or "web" (campaign/uploaded.py): a campaign uploaded through the workspace never
    # uses servers, secret sources or commands of its own, at queue time or at run time.
    origin: Mapped[str] = mapped_column(sa.String(8), default="cli", server_default="cli")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # nothing is queued while set
    digest_week: Mapped[str | None] = mapped_column(sa.String(10))  # the ISO week its weekly digest went


class Step(Base):
    """One message of a campaign's sequence to one contact, due at `due_at`.

    The unique key (contact, campaign, step name) is what makes queuing idempotent; the
    Message-ID is made when the step is scheduled, before anything is sent.
    """

    __tablename__ = "steps"
    __table_args__ = (
        sa.UniqueConstraint("contact_id", "campaign_id", "name", name="uq_steps_contact_campaign_name"),
        sa.Index("ix_steps_status_due_at", "status", "due_at"),
        sa.Index("ix_steps_template_due_at", "template", "due_at"),  # Today: check-ins due
        # Reports: what each campaign sent, and its first contacts waiting or sent, from the index alone
        sa.Index("ix_steps_campaign_status_name", "campaign_id", "status", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    template: Mapped[str] = mapped_column(sa.String(80))
    status: Mapped[StepStatus] = mapped_column(enum_column(StepStatus), default=StepStatus.SCHEDULED)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    message_id: Mapped[str] = mapped_column(sa.String(998), unique=True)
    reply_token: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    retry_of: Mapped[int | None] = mapped_column(sa.ForeignKey("steps.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(default=0)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A one-off mail staff wrote themselves (no template): its words, and who wrote it.
    subject: Mapped[str | None] = mapped_column(sa.String(998))
    body: Mapped[str | None] = mapped_column(sa.Text)
    created_by: Mapped[str | None] = mapped_column(sa.String(200))
    attachment_path: Mapped[str | None] = mapped_column(sa.String(1024))  # a document staff attach (a proposal)
    due_before_pause: Mapped[datetime | None] = mapped_column(UTCDateTime)  # `partners pause --until` moved it
    # An introduction request: the partner to be introduced to (a plain id: steps belong to their
    # own partner; a forgotten target simply reads as none).
    about_partner_id: Mapped[int | None] = mapped_column()
    # The message as it was rendered when the step was queued (subject, text, html, template,
    # language, register, summary) and the fingerprint of what it was made from
    # (messages/render.py): sending uses it as it is unless the fingerprint changed. Read only
    # where the message is sent (deferred: the scheduler's and the pages' reads skip it).
    rendered: Mapped[dict | None] = mapped_column(sa.JSON, deferred=True)

    campaign: Mapped[Campaign] = relationship()
    partner: Mapped[Partner] = relationship()
    contact: Mapped[Contact] = relationship()


class InboundMail(Base):
    """A message the watcher found in a watched folder; stored raw before anything else."""

    __tablename__ = "inbound_mail"
    __table_args__ = (
        sa.UniqueConstraint("mailbox", "folder", "uidvalidity", "uid", name="uq_inbound_mail_position"),
        sa.Index("ix_inbound_mail_mailbox_message_id", "mailbox", "message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox: Mapped[str] = mapped_column(sa.String(320))
    folder: Mapped[str] = mapped_column(sa.String(255))
    uidvalidity: Mapped[int] = mapped_column(sa.BigInteger)
    uid: Mapped[int] = mapped_column(sa.BigInteger)
    message_id: Mapped[str | None] = mapped_column(sa.String(998))
    raw_path: Mapped[str] = mapped_column(sa.String(1024))
    status: Mapped[str] = mapped_column(sa.String(16), default="new", index=True)
    kind: Mapped[str | None] = mapped_column(sa.String(32))
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id", ondelete="SET NULL"))
    error: Mapped[str | None] = mapped_column(sa.Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # INTERNALDATE, else arrival
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_date: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the sender's Date, when it reads
    content_hash: Mapped[str | None] = mapped_column(sa.String(64))
    reason: Mapped[str | None] = mapped_column(sa.String(32))  # a bounce's reason
    attempts: Mapped[int] = mapped_column(default=0)


class Checkpoint(Base):
    """How far the watcher has read a folder: UIDVALIDITY and the last UID stored."""

    __tablename__ = "checkpoints"
    __table_args__ = (sa.UniqueConstraint("mailbox", "folder", name="uq_checkpoints_mailbox_folder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox: Mapped[str] = mapped_column(sa.String(320))
    folder: Mapped[str] = mapped_column(sa.String(255))
    uidvalidity: Mapped[int] = mapped_column(sa.BigInteger)
    last_uid: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Where reading began (the UID before the first one read): a first start begins at the
    # mailbox's present; `--since` reaches back once. None: read from the folder's start.
    first_uid: Mapped[int | None] = mapped_column(sa.BigInteger)


class Meeting(Base):
    """A first exploration meeting: one iCalendar UID for its whole life, SEQUENCE per change."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="SET NULL"))
    uid: Mapped[str] = mapped_column(sa.String(255), unique=True)
    sequence: Mapped[int] = mapped_column(default=0)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16), default="invited")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(16), default="exploration", server_default="exploration")  # or check_in
    rrule: Mapped[str | None] = mapped_column(sa.String(200))  # a series: e.g. FREQ=MONTHLY;INTERVAL=3

    partner: Mapped[Partner] = relationship()
    attendees: Mapped[list[MeetingAttendee]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingAttendee.id"
    )


class MeetingOutcome(Base):
    """What staff recorded after a meeting (takeaways, actions, contact persons, types), and
    who approved the next-steps mail drafted from it."""

    __tablename__ = "meeting_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), unique=True)
    content: Mapped[dict] = mapped_column(sa.JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(sa.String(200))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(sa.String(200))


class Kpi(Base):
    """A key performance indicator of a partnership (collaboration setup): its target and where
    it stands, updated by staff; the check-ins list its progress and ask for updates."""

    __tablename__ = "kpis"
    __table_args__ = (sa.UniqueConstraint("partner_id", "name", name="uq_kpis_partner_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    target: Mapped[float] = mapped_column(sa.Float)
    unit: Mapped[str] = mapped_column(sa.String(60))
    due: Mapped[date | None] = mapped_column(sa.Date)
    current: Mapped[float | None] = mapped_column(sa.Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(sa.String(200))


class MeetingAttendee(Base):
    """A partner contact invited to a meeting, with the last answer they gave."""

    __tablename__ = "meeting_attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id", ondelete="SET NULL"))
    email: Mapped[str] = mapped_column(sa.String(320))
    name: Mapped[str | None] = mapped_column(sa.String(200))
    partstat: Mapped[str] = mapped_column(sa.String(16), default="NEEDS-ACTION")
    comment: Mapped[str | None] = mapped_column(sa.Text)
    answered_sequence: Mapped[int | None] = mapped_column()
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # Today: this week's answers

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")


class BookingLink(Base):
    """A contact's own link to the booking page: an unguessable token that expires. Whoever holds
    it picks a slot for the partner's first exploration meeting; a second pick moves it."""

    __tablename__ = "booking_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    step_id: Mapped[int | None] = mapped_column(sa.ForeignKey("steps.id", ondelete="SET NULL"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    picked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    picks: Mapped[int] = mapped_column(default=0, server_default="0")  # each sends mail: bounded

    partner: Mapped[Partner] = relationship()
    contact: Mapped[Contact] = relationship()


class Todo(Base):
    """Something a person should look at: a rejection of our mail, a message we could not
    process, a report or answer that did not prove it concerns the partner it names."""

    __tablename__ = "todos"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    open_key: Mapped[str | None] = mapped_column(sa.String(80), unique=True)  # set while open: told once
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    inbound_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inbound_mail.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    done_reason: Mapped[str | None] = mapped_column(sa.Text)
    done_by: Mapped[str | None] = mapped_column(sa.String(200))
    # What a person decides on: a reply put before them (kind review_reply), the reader's reading
    # and the new text; a counter-proposal (kind counter), the meeting and the proposed time.
    reading: Mapped[dict | None] = mapped_column(sa.JSON)

    partner: Mapped[Partner | None] = relationship()


class ReplyLabel(Base):
    """A person's decision on a partner's reply, with the reply's new text: the school's own
    labelled reply, trained on with the shipped set. Never exported: it stays in the logbook."""

    __tablename__ = "reply_labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    inbound_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inbound_mail.id", ondelete="SET NULL"))
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str | None] = mapped_column(sa.String(8))
    intent: Mapped[str] = mapped_column(sa.String(32))
    until: Mapped[date | None] = mapped_column(sa.Date)
    referral_email: Mapped[str | None] = mapped_column(sa.String(320))
    referral_name: Mapped[str | None] = mapped_column(sa.String(200))
    read_as: Mapped[str | None] = mapped_column(sa.String(32))  # what the reader made of it
    decided_by: Mapped[str | None] = mapped_column(sa.String(200))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WatcherHealth(Base):
    """How a mailbox's watcher is doing, for `campaign status` in another process."""

    __tablename__ = "watcher_health"

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox: Mapped[str] = mapped_column(sa.String(320), unique=True)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)


class SendingHealth(Base):
    """Whether a mailbox can send, by address (registered or written in a campaign file): working,
    or failing since a time with its last error in plain words. Kept where sending succeeds or
    fails (services/outbound/sending_health.py), read by `campaign status`, the pages, the digest."""

    __tablename__ = "sending_health"

    address: Mapped[str] = mapped_column(sa.String(320), primary_key=True)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    last_tried_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last failed attempt
    tried_with: Mapped[str | None] = mapped_column(sa.String(64))  # which settings failed (a digest, no secret)
    last_turn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the latest message let go, in the pace


class RegisteredMailbox(Base):
    """A mailbox the administrator registered (`outreach mailboxes add`): its servers and its one
    secret source. Campaigns name it by address; the secret itself is never stored here, only
    where it comes from (an environment variable, a file, a command)."""

    __tablename__ = "mailboxes"

    address: Mapped[str] = mapped_column(sa.String(320), primary_key=True)
    display_name: Mapped[str] = mapped_column(sa.String(200))
    reply_to: Mapped[str | None] = mapped_column(sa.String(320))
    plus_addressing: Mapped[bool] = mapped_column(default=False)
    smtp: Mapped[dict] = mapped_column(sa.JSON)  # campaign.model.Server, as the campaign file has it
    imap: Mapped[dict] = mapped_column(sa.JSON)  # campaign.model.ImapServer
    username: Mapped[str] = mapped_column(sa.String(320))
    secret_kind: Mapped[str] = mapped_column(sa.String(32))  # one of campaign.model.SECRET_SOURCES
    secret_source: Mapped[str] = mapped_column(sa.Text)  # the variable's name, the file's path, the command
    # The receiving server's Authentication-Results id(s) (RFC 8601): a string or a list.
    authserv_id: Mapped[str | list | None] = mapped_column(sa.JSON)
    tested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    test_ok: Mapped[bool | None] = mapped_column()
    test_result: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class User(Base):
    """A person who works in the web workspace: admin (also manages accounts), officer (works
    with partners and campaigns) or viewer (reads only). The password is kept as an argon2 hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timezone: Mapped[str | None] = mapped_column(sa.String(64))  # where the person reads times; none: the campaign's


class WebSession(Base):
    """A logged-in browser. The cookie carries a random token; only its SHA-256 is kept here,
    so the table alone logs nobody in. Deleting the row ends the session at once."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    client: Mapped[str] = mapped_column(sa.String(64), default="")

    user: Mapped[User] = relationship()


class AuditEvent(Base):
    """Who did what, when and from where: logins, account changes, uploads, exports, erasures."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(sa.String(200))
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    subject: Mapped[str] = mapped_column(sa.String(320), default="")
    source: Mapped[str] = mapped_column(sa.String(64), default="")
    detail: Mapped[str] = mapped_column(sa.Text, default="")


# Every interaction written through a session moves its partner's last activity on. (A mapped
# class's __table__ is a Table; SQLAlchemy types it as any FromClause.)
LAST_ACTIVITY = (
    sa.update(cast(sa.Table, Partner.__table__))
    .where(
        Partner.__table__.c.id == sa.bindparam("partner_id"),
        sa.or_(
            Partner.__table__.c.last_activity_at.is_(None), Partner.__table__.c.last_activity_at < sa.bindparam("at")
        ),
    )
    .values(last_activity_at=sa.bindparam("at"))
)


@sa.event.listens_for(Session, "after_flush")
def _last_activity(session, _context) -> None:
    latest: dict[int, datetime] = {}
    for obj in session.new:
        if isinstance(obj, Interaction) and obj.partner_id is not None and obj.occurred_at is not None:
            latest[obj.partner_id] = max(obj.occurred_at, latest.get(obj.partner_id, obj.occurred_at))
    if latest:
        session.connection().execute(LAST_ACTIVITY, [{"partner_id": p, "at": at} for p, at in latest.items()])
