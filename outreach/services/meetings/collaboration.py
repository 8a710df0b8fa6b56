"""The partnership after the first meeting: the MoU / Letter of Intent draft for collaboration
setup, and quarterly check-ins in maintenance and growth (the guide's phases 4 and 5)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.campaign import CampaignFile
from outreach.db.engine import session_of
from outreach.db.models import Campaign, Partner, Step
from outreach.domain.context import fields_of_partnership, message_context, message_language
from outreach.domain.language import short_date
from outreach.domain.steps import StepKind
from outreach.domain.vocabulary import ContactStatus, PartnershipType, StepStatus
from outreach.mail.compose import new_message_id
from outreach.rendering import Renderer
from outreach.services.partners import kpis, logbook
from outreach.settings.campaigns import settings_of

QUARTER = timedelta(days=91)


def mou_draft(
    settings: CampaignFile, renderer: Renderer, partner: Partner, valid_from: date, valid_to: date | None
) -> str:
    """The guide's MoU / Letter of Intent, in the language of the partner's first contact
    (where a template exists): both parties, purpose and scope from the partnership types (and
    those the meeting's outcome brought into view), the duration, the non-binding and data
    protection clauses, deliverables from the outcome's agreed actions, KPIs, contact persons,
    signature blocks. A document for staff to finish; what is not known yet is in [brackets]."""
    name, context, record = _document(settings, renderer, partner, "mou/mou")
    written_in, contact = context["written_in"], next(iter(record.contacts), None)
    context.update(
        valid_from=short_date(valid_from, written_in),
        valid_to=short_date(valid_to, written_in) if valid_to else None,
        partner_contact=", ".join(v for v in (contact.name, contact.role) if v) if contact and contact.name else None,
        deliverables=[{**a, "due": _day(a.get("due"), written_in)} for a in context["actions"]],
        kpis=kpis.for_letters(session_of(partner), partner.id, written_in),
    )
    return renderer.document(name, context)


def proposal_draft(settings: CampaignFile, renderer: Renderer, partner: Partner, funding: str | None = None) -> str:
    """An outline proposal drafted from the latest meeting's outcome: the partners, the aim,
    who does what, how it is funded (Erasmus+ KA1/KA2, national programmes: staff choose), the
    timeline and the contact persons; in the language of the partner's first contact."""
    name, context, _ = _document(settings, renderer, partner, "proposal/proposal")
    dated = sorted((a for a in context["actions"] if a.get("due")), key=lambda a: a["due"])
    context.update(funding=funding, dated=[{**a, "due": _day(a["due"], context["written_in"])} for a in dated])
    return renderer.document(name, context)


def _document(settings: CampaignFile, renderer: Renderer, partner: Partner, stem: str):
    """A document for a partner, from its record and its latest meeting's outcome: the template
    in the first contact's language, and the context every such document shares."""
    from outreach.services.meetings.invitations import latest_outcome

    record = logbook.snapshot(partner, trusted=True)
    contact = next(iter(record.contacts), None)
    outcome = latest_outcome(session_of(partner), partner.id)
    content = outcome.content if outcome else {}
    # mypy takes the lookups by value below for calls of the members' two-argument __new__ (call-arg)
    types = list(
        dict.fromkeys(
            [PartnershipType(t) for t in partner.partnership_types]  # type: ignore[call-arg]
            + [PartnershipType(t) for t in content.get("partnership_types", [])]  # type: ignore[call-arg]
        )
    ) or [PartnershipType.TRAINING]
    name = renderer.in_language(stem, message_language(settings, contact) if contact else settings.message.language)
    written_in = name.rsplit(".", 2)[-2]
    context = message_context(settings, record, contact or _nobody(), written_in)
    context.update(
        purpose=fields_of_partnership(types, written_in),
        types=[t.value for t in types],
        takeaways=content.get("takeaways", []),
        actions=content.get("actions", []),
        ours=content.get("contacts", {}).get("ours"),
        theirs=content.get("contacts", {}).get("theirs"),
    )
    return name, context, record


def _day(iso: str | None, language: str) -> str | None:
    return short_date(date.fromisoformat(iso), language) if iso else None


def _nobody():
    from outreach.domain.records import ContactIn

    return ContactIn.model_construct(
        email="",
        name=None,
        salutation=None,
        title=None,
        family_name=None,
        role=None,
        language=None,
        register=None,
        timezone=None,
        status=None,
    )


def phase_changed(
    session: Session, partner: Partner, target, campaign: Campaign | None, now: datetime, notes: list[str]
) -> list:
    """What a move brings: entering maintenance, the regular check-ins (mails, or one recurring
    meeting series where the campaign asks for meetings); leaving it, the series cancelled.
    Returns the meetings whose invitation or cancellation is to be sent."""
    from outreach.db.models import Meeting
    from outreach.domain.vocabulary import Phase
    from outreach.services.meetings import invitations as meetings

    series = session.scalars(
        sa.select(Meeting).where(
            Meeting.partner_id == partner.id, Meeting.kind == "check_in", Meeting.status == "invited"
        )
    ).all()
    if target is not Phase.MAINTENANCE:
        for meeting in series:
            meetings.cancel(meeting)
        if series:
            notes.append("the recurring check-in meeting is cancelled")
        return list(series)
    if campaign is None or series:
        return []
    settings = settings_of(campaign)
    if settings.check_ins.as_meetings:
        try:
            meeting = meetings.check_in_series(session, partner, campaign, now)
        except meetings.NoCommonHour as problem:
            meetings.ask_for_a_time(session, partner, problem, now, "the recurring check-in meeting")
            notes.append("no hour in both parties' working hours for the check-in meeting: a to-do asks for one")
            return []
        notes.append(
            f"a recurring check-in meeting every {settings.check_ins.every_months} months, first on "
            f"{meeting.start_at:%Y-%m-%d %H:%M} UTC: invitation sent"
        )
        return [meeting]
    step = schedule_check_in(session, partner, campaign, now + QUARTER)
    notes.append(
        f"first quarterly check-in due {step.due_at:%Y-%m-%d}" if step else "no reachable contact for check-ins"
    )
    return []


def schedule_check_in(
    session: Session, partner: Partner, campaign: Campaign, due: datetime, number: int = 1
) -> Step | None:
    """A quarterly check-in mail to the partner's first reachable contact."""
    contact = next((c for c in partner.contacts if c.status is ContactStatus.ACTIVE), None)
    if contact is None:
        return None
    name = f"check-in-{number}"
    if (
        session.scalar(
            sa.select(Step.id).where(Step.contact_id == contact.id, Step.campaign_id == campaign.id, Step.name == name)
        )
        is not None
    ):
        return None
    settings = settings_of(campaign)
    step = Step(
        campaign_id=campaign.id,
        partner_id=partner.id,
        contact_id=contact.id,
        name=name,
        template=StepKind.CHECK_IN,
        status=StepStatus.SCHEDULED,
        due_at=due,
        message_id=new_message_id(settings.mailbox.address),
    )
    session.add(step)
    session.flush()
    return step


def next_check_in(step: Step) -> int:
    return int(step.name.rsplit("-", 1)[1]) + 1
