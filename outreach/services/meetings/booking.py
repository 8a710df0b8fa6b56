"""The booking page: a contact picks the first exploration meeting's slot themselves. Their link
carries an unguessable token that expires; the page offers 3-6 free slots in both parties'
hours, in the partner's zone and language; a pick invites (the .ics with the guide's agenda), a
second pick moves the same meeting. No login: whoever holds the link acts for that contact."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.models import BookingLink, Campaign, Contact, Meeting, Partner, Step
from outreach.domain import language as lang
from outreach.domain.places import city
from outreach.errors import NotFound, OutreachError
from outreach.services.meetings import invitations as meetings
from outreach.settings.campaigns import settings_of

SLOTS, PER_DAY = 6, 2  # a choice over three days at least


class LinkExpired(OutreachError):
    """The link is older than the campaign's `booking_link_days`."""


class SlotTaken(OutreachError):
    """The slot picked is no longer free (or never was offered)."""


def link_for(session: Session, partner: Partner, contact: Contact, campaign: Campaign, now: datetime) -> BookingLink:
    """The contact's link for this campaign: the one still working, else a new one."""
    found = session.scalar(
        sa.select(BookingLink)
        .where(
            BookingLink.contact_id == contact.id,
            BookingLink.campaign_id == campaign.id,
            BookingLink.expires_at > now,
        )
        .order_by(BookingLink.id.desc())
        .limit(1)
    )
    if found is not None:
        return found
    days = settings_of(campaign).meeting.booking_link_days
    link = BookingLink(
        token=secrets.token_urlsafe(32),
        partner_id=partner.id,
        contact_id=contact.id,
        campaign_id=campaign.id,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(link)
    session.flush()
    return link


def url_of(link: BookingLink, campaign: Campaign) -> str:
    base = settings_of(campaign).meeting.workspace_url
    assert base is not None, "a campaign with booking names its workspace_url (checked when it is loaded)"
    return f"{str(base).rstrip('/')}/book/{link.token}"


def link_of_step(session: Session, step: Step) -> BookingLink | None:
    return session.scalar(sa.select(BookingLink).where(BookingLink.step_id == step.id))


def find(session: Session, token: str, now: datetime) -> BookingLink:
    """The link of this token; NotFound for none (a token never says more), LinkExpired when old."""
    link = session.scalar(sa.select(BookingLink).where(BookingLink.token == token[:64])) if token else None
    if link is None:
        raise NotFound("no such booking link")
    if link.expires_at <= now:
        raise LinkExpired("this booking link has expired")
    return link


@dataclass(frozen=True)
class Choice:
    """A slot as the partner reads it: the value the form sends and the words in their language."""

    value: str  # ISO 8601 with offset
    words: str  # "Tuesday, 9 March 2027, 09:00"


@dataclass(frozen=True)
class BookingPage:
    institution: str
    partner: str
    language: str
    city: str  # the partner's place, as their language names it
    minutes: int
    choices: list[Choice]
    booked: str | None  # the meeting's time in their words, when one is booked


def page(session: Session, link: BookingLink, now: datetime) -> BookingPage:
    campaign = session.get_one(Campaign, link.campaign_id)
    settings = settings_of(campaign)
    language = link.contact.language or settings.message.language
    theirs = meetings.their_hours(link.partner, settings)
    meeting = _booked(session, link)
    offered = meetings.offered(session, link.partner, campaign, now, SLOTS, PER_DAY)
    return BookingPage(
        institution=settings.institution.name,
        partner=link.partner.name,
        language=language,
        city=city(theirs.zone, language),
        minutes=settings.meeting.duration_minutes,
        choices=[Choice(s.start.isoformat(), lang.when(s.partner_local, language)) for s in offered],
        booked=lang.when(meetings.said_time(meeting, settings, language)[0], language) if meeting else None,
    )


def pick(session: Session, link: BookingLink, value: str, now: datetime) -> Meeting:
    """Book the slot picked (one the page offers now), or move the meeting booked before."""
    campaign = session.get_one(Campaign, link.campaign_id)
    offered = {
        s.start.isoformat(): s.start for s in meetings.offered(session, link.partner, campaign, now, SLOTS, PER_DAY)
    }
    start = offered.get(value)
    if start is None:
        raise SlotTaken("that time is no longer free: pick another")
    meeting = _booked(session, link)
    if meeting is None:
        meeting = meetings.invite(session, link.partner, campaign, start)
    else:
        meetings.reschedule(meeting, start)
    link.meeting_id = meeting.id
    link.picked_at = now
    session.flush()
    return meeting


def _booked(session: Session, link: BookingLink) -> Meeting | None:
    """The partner's first exploration meeting while it stands (booked here or by staff)."""
    return session.scalar(
        sa.select(Meeting)
        .where(Meeting.partner_id == link.partner_id, Meeting.status == "invited", Meeting.kind == "exploration")
        .order_by(Meeting.id.desc())
        .limit(1)
    )
