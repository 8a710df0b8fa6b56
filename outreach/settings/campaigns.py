"""A queued campaign's settings, as the workers read them from its row in the logbook."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import object_session

from outreach.campaign.model import CampaignFile
from outreach.campaign.uploaded import Origin
from outreach.db.models import Campaign
from outreach.settings import mailboxes

_written: dict[tuple[int, datetime], CampaignFile] = {}
_settings: dict[tuple[Any, ...], CampaignFile] = {}


def settings_of(campaign: Campaign) -> CampaignFile:
    """A queued campaign's settings, validated once per version of the row, with the mailbox it
    sends from: the registry's when it names one (as the registry is now), its own only when it
    was queued from the command line (outreach.settings.mailboxes)."""
    key = (campaign.id, campaign.updated_at)
    if key not in _written:
        _written[key] = CampaignFile.model_validate(campaign.settings, context={"stored": True})
    written = _written[key]
    session = object_session(campaign)
    assert session is not None, "a campaign's settings are read within a unit of work"
    origin = Origin(campaign.origin or Origin.CLI)
    full = (*key, origin, mailboxes.stamp(session, written))
    if full not in _settings:
        _settings[full] = mailboxes.resolved(session, written, origin)
    return _settings[full]
