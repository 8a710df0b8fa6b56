"""The funnel per campaign and phase: queued, sent, replied, bounced, out of office, opted out,
meetings invited and accepted, reply rate."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.models import Campaign, Interaction, Meeting, MeetingAttendee, Partner, Step
from outreach.domain.vocabulary import Direction, InteractionKind, Phase, StepStatus
from outreach.domain.steps import StepKind

COLUMNS = ("campaign", "phase", "partners", "queued", "sent", "replied", "bounced", "out_of_office",
           "opted_out", "meetings_invited", "meetings_accepted", "reply_rate")


def funnel(session: Session, campaign: str | None = None) -> list[dict]:
    rows = []
    query = sa.select(Campaign).order_by(Campaign.id)
    if campaign:
        query = query.where(Campaign.name == campaign)
    for row in session.scalars(query):
        partner_ids = sa.select(Step.partner_id).where(Step.campaign_id == row.id, Step.name == StepKind.FIRST_CONTACT)
        for phase in Phase:
            in_phase = set(session.scalars(sa.select(Partner.id).where(Partner.id.in_(partner_ids), Partner.phase == phase)))
            if in_phase:
                rows.append(_counts(session, row, phase.value, in_phase))
        everyone = set(session.scalars(partner_ids))
        if everyone:
            rows.append(_counts(session, row, "all", everyone))
    return rows


def _counts(session: Session, campaign: Campaign, phase: str, partners: set[int]) -> dict:
    def steps(*conditions) -> int:
        return session.scalar(sa.select(sa.func.count()).select_from(Step).where(
            Step.campaign_id == campaign.id, Step.name == StepKind.FIRST_CONTACT, Step.partner_id.in_(partners), *conditions))

    def partners_with(kind: InteractionKind) -> int:
        return session.scalar(sa.select(sa.func.count(sa.distinct(Interaction.partner_id))).where(
            Interaction.partner_id.in_(partners), Interaction.direction == Direction.IN, Interaction.kind == kind))

    sent = steps(Step.status == StepStatus.SENT)
    replied = partners_with(InteractionKind.EMAIL)
    meetings = sa.select(Meeting.id).where(Meeting.campaign_id == campaign.id, Meeting.partner_id.in_(partners))
    return {
        "campaign": campaign.name, "phase": phase, "partners": len(partners),
        "queued": steps(Step.status.in_([StepStatus.SCHEDULED, StepStatus.QUEUED, StepStatus.SENDING])),
        "sent": sent, "replied": replied,
        "bounced": partners_with(InteractionKind.BOUNCE), "out_of_office": partners_with(InteractionKind.AUTO_REPLY),
        "opted_out": partners_with(InteractionKind.OPT_OUT),
        "meetings_invited": session.scalar(sa.select(sa.func.count()).select_from(meetings.subquery())),
        "meetings_accepted": session.scalar(sa.select(sa.func.count(sa.distinct(MeetingAttendee.meeting_id))).where(
            MeetingAttendee.meeting_id.in_(meetings), MeetingAttendee.partstat == "ACCEPTED")),
        "reply_rate": round(replied / sent, 3) if sent else 0.0,
    }
