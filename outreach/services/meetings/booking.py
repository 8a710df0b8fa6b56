"""The booking page: a contact picks the first exploration meeting's slot themselves. Their link
carries an unguessable token that expires; the page offers 3-6 free slots in both parties'
hours, in the partner's zone and language; a pick invites (the .ics with the guide's agenda), a
second pick moves the same meeting. No login: whoever holds the link acts for that contact."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from outreach.db.models import BookingLink, Campaign, Contact, Meeting, Partner, Step
from outreach.domain import language as lang
from outreach.domain.places import city
from outreach.domain.vocabulary import CLOSED_STATUSES, ContactStatus
from outreach.errors import NotFound, OutreachError
from outreach.services.meetings import invitations as meetings
from outreach.settings.campaigns import settings_of

SLOTS, PER_DAY = 6, 2  # a choice over three days at least
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
MAX_PICKS, PICK_GAP = 4, timedelta(minutes=1)  # a booking and three moves, a minute apart: each sends mail


class LinkExpired(OutreachError):
    """The link is older than the campaign's `booking_link_days`."""


class LinkClosed(LinkExpired):
    """The link no longer acts: its contact or partner left, the campaign is paused, or the
    meeting it booked was cancelled."""


class SlotTaken(OutreachError):
    """The slot picked is no longer free (or never was offered)."""


class TooManyPicks(OutreachError):
    """More picks than a person makes (each one mails the partner): answered by mail instead."""


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
    """The link of this token while it acts: NotFound for none (a token never says more),
    LinkExpired when old, LinkClosed when what it stood for has ended."""
    link = session.scalar(sa.select(BookingLink).where(BookingLink.token == token)) if TOKEN.fullmatch(token) else None
    if link is None:
        raise NotFound("no such booking link")
    if link.expires_at <= now:
        raise LinkExpired("this booking link has expired")
    reason = _closed(session, link)
    if reason:
        raise LinkClosed(reason)
    return link


def _closed(session: Session, link: BookingLink) -> str | None:
    if link.contact.status is not ContactStatus.ACTIVE:
        return f"the contact is {link.contact.status.value}"
    if link.partner.status in CLOSED_STATUSES:
        return f"the partner is {link.partner.status.value}"
    if session.get_one(Campaign, link.campaign_id).paused_at is not None:
        return "the campaign is paused"
    booked = session.get(Meeting, link.meeting_id) if link.meeting_id else None
    if booked is not None and booked.status == "cancelled":
        return "the meeting it booked was cancelled"
    return None


def hide_tokens(text: str) -> str:
    """Booking links shown to someone who may not act for the partner: the token left out."""
    return re.sub(r"(/book/)[A-Za-z0-9_-]{43}", "\\1•••", text)


def links_of(session: Session, partner_id: int, now: datetime) -> list[tuple[str, str]]:
    """The partner's working links: (contact address, link) for staff who offer a time by hand."""
    rows = session.scalars(
        sa.select(BookingLink)
        .where(BookingLink.partner_id == partner_id, BookingLink.expires_at > now)
        .order_by(BookingLink.id)
    )
    return [(link.contact.email, url_of(link, session.get_one(Campaign, link.campaign_id))) for link in rows]


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
    meeting = booked(session, link, now)
    offered = meetings.offered(session, link.partner, campaign, now, SLOTS, PER_DAY)
    return BookingPage(
        institution=settings.institution.name,
        partner=link.partner.name,
        language=language,
        city=city(theirs.zone, language),
        minutes=settings.meeting.duration_minutes,
        choices=[
            Choice(
                s.start.isoformat(), lang.when(s.partner_local, language, now.astimezone(s.partner_local.tzinfo).date())
            )
            for s in offered
        ],
        booked=lang.when(meetings.said_time(meeting, settings, language)[0], language) if meeting else None,
    )


def _said(slot: meetings.Slot, language: str, now: datetime) -> str:
    """A slot in the partner's words, without the year while it is this year where they are."""
    return lang.when(slot.partner_local, language, now.astimezone(slot.partner_local.tzinfo).date())


def pick(session: Session, link: BookingLink, value: str, now: datetime) -> Meeting:
    """Book the slot picked (one the page offers now), or move the meeting booked before. One
    pick at a time per campaign (its row locked on PostgreSQL; SQLite writes one at a time), so
    two picks never take one slot nor make two meetings; a link picks a few times at most."""
    campaign = session.scalars(sa.select(Campaign).where(Campaign.id == link.campaign_id).with_for_update()).one()
    _claim(session, link, now)
    found = meetings.offered(session, link.partner, campaign, now, SLOTS, PER_DAY)
    start = {slot.start.isoformat(): slot.start for slot in found}.get(value)
    if start is None:
        raise SlotTaken("that time is no longer free: pick another")
    meeting = booked(session, link, now)
    if meeting is None:
        meeting = meetings.invite(session, link.partner, campaign, start)
    else:
        meetings.reschedule(meeting, start)
    link.meeting_id = meeting.id
    session.flush()
    return meeting


def _claim(session: Session, link: BookingLink, now: datetime) -> None:
    """Count this pick, once: a compare-and-set on the link's count (a write, so on SQLite too
    the picks of one moment go one after another); a pick that loses the race is told so."""
    session.refresh(link)
    seen = link.picks
    if seen >= MAX_PICKS or (link.picked_at is not None and now - link.picked_at < PICK_GAP):
        raise TooManyPicks("this link has been used as often as it may for now")
    try:
        claimed = session.execute(
            sa.update(BookingLink)
            .where(BookingLink.id == link.id, BookingLink.picks == seen)
            .values(picks=seen + 1, picked_at=now)
            .execution_options(synchronize_session=False)
        )
    except OperationalError:  # SQLite: another pick holds the database, or this one's view is old
        raise SlotTaken("another pick came at the same moment: pick again") from None
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  # a DML result has a rowcount
        raise SlotTaken("another pick came at the same moment: pick again")
    session.refresh(link)


def booked(session: Session, link: BookingLink, now: datetime) -> Meeting | None:
    """The partner's coming exploration meeting in the link's campaign (booked here or by staff)."""
    return session.scalar(
        sa.select(Meeting)
        .where(
            Meeting.partner_id == link.partner_id,
            Meeting.campaign_id == link.campaign_id,
            Meeting.status == "invited",
            Meeting.kind == "exploration",
            Meeting.start_at > now,
        )
        .order_by(Meeting.id.desc())
        .limit(1)
    )
