"""Times as staff read them: in the campaign's timezone (its sending window's), never in UTC.
The database and the JSON output keep UTC; what a person reads is local, with the zone named."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import get_timezone_location
from sqlalchemy.orm import Session

from outreach.db.models import Campaign, Step
from outreach.settings.campaigns import settings_of

UTC = "UTC"


def zone_for(session: Session, campaign: str | None = None, partner_id: int | None = None) -> str:
    """The named campaign's zone; else that of the partner's latest campaign; else that of the
    latest campaign queued; UTC when none is."""
    query = sa.select(Campaign).order_by(Campaign.id.desc()).limit(1)
    if campaign:
        query = query.where(Campaign.name == campaign)
    elif partner_id is not None:
        mine = session.scalar(
            sa.select(Step.campaign_id).where(Step.partner_id == partner_id).order_by(Step.id.desc()).limit(1)
        )
        if mine is not None:
            query = query.where(Campaign.id == mine)
    row = session.scalar(query)
    return settings_of(row).sending.timezone if row is not None else UTC


def zone_words(zone: str) -> str:
    """A zone as staff name it: "Berlin time (Europe/Berlin)"; "UTC" for UTC."""
    if zone in (UTC, "Etc/UTC"):
        return UTC
    return f"{get_timezone_location(zone, locale='en', return_city=True)} time ({zone})"


def local(moment: object, zone: object, form: str = "%Y-%m-%d %H:%M") -> str:
    """A moment (a datetime or its ISO text) in the zone, as a person reads it; "" for none."""
    if isinstance(moment, str) and moment:
        moment = datetime.fromisoformat(moment)
    if not isinstance(moment, datetime):
        return ""
    return moment.astimezone(ZoneInfo(str(zone))).strftime(form)
