"""Every kind of message a campaign can send, to each contact, before anything is sent: the
first contact, each follow-up, "later", the closing mail, the warm introduction and the request
for one, the booking mail, the meeting invitation with its .ics, its update and cancellation, the
next-steps mail and the check-in. Rendered through the same code that sends them, on a scratch
logbook in a temporary folder (the real logbook is never touched; nothing is sent)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.campaign import LoadedCampaign
from outreach.db.engine import UnitOfWork, make_engine
from outreach.db.migrate import upgrade
from outreach.db.models import Campaign, Contact, Meeting, MeetingOutcome, Partner, Step
from outreach.domain.steps import StepKind
from outreach.mail.compose import new_message_id
from outreach.rendering import Renderer
from outreach.services.meetings import booking
from outreach.services.meetings import invitations as meetings
from outreach.services.outbound import campaigns
from outreach.services.outbound.sending import message_for_step, record_sent
from outreach.settings.campaigns import settings_of

SAMPLE_OUTCOME = {
    "takeaways": ["(the takeaways staff record after the meeting)"],
    "actions": [{"what": "(an action agreed)", "owner": "both", "due": None}],
    "contacts": {"ours": [], "theirs": []},
    "partnership_types": [],
}


@dataclass(frozen=True)
class Written:
    contact: str
    kind: str
    subject: str
    files: tuple[str, ...]
    problem: str | None = None  # why this kind could not be written for this contact


def every_message(campaign: LoadedCampaign, renderer: Renderer, out: Path, now: datetime) -> list[Written]:
    """Write every kind of message for every contact under `out/<contact>/`; return what was written."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Written] = []
    with _scratch_logbook() as uow:
        campaigns.queue(uow.session, campaign, renderer, now)
        uow.commit()
        row = uow.session.scalars(sa.select(Campaign)).one()
        partners = list(uow.session.scalars(sa.select(Partner).order_by(Partner.id)))
        for number, partner in enumerate(partners):
            other = partners[(number + 1) % len(partners)] if len(partners) > 1 else None
            for contact in partner.contacts:
                folder = out / _slug(contact.email)
                folder.mkdir(exist_ok=True)
                for kind, write in _kinds(uow, row, partner, contact, other, renderer, now):
                    written.append(_attempt(contact.email, kind, folder, write))
                uow.session.rollback()
    return written


Writer = Callable[[Path], tuple[str, tuple[str, ...]]]


def _attempt(address: str, kind: str, folder: Path, write: Writer) -> Written:
    try:
        subject, files = write(folder)
    except Exception as error:
        return Written(address, kind, "", (), f"{type(error).__name__}: {error}")
    return Written(address, kind, subject, files)


def _kinds(
    uow: UnitOfWork,
    row: Campaign,
    partner: Partner,
    contact: Contact,
    other: Partner | None,
    renderer: Renderer,
    now: datetime,
) -> Iterator[tuple[str, Writer]]:
    session, settings = uow.session, settings_of(row)
    first = _first_contact(session, row, contact)
    yield "01-first-contact", lambda folder: _step_mail(folder, "01-first-contact", first, renderer, now, sent=True)
    for index, step in enumerate(settings.sequence, start=2):
        name = f"{index:02d}-{step.name}"
        yield name, _step_writer(session, row, partner, contact, step.name, step.template, renderer, now, name)
    extra = [
        ("later", StepKind.LATER, None),
        ("closing", StepKind.CLOSING, None),
        ("introduction", StepKind.INTRODUCTION, None),
        ("introduction-request", StepKind.INTRODUCTION_REQUEST, other.id if other else None),
        ("check-in", StepKind.CHECK_IN, None),
    ]
    if settings.meeting.booking:
        extra.insert(2, ("booking", StepKind.BOOKING, None))
    for offset, (label, template, about) in enumerate(extra, start=len(settings.sequence) + 2):
        name = f"{offset:02d}-{label}"
        yield name, _step_writer(session, row, partner, contact, label, template, renderer, now, name, about)
    base = len(settings.sequence) + len(extra) + 2
    yield from _meeting_kinds(session, row, partner, renderer, now, base)


def _first_contact(session: Session, row: Campaign, contact: Contact) -> Step:
    return session.scalars(
        sa.select(Step).where(
            Step.contact_id == contact.id, Step.campaign_id == row.id, Step.name == StepKind.FIRST_CONTACT
        )
    ).one()


def _step_writer(
    session: Session,
    row: Campaign,
    partner: Partner,
    contact: Contact,
    label: str,
    template: str,
    renderer: Renderer,
    now: datetime,
    name: str,
    about: int | None = None,
) -> Writer:
    def write(folder: Path) -> tuple[str, tuple[str, ...]]:
        step = Step(
            campaign_id=row.id,
            partner_id=partner.id,
            contact_id=contact.id,
            name=f"preview-{label}",
            template=template,
            due_at=now,
            message_id=new_message_id(settings_of(row).mailbox.address),
            about_partner_id=about,
        )
        session.add(step)
        session.flush()
        if template == StepKind.INTRODUCTION and contact.introduced_by_id is None:
            contact.introduced_by_id = _introducer(session, contact)  # as if a partner had pointed us to them
        if template == StepKind.BOOKING:
            link = booking.link_for(session, partner, contact, row, now)
            link.step_id = step.id
            session.flush()
        return _step_mail(folder, name, step, renderer, now)

    return write


def _introducer(session: Session, contact: Contact) -> int | None:
    """Someone else in the logbook to stand for the colleague who introduced us."""
    return session.scalar(sa.select(Contact.id).where(Contact.id != contact.id).order_by(Contact.id).limit(1))


def _step_mail(
    folder: Path, name: str, step: Step, renderer: Renderer, now: datetime, sent: bool = False
) -> tuple[str, tuple[str, ...]]:
    message, rendered = message_for_step(step, settings_of(step.campaign), renderer, now)
    if sent:  # the follow-ups answer it: as if it had gone out
        record_sent(Session.object_session(step) or _no_session(), step, rendered.subject, rendered.text, now)
    return str(message["Subject"]), (_eml(folder, name, message),)


def _meeting_kinds(
    session: Session, row: Campaign, partner: Partner, renderer: Renderer, now: datetime, base: int
) -> Iterator[tuple[str, Writer]]:
    settings = settings_of(row)
    state: dict[str, Meeting] = {}

    def invite(folder: Path) -> tuple[str, tuple[str, ...]]:
        try:
            start = meetings.next_slot(session, settings, now, theirs=meetings.their_hours(partner, settings))
        except meetings.NoCommonHour as problem:
            start = problem.options[0] if problem.options else now + timedelta(days=7)
        state["meeting"] = meetings.invite(session, partner, row, start)
        return _meeting_mail(folder, f"{base:02d}-invitation", state["meeting"], renderer, now)

    def update(folder: Path) -> tuple[str, tuple[str, ...]]:
        meeting = state["meeting"]
        meetings.reschedule(meeting, meeting.start_at + timedelta(days=1))
        return _meeting_mail(folder, f"{base + 1:02d}-update", meeting, renderer, now)

    def next_steps(folder: Path) -> tuple[str, tuple[str, ...]]:
        meeting = state["meeting"]
        session.add(
            MeetingOutcome(meeting_id=meeting.id, content=SAMPLE_OUTCOME, recorded_at=now, recorded_by="preview")
        )
        attendee = meeting.attendees[0]
        step = meetings.schedule_next_steps(session, meeting, attendee)
        if step is None:
            raise ValueError("the meeting has no contact to write to")
        session.flush()
        return _step_mail(folder, f"{base + 2:02d}-next-steps", step, renderer, now)

    def cancellation(folder: Path) -> tuple[str, tuple[str, ...]]:
        meeting = state["meeting"]
        meetings.cancel(meeting)
        return _meeting_mail(folder, f"{base + 3:02d}-cancellation", meeting, renderer, now)

    yield f"{base:02d}-invitation", invite
    yield f"{base + 1:02d}-update", update
    yield f"{base + 2:02d}-next-steps", next_steps
    yield f"{base + 3:02d}-cancellation", cancellation


def _meeting_mail(folder: Path, name: str, meeting: Meeting, renderer: Renderer, now: datetime):
    session = Session.object_session(meeting) or _no_session()
    session.flush()
    message, ics = meetings.invitation(
        settings_of(session.get_one(Campaign, meeting.campaign_id)), renderer, meeting, now
    )
    (folder / f"{name}.ics").write_bytes(ics)
    return str(message["Subject"]), (_eml(folder, name, message), f"{name}.ics")


def _eml(folder: Path, name: str, message: EmailMessage) -> str:
    (folder / f"{name}.eml").write_bytes(message.as_bytes())
    return f"{name}.eml"


def _no_session() -> Session:
    raise RuntimeError("a preview step is always in the scratch logbook's session")


@contextmanager
def _scratch_logbook() -> Iterator[UnitOfWork]:
    with tempfile.TemporaryDirectory(prefix="outreach-preview-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'preview.db'}")
        try:
            upgrade(engine)
            with UnitOfWork(engine) as uow:
                yield uow
        finally:
            engine.dispose()


def _slug(text: str) -> str:
    return re.sub(r"[^\w.@-]", "_", text)
