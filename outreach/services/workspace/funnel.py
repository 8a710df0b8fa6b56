"""The funnel per campaign and phase: queued, sent, reached, replied, bounced, out of office,
opted out, meetings invited and accepted, reply rate.

"Sent" means one thing on every page and in every report (the Campaigns page, `campaign
status`, the Reports page, `outreach report`): the campaign's messages that went out, of every
kind (first contacts, follow-ups, one-off mails, check-ins). The funnel's first stage is
"reached": partners whose first contact went out; the reply rate is replied / reached.

Who a campaign's partners are, what was heard back from each and their meetings are kept as the
logbook is written (db/outcomes.py: CampaignPartner), so the funnel never reads the mail itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.models import Campaign, CampaignPartner, Partner, Step
from outreach.domain.steps import StepKind
from outreach.domain.vocabulary import Phase, StepStatus

MEASURED = (
    "partners",
    "queued",
    "sent",
    "reached",
    "replied",
    "bounced",
    "out_of_office",
    "opted_out",
    "meetings_invited",
    "meetings_accepted",
)
COLUMNS = ("campaign", "phase", *MEASURED, "reply_rate")
WENT_OUT = Step.status == StepStatus.SENT  # "sent", wherever a page or report says it
QUEUED = (StepStatus.SCHEDULED, StepStatus.QUEUED, StepStatus.SENDING)  # a first contact still to go out


def sent(session: Session, campaign_id: int, partners: set[int] | None = None) -> int:
    """The campaign's messages that went out (to these partners, where given)."""
    query = sa.select(sa.func.count()).select_from(Step).where(Step.campaign_id == campaign_id, WENT_OUT)
    if partners is not None:
        query = query.where(Step.partner_id.in_(partners))
    return session.scalar(query) or 0


def funnel(session: Session, campaign: str | None = None, by_phase: bool = True) -> list[dict]:
    """Per campaign, a row per phase its partners are in (unless `by_phase` is false) and one for
    them all: from a fixed number of grouped queries, whatever the number of partners."""
    query = sa.select(Campaign.id, Campaign.name).order_by(Campaign.id)
    if campaign:
        query = query.where(Campaign.name == campaign)
    campaigns = session.execute(query).all()
    if not campaigns:
        return []
    ids = [c.id for c in campaigns]
    grouped = _grouped(session, ids, by_phase)
    everything = dict(
        session.execute(
            sa.select(Step.campaign_id, sa.func.count())
            .where(Step.campaign_id.in_(ids), WENT_OUT)
            .group_by(Step.campaign_id)
        ).all()
    )
    rows = []
    for campaign_id, name in campaigns:
        phases = [(p, grouped[campaign_id, p]) for p in (*Phase, None) if (campaign_id, p) in grouped]
        rows += [_row(name, phase.value, counts) for phase, counts in phases if phase is not None]
        if phases:
            total = {key: sum(counts[key] for _, counts in phases) for key in MEASURED}
            rows.append(_row(name, "all", total | {"sent": everything.get(campaign_id, 0)}))
    return rows


PARTNERS_WITH = {  # partners heard back from: the first time each was
    "replied": CampaignPartner.replied_at,
    "bounced": CampaignPartner.bounced_at,
    "out_of_office": CampaignPartner.out_of_office_at,
    "opted_out": CampaignPartner.opted_out_at,
}
Key = tuple[int, Phase | None]  # (campaign, phase); no phase where the rows are not split by phase


def _row(campaign: str, phase: str, counts: dict[str, int]) -> dict:
    reached, replied = counts["reached"], counts["replied"]
    return (
        {"campaign": campaign, "phase": phase}
        | {key: counts[key] for key in MEASURED}
        | {"reply_rate": round(replied / reached, 3) if reached else 0.0}
    )


@dataclass(frozen=True)
class _Grouping:
    """Counts per campaign, and per phase of the partner where `by_phase`."""

    campaign_ids: list[int]
    by_phase: bool

    def select(self, campaign: Any, partner: Any, *measures: Any) -> sa.Select:
        if not self.by_phase:
            return sa.select(campaign, sa.null().label("phase"), *measures).group_by(campaign)
        query = sa.select(campaign, Partner.phase, *measures).join_from(campaign.table, Partner, Partner.id == partner)
        return query.group_by(campaign, Partner.phase)

    def member(self, campaign: Any, partner: Any) -> sa.Exists:
        """The partner had the campaign's first contact (sent or not)."""
        return sa.exists().where(CampaignPartner.campaign_id == campaign, CampaignPartner.partner_id == partner)


def _grouped(session: Session, campaign_ids: list[int], by_phase: bool) -> dict[Key, dict[str, int]]:
    """The measures per (campaign, phase) of the partners each campaign's first contact went
    to (every partner with a first-contact step in it, sent or not). What went out to them is
    asked only per phase: the row for them all counts everything the campaign sent."""
    grouping = _Grouping(campaign_ids, by_phase)
    grouped = _members(session, grouping)
    parts = [_first_contacts(session, grouping)] + ([_sent(session, grouping)] if by_phase else [])
    for part in parts:
        for key, counts in part.items():
            if key in grouped:
                grouped[key].update(counts)
    return grouped


def _members(session: Session, grouping: _Grouping) -> dict[Key, dict[str, int]]:
    """The partners; how many of them replied, bounced, were away or opted out; their meetings."""
    measures = {
        "partners": sa.func.count(),
        **{key: sa.func.count(first) for key, first in PARTNERS_WITH.items()},
        "meetings_invited": sa.func.sum(CampaignPartner.meetings_invited),
        "meetings_accepted": sa.func.sum(CampaignPartner.meetings_accepted),
    }
    rows = session.execute(
        grouping.select(
            CampaignPartner.campaign_id,
            CampaignPartner.partner_id,
            *[measure.label(key) for key, measure in measures.items()],
        ).where(CampaignPartner.campaign_id.in_(grouping.campaign_ids))
    )
    return {
        (r.campaign_id, r.phase): dict.fromkeys(MEASURED, 0) | {key: int(r._mapping[key]) for key in measures}
        for r in rows
    }


def _first_contacts(session: Session, grouping: _Grouping) -> dict[Key, dict[str, int]]:
    queued = Step.status.in_(QUEUED)
    rows = session.execute(
        grouping.select(
            Step.campaign_id,
            Step.partner_id,
            sa.func.count(sa.case((queued, 1))).label("queued"),
            sa.func.count(sa.case((WENT_OUT, 1))).label("reached"),
        ).where(
            Step.campaign_id.in_(grouping.campaign_ids),
            Step.status.in_([*QUEUED, StepStatus.SENT]),
            Step.name == StepKind.FIRST_CONTACT,
        )
    )
    return {(r.campaign_id, r.phase): {"queued": r.queued, "reached": r.reached} for r in rows}


def _sent(session: Session, grouping: _Grouping) -> dict[Key, dict[str, int]]:
    rows = session.execute(
        grouping.select(Step.campaign_id, Step.partner_id, sa.func.count().label("sent")).where(
            Step.campaign_id.in_(grouping.campaign_ids), WENT_OUT, grouping.member(Step.campaign_id, Step.partner_id)
        )
    )
    return {(r.campaign_id, r.phase): {"sent": r.sent} for r in rows}
