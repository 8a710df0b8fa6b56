"""Changing a campaign after it was queued: a changed file updates the pending steps; a
campaign can be paused, resumed or cancelled; a partner can be held; and `campaign status`
says when the next message goes out and why nothing goes now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.campaign import CampaignFile
from outreach.db.models import Campaign, Step
from outreach.domain.business_days import business_days_after
from outreach.domain.steps import PENDING, StepKind
from outreach.domain.vocabulary import StepStatus
from outreach.domain.window import next_opening
from outreach.errors import NotFound

WINDOW_DEFERRAL = timedelta(days=7)  # a step the window deferred is due within a week
COMPARED = ("sending", "message", "sequence", "meeting", "mailbox", "notify_staff", "institution")


# --- a changed campaign file ------------------------------------------------------------------


def changes(old: dict, new: dict) -> list[str]:
    """What differs between two versions of the stored settings, as `section.field: a -> b`."""
    found: list[str] = []
    for section in COMPARED:
        _diff(old.get(section), new.get(section), section, found)
    return found


def _diff(old, new, where: str, found: list[str]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in dict.fromkeys([*old, *new]):
            _diff(old.get(key), new.get(key), f"{where}.{key}", found)
    elif old != new:
        found.append(f"{where}: {_short(old)} -> {_short(new)}")


def _short(value) -> str:
    text = "-" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def refresh_pending(session: Session, row: Campaign, old: CampaignFile, new: CampaignFile, now: datetime) -> int:
    """Pending steps follow the new file: their templates, the follow-up delays, and a first
    contact the old sending window had deferred is looked at again under the new one. A step
    paused on purpose (out of office, staff) keeps its date. The number of steps changed."""
    templates = {StepKind.FIRST_CONTACT: new.message.template, **{s.name: s.template for s in new.sequence}}
    old_delays = {s.name: s.after_business_days for s in old.sequence}
    new_delays = {s.name: s.after_business_days for s in new.sequence}
    window_changed = old.sending != new.sending
    anchors = dict(
        session.execute(
            sa.select(Step.contact_id, Step.sent_at).where(
                Step.campaign_id == row.id, Step.name == StepKind.FIRST_CONTACT
            )
        ).all()
    )
    changed = 0
    for step in session.scalars(sa.select(Step).where(Step.campaign_id == row.id, Step.status == StepStatus.SCHEDULED)):
        before = (step.template, step.due_at)
        step.template = templates.get(step.name, step.template)
        if step.name == StepKind.FIRST_CONTACT and window_changed and now < step.due_at <= now + WINDOW_DEFERRAL:
            step.due_at = now  # the scheduler fits it to the new window
        elif step.name in new_delays and old_delays.get(step.name) != new_delays[step.name]:
            _retime(step, anchors.get(step.contact_id), old_delays.get(step.name), new_delays[step.name], new)
        changed += (step.template, step.due_at) != before
    return changed


def _retime(step: Step, anchor: datetime | None, old_days: int | None, new_days: int, settings: CampaignFile) -> None:
    if anchor is None or old_days is None:
        return
    zone = step.contact.timezone or settings.sending.timezone
    country = step.partner.country
    if step.due_at == business_days_after(anchor, old_days, zone, country):  # not paused since
        step.due_at = business_days_after(anchor, new_days, zone, country)


# --- pause, resume, cancel ----------------------------------------------------------------------


def campaign_named(session: Session, name: str) -> Campaign:
    row = session.scalar(sa.select(Campaign).where(Campaign.name == name))
    if row is None:
        raise NotFound(f"no campaign {name!r} has been queued; `outreach campaign status` lists them")
    return row


def pause(session: Session, name: str, now: datetime) -> Campaign:
    """Nothing of the campaign is queued while it is paused; what was queued already goes."""
    row = campaign_named(session, name)
    row.paused_at = row.paused_at or now
    return row


def resume(session: Session, name: str) -> Campaign:
    row = campaign_named(session, name)
    row.paused_at = None
    return row


def cancel(session: Session, name: str, reason: str) -> int:
    """Every pending or held step of the campaign cancelled, the reason kept on each."""
    row = campaign_named(session, name)
    steps = session.scalars(
        sa.select(Step).where(Step.campaign_id == row.id, Step.status.in_([*PENDING, StepStatus.HELD]))
    ).all()
    for step in steps:
        step.status, step.last_error = StepStatus.CANCELLED, f"campaign cancelled: {reason}"
    return len(steps)


def hold_partner(session: Session, partner_id: int, until: datetime | None) -> int:
    """Staff hold a partner: until a date (their mail waits until then; the date it had is kept,
    so `partners resume` gives it back), or until resumed."""
    steps = session.scalars(
        sa.select(Step).where(Step.partner_id == partner_id, Step.status == StepStatus.SCHEDULED)
    ).all()
    for step in steps:
        if until is None:
            step.status, step.last_error = StepStatus.HELD, "held by staff"
        elif step.due_at < until:
            step.due_before_pause = step.due_before_pause or step.due_at
            step.due_at, step.last_error = until, f"paused by staff until {until:%Y-%m-%d}"
    return len(steps)


# --- when the next message goes ------------------------------------------------------------------


@dataclass(frozen=True)
class NextMessage:
    at: datetime | None
    why: str


def next_message(session: Session, row: Campaign, settings: CampaignFile, now: datetime, room_left) -> NextMessage:
    """When the campaign's next message goes out, and why not now."""
    zone = ZoneInfo(settings.sending.timezone)
    if row.paused_at is not None:
        return NextMessage(
            None,
            f"paused since {row.paused_at.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}: "
            f"`outreach campaign resume {row.name}`",
        )
    due = session.scalar(
        sa.select(sa.func.min(Step.due_at)).where(Step.campaign_id == row.id, Step.status == StepStatus.SCHEDULED)
    )
    if due is None:
        held = session.scalar(
            sa.select(sa.func.count())
            .select_from(Step)
            .where(Step.campaign_id == row.id, Step.status == StepStatus.HELD)
        )
        return NextMessage(None, f"nothing scheduled; {held} held" if held else "nothing scheduled")
    if due > now:
        return NextMessage(due, "scheduled")
    opening = next_opening(now, settings.sending, settings.sending.timezone)
    if opening > now:
        return NextMessage(
            opening, f"the sending window is closed until {opening.astimezone(zone):%a %Y-%m-%d %H:%M} {zone.key}"
        )
    if room_left(session, row.mailbox, settings, now) <= 0:
        return NextMessage(
            None,
            f"the mailbox's cap is reached ({settings.sending.max_per_hour}/hour, "
            f"{settings.sending.max_per_day}/day); it goes when there is room",
        )
    return NextMessage(now, "due now: the next scheduler tick sends it")
