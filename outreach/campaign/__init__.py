"""The campaign file: what a partnership officer writes to queue an outreach campaign."""

from outreach.campaign.load import LoadedCampaign, load_campaign
from outreach.campaign.model import CampaignFile

__all__ = ["CampaignFile", "LoadedCampaign", "load_campaign"]
