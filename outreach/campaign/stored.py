"""A queued campaign's settings, as the workers read them from its row in the logbook."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from outreach.campaign.model import CampaignFile


class StoredCampaign(Protocol):
    id: Any
    updated_at: Any
    settings: Any


_settings: dict[tuple[int, datetime], CampaignFile] = {}


def settings_of(campaign: StoredCampaign) -> CampaignFile:
    """A queued campaign's settings, validated once per version of the row."""
    key = (campaign.id, campaign.updated_at)
    if key not in _settings:
        _settings[key] = CampaignFile.model_validate(campaign.settings, context={"stored": True})
    return _settings[key]
