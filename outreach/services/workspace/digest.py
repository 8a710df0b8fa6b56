"""The weekly digest: on Monday morning in the campaign's timezone, one mail to each
`notify_staff` address with the open to-dos, last week's replies and meetings, and what goes
out this week. Sent once a week (the week is kept on the campaign rows), as a TellStaff event."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.models import Campaign, Interaction, Meeting, MeetingAttendee, Partner, Step, Todo
from outreach.domain.vocabulary import Direction, InteractionKind
from outreach.services.events import TellStaff
from outreach.domain.steps import PENDING
from outreach.services.outbound import sending_health
from outreach.settings.campaigns import settings_of

MONDAY, FROM_HOUR = 0, 8


def week_of(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def due(session: Session, now: datetime) -> list[TellStaff]:
    """The digests due now, one per staff address; their campaigns marked as told this week."""
    groups: dict[str, list[Campaign]] = defaultdict(list)
    for campaign in session.scalars(sa.select(Campaign).where(Campaign.paused_at.is_(None)).order_by(Campaign.id)):
        settings = settings_of(campaign)
        local = now.astimezone(ZoneInfo(settings.sending.timezone))
        if settings.notify_staff and local.weekday() == MONDAY and local.hour >= FROM_HOUR \
                and campaign.digest_week != week_of(local):
            groups[settings.notify_staff].append(campaign)
    events = []
    for address, group in groups.items():
        local = now.astimezone(ZoneInfo(settings_of(group[0]).sending.timezone))
        events.append(TellStaff(group[0].id, address, f"Partnership outreach: the week of {local:%d %B %Y}",
                                text(session, group, now)))
        for campaign in group:
            campaign.digest_week = week_of(local)
    return events


def text(session: Session, group: list[Campaign], now: datetime) -> str:
    week_ago, week_ahead = now - timedelta(days=7), now + timedelta(days=7)
    ids = [c.id for c in group]
    todos = list(session.scalars(sa.select(Todo).where(Todo.done_at.is_(None)).order_by(Todo.created_at)))
    replies = session.execute(sa.select(Partner.name, Interaction.subject, Interaction.occurred_at)
                              .join(Partner, Partner.id == Interaction.partner_id)
                              .where(Interaction.direction == Direction.IN, Interaction.kind == InteractionKind.EMAIL,
                                     Interaction.occurred_at >= week_ago).order_by(Interaction.occurred_at)).all()
    meetings = session.execute(sa.select(Partner.name, Meeting.start_at, Meeting.status)
                               .join(Partner, Partner.id == Meeting.partner_id)
                               .where(sa.or_(Meeting.created_at >= week_ago,
                                             Meeting.id.in_(sa.select(MeetingAttendee.meeting_id)
                                                            .where(MeetingAttendee.answered_at >= week_ago))))
                               .order_by(Meeting.start_at)).all()
    going = Counter(session.scalars(sa.select(Step.template).where(
        Step.campaign_id.in_(ids), Step.status.in_(PENDING), Step.due_at < week_ahead)))
    lines = [f"Campaigns: {', '.join(c.name for c in group)}", ""]
    lines += _cannot_send(session, group)
    lines += [f"Open to-dos: {len(todos)}" + (" (oldest first)" if todos else "")]
    lines += [f"- {t.created_at:%d %b}: {t.kind.replace('_', ' ')}: {t.text[:160]}" for t in todos[:20]]
    if len(todos) > 20:
        lines.append(f"- and {len(todos) - 20} more: `outreach todo` or the workspace's Today page")
    lines += ["", f"Replies last week: {len(replies)}"]
    lines += [f"- {at:%a %d %b}: {name}: {subject or '(no subject)'}" for name, subject, at in replies[:30]]
    lines += ["", f"Meetings last week: {len(meetings)}"]
    lines += [f"- {name}: {start:%a %d %b %H:%M} UTC ({status})" for name, start, status in meetings[:30]]
    lines += ["", f"Going out this week: {sum(going.values())} messages"]
    lines += [f"- {template.replace('_', ' ')}: {count}" for template, count in sorted(going.items())]
    return "\n".join(lines) + "\n"


def _cannot_send(session: Session, group: list[Campaign]) -> list[str]:
    """The group's mailboxes that cannot send, first: nothing else goes out until they can."""
    failing = [state for state in sending_health.states(session, sorted({c.mailbox for c in group})).values()
               if not state.working]
    if not failing:
        return []
    return ([f"Mailboxes that cannot send: {len(failing)} (their mail waits)"]
            + [f"- {state.address}: {state.words}" for state in failing] + [""])
