"""The partnership after the first meeting: the MoU / Letter of Intent draft for collaboration
setup, and quarterly check-ins in maintenance and growth (the guide's phases 4 and 5)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.campaign import CampaignFile
from outreach.db.models import Campaign, Partner, Step
from outreach.domain.context import message_context
from outreach.domain.vocabulary import ContactStatus, PartnershipType, StepStatus
from outreach.mail.compose import new_message_id
from outreach.rendering import Renderer
from outreach.services import campaigns, logbook

CHECK_IN = "check_in"
QUARTER = timedelta(days=91)

# The scope of cooperation per partnership type, in the guide's words.
SCOPE = {
    PartnershipType.TRAINING: "Joint development and delivery of training programmes",
    PartnershipType.MOBILITY: "Exchange of staff and learners (e.g. Erasmus+ mobility, job shadowing)",
    PartnershipType.INNOVATION: "Joint R&D or pilot projects, shared innovation labs",
    PartnershipType.FUNDING: "Joint funding applications (EU and national)",
    PartnershipType.INFRASTRUCTURE: "Shared use of labs, equipment or facilities",
    PartnershipType.HR_TALENT: "Joint recruitment of apprentices and interns, graduate hiring",
    PartnershipType.QUALITY: "Co-designing assessment and validation tools, joint certification",
    PartnershipType.ENTREPRENEURSHIP: "Supporting learner and staff entrepreneurship, mentoring schemes",
    PartnershipType.COMMUNITY: "Joint outreach and inclusion programmes",
    PartnershipType.INTERNATIONAL: "Strategic cooperation in international networks and cross-border initiatives",
    PartnershipType.DATA: "Sharing labour-market data and joint skills mapping",
}


def mou_draft(settings: CampaignFile, renderer: Renderer, partner: Partner, valid_from: date,
              valid_to: date | None) -> str:
    """The guide's MoU / Letter of Intent template, filled in with both parties, the scope from
    the partner's partnership types and the duration; a document for staff to finish."""
    record = logbook.snapshot(partner, trusted=True)
    contact = next((c for c in record.contacts), None)
    types = [PartnershipType(t) for t in partner.partnership_types] or [PartnershipType.TRAINING]
    context = message_context(settings, record, contact or record.contacts[0]) if record.contacts else \
        message_context(settings, record, _nobody())
    context.update(
        purpose=", ".join(t.label for t in types), scope=[SCOPE[t] for t in types],
        valid_from=f"{valid_from:%d %B %Y}", valid_to=f"{valid_to:%d %B %Y}" if valid_to else None,
        partner_contact=", ".join(v for v in (contact.name, contact.role) if v) if contact and contact.name else None)
    return renderer.document("mou/mou.en.j2", context)


def _nobody():
    from outreach.domain.records import ContactIn

    return ContactIn.model_construct(email="", name=None, role=None, language=None, register=None,
                                     timezone=None, status=None)


def schedule_check_in(session: Session, partner: Partner, campaign: Campaign, due: datetime, number: int = 1) -> Step | None:
    """A quarterly check-in mail to the partner's first reachable contact."""
    contact = next((c for c in partner.contacts if c.status is ContactStatus.ACTIVE), None)
    if contact is None:
        return None
    name = f"check-in-{number}"
    if session.scalar(sa.select(Step.id).where(Step.contact_id == contact.id, Step.campaign_id == campaign.id,
                                               Step.name == name)) is not None:
        return None
    settings = campaigns.settings_of(campaign)
    step = Step(campaign_id=campaign.id, partner_id=partner.id, contact_id=contact.id, name=name, template=CHECK_IN,
                status=StepStatus.SCHEDULED, due_at=due, message_id=new_message_id(settings.mailbox.address))
    session.add(step)
    session.flush()
    return step


def next_check_in(step: Step) -> int:
    return int(step.name.rsplit("-", 1)[1]) + 1
