"""Campaign status: steps per status for each campaign and what staff must look at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.models import Campaign, Step
from outreach.db.types import utcnow
from outreach.domain.vocabulary import StepStatus
from outreach.services.inbound import inbox, relevance
from outreach.services.operations import sending_health
from outreach.services.outbound import campaign_control
from outreach.services.outbound.scheduler import room_left
from outreach.services.workspace import funnel
from outreach.settings.campaigns import settings_of


@dataclass
class CampaignStatus:
    name: str
    mailbox: str
    counts: dict[str, int]
    attention: list[dict]
    inbound_failed: list[dict]
    watcher_failing: dict | None
    next_message: dict
    sending: dict | None = None  # the mailbox's sending health (sending_health.State.as_dict); None: not tried yet


def campaign_status(session: Session, name: str | None = None, now: datetime | None = None) -> list[CampaignStatus]:
    """Steps per status for each campaign, and what staff must look at: failed and uncertain
    messages, inbound mail of its mailbox that could not be processed, a failing watcher."""
    failing = {w.mailbox: w for w in relevance.failing_watchers(session, now or utcnow())}
    failed_inbound = inbox.failed(session)
    sending = sending_health.states(session)
    query = sa.select(Campaign).order_by(Campaign.id)
    if name:
        query = query.where(Campaign.name == name)
    result = []
    for campaign in session.scalars(query):
        counts = dict(
            session.execute(
                sa.select(Step.status, sa.func.count()).where(Step.campaign_id == campaign.id).group_by(Step.status)
            ).all()
        )
        counts[StepStatus.SENT] = funnel.sent(session, campaign.id)  # "sent": one definition everywhere
        attention = [
            {
                "step": s.id,
                "step_name": s.name,
                "contact": s.contact.email,
                "status": s.status.value,
                "error": s.last_error,
            }
            for s in session.scalars(
                sa.select(Step).where(
                    Step.campaign_id == campaign.id,
                    Step.status.in_([StepStatus.FAILED, StepStatus.UNCERTAIN, StepStatus.HELD]),
                )
            )
        ]
        inbound_failed = [
            {"inbound": r.id, "uid": r.uid, "error": r.error} for r in failed_inbound if r.mailbox == campaign.mailbox
        ]
        watcher = failing.get(campaign.mailbox)
        watcher_failing = (
            {"since": watcher.failing_since.isoformat(), "error": watcher.last_error}
            if watcher is not None and watcher.failing_since is not None
            else None
        )
        upcoming = campaign_control.next_message(session, campaign, settings_of(campaign), now or utcnow(), room_left)
        result.append(
            CampaignStatus(
                campaign.name,
                campaign.mailbox,
                {s.value: counts.get(s, 0) for s in StepStatus},
                attention,
                inbound_failed,
                watcher_failing,
                {"at": upcoming.at.isoformat() if upcoming.at else None, "why": upcoming.why},
                _sending(sending.get(campaign.mailbox)),
            )
        )
    return result


def _sending(state: sending_health.State | None) -> dict | None:
    return state.as_dict() if state is not None else None
