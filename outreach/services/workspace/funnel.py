"""The funnel per campaign and phase: queued, sent, reached, replied, bounced, out of office,
opted out, meetings invited and accepted, reply rate.

"Sent" means one thing on every page and in every report (the Campaigns page, `campaign
status`, the Reports page, `outreach report`): the campaign's messages that went out, of every
kind (first contacts, follow-ups, one-off mails, check-ins). The funnel's first stage is
"reached": partners whose first contact went out; the reply rate is replied / reached."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.models import Campaign, Interaction, Meeting, MeetingAttendee, Partner, Step
from outreach.domain.steps import StepKind
from outreach.domain.vocabulary import Direction, InteractionKind, Phase, StepStatus

COLUMNS = (
    "campaign",
    "phase",
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
    "reply_rate",
)
WENT_OUT = Step.status == StepStatus.SENT  # "sent", wherever a page or report says it


def sent(session: Session, campaign_id: int, partners: set[int] | None = None) -> int:
    """The campaign's messages that went out (to these partners, where given)."""
    query = sa.select(sa.func.count()).select_from(Step).where(Step.campaign_id == campaign_id, WENT_OUT)
    if partners is not None:
        query = query.where(Step.partner_id.in_(partners))
    return session.scalar(query) or 0


def funnel(session: Session, campaign: str | None = None) -> list[dict]:
    rows = []
    query = sa.select(Campaign).order_by(Campaign.id)
    if campaign:
        query = query.where(Campaign.name == campaign)
    for row in session.scalars(query):
        partner_ids = sa.select(Step.partner_id).where(Step.campaign_id == row.id, Step.name == StepKind.FIRST_CONTACT)
        for phase in Phase:
            in_phase = set(
                session.scalars(sa.select(Partner.id).where(Partner.id.in_(partner_ids), Partner.phase == phase))
            )
            if in_phase:
                rows.append(_counts(session, row, phase.value, in_phase))
        everyone = set(session.scalars(partner_ids))
        if everyone:
            rows.append(_counts(session, row, "all", everyone) | {"sent": sent(session, row.id)})
    return rows


def _counts(session: Session, campaign: Campaign, phase: str, partners: set[int]) -> dict:
    def steps(*conditions) -> int:
        return (
            session.scalar(
                sa.select(sa.func.count())
                .select_from(Step)
                .where(
                    Step.campaign_id == campaign.id,
                    Step.name == StepKind.FIRST_CONTACT,
                    Step.partner_id.in_(partners),
                    *conditions,
                )
            )
            or 0
        )

    def partners_with(kind: InteractionKind) -> int:
        return (
            session.scalar(
                sa.select(sa.func.count(sa.distinct(Interaction.partner_id))).where(
                    Interaction.partner_id.in_(partners),
                    Interaction.direction == Direction.IN,
                    Interaction.kind == kind,
                    Interaction.history.is_(False),
                )
            )
            or 0
        )

    reached = steps(WENT_OUT)
    replied = partners_with(InteractionKind.EMAIL)
    meetings = sa.select(Meeting.id).where(Meeting.campaign_id == campaign.id, Meeting.partner_id.in_(partners))
    return {
        "campaign": campaign.name,
        "phase": phase,
        "partners": len(partners),
        "queued": steps(Step.status.in_([StepStatus.SCHEDULED, StepStatus.QUEUED, StepStatus.SENDING])),
        "sent": sent(session, campaign.id, partners),
        "reached": reached,
        "replied": replied,
        "bounced": partners_with(InteractionKind.BOUNCE),
        "out_of_office": partners_with(InteractionKind.AUTO_REPLY),
        "opted_out": partners_with(InteractionKind.OPT_OUT),
        "meetings_invited": session.scalar(sa.select(sa.func.count()).select_from(meetings.subquery())),
        "meetings_accepted": session.scalar(
            sa.select(sa.func.count(sa.distinct(MeetingAttendee.meeting_id))).where(
                MeetingAttendee.meeting_id.in_(meetings), MeetingAttendee.partstat == "ACCEPTED"
            )
        ),
        "reply_rate": round(replied / reached, 3) if reached else 0.0,
    }
