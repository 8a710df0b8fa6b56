"""The weekly digest: on Monday morning in the campaign's timezone, one mail to each
`notify_staff` address with the open to-dos, last week's replies and meetings, next week's
meetings, and what goes out this week. Sent once a week (the week is kept on the campaign
rows), as a TellStaff event."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.models import Campaign, Interaction, Meeting, Partner, Step, Todo
from outreach.domain.steps import PENDING
from outreach.domain.vocabulary import Direction, InteractionKind
from outreach.services.events import TellStaff
from outreach.services.operations import sending_health
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
        if (
            settings.notify_staff
            and local.weekday() == MONDAY
            and local.hour >= FROM_HOUR
            and campaign.digest_week != week_of(local)
        ):
            groups[settings.notify_staff].append(campaign)
    events = []
    for address, group in groups.items():
        local = now.astimezone(ZoneInfo(settings_of(group[0]).sending.timezone))
        events.append(
            TellStaff(
                group[0].id, address, f"Partnership outreach: the week of {local:%d %B %Y}", text(session, group, now)
            )
        )
        for campaign in group:
            campaign.digest_week = week_of(local)
    return events


def text(session: Session, group: list[Campaign], now: datetime) -> str:
    """The digest as of `now`, its times in the (first) campaign's zone: the to-dos open now,
    last week's replies and meetings, next week's meetings, and what goes out this week."""
    zone = ZoneInfo(settings_of(group[0]).sending.timezone)
    week_ago, week_ahead = now - timedelta(days=7), now + timedelta(days=7)
    todos = open_todos(session, now)
    replies = session.execute(
        sa.select(Partner.name, Interaction.subject, Interaction.occurred_at)
        .join(Partner, Partner.id == Interaction.partner_id)
        .where(
            Interaction.direction == Direction.IN,
            Interaction.kind == InteractionKind.EMAIL,
            Interaction.history.is_(False),
            Interaction.occurred_at >= week_ago,
            Interaction.occurred_at < now,
        )
        .order_by(Interaction.occurred_at)
    ).all()
    past, coming = meetings_between(session, week_ago, now), meetings_between(session, now, week_ahead)
    going = Counter(
        session.scalars(
            sa.select(Step.template).where(
                Step.campaign_id.in_([c.id for c in group]), Step.status.in_(PENDING), Step.due_at < week_ahead
            )
        )
    )
    lines = [f"Campaigns: {', '.join(c.name for c in group)}", ""]
    lines += _cannot_send(session, group)
    lines += [f"Open to-dos: {len(todos)}" + (" (oldest first)" if todos else "")]
    lines += [
        f"- {t.created_at.astimezone(zone):%d %b}: {t.kind.replace('_', ' ')}: {t.text[:160]}" for t in todos[:20]
    ]
    if len(todos) > 20:
        lines.append(f"- and {len(todos) - 20} more: `outreach todo` or the workspace's Today page")
    lines += ["", f"Replies last week: {len(replies)}"]
    lines += [
        f"- {at.astimezone(zone):%a %d %b}: {name}: {subject or '(no subject)'}" for name, subject, at in replies[:30]
    ]
    for title, meetings in (("Meetings last week", past), ("Meetings next week", coming)):
        lines += ["", f"{title}: {len(meetings)}"]
        lines += [
            f"- {name}: {start.astimezone(zone):%a %d %b %H:%M} {zone.key} ({status})"
            for name, start, status in meetings[:30]
        ]
    lines += ["", f"Going out this week: {sum(going.values())} messages"]
    lines += [f"- {template.replace('_', ' ')}: {count}" for template, count in sorted(going.items())]
    return "\n".join(lines) + "\n"


def open_todos(session: Session, now: datetime) -> list[Todo]:
    """The to-dos open at `now`: raised by then and not closed by then."""
    return list(
        session.scalars(
            sa.select(Todo)
            .where(Todo.created_at <= now, sa.or_(Todo.done_at.is_(None), Todo.done_at > now))
            .order_by(Todo.created_at, Todo.id)
        )
    )


def meetings_between(session: Session, start: datetime, end: datetime) -> list[tuple[str, datetime, str]]:
    """The meetings that begin in [start, end), with their partner's name, soonest first."""
    rows = session.execute(
        sa.select(Partner.name, Meeting.start_at, Meeting.status)
        .join(Partner, Partner.id == Meeting.partner_id)
        .where(Meeting.start_at >= start, Meeting.start_at < end)
        .order_by(Meeting.start_at)
    )
    return [(name, start_at, status) for name, start_at, status in rows]


def _cannot_send(session: Session, group: list[Campaign]) -> list[str]:
    """The group's mailboxes that cannot send, first: nothing else goes out until they can."""
    failing = [
        state
        for state in sending_health.states(session, sorted({c.mailbox for c in group})).values()
        if not state.working
    ]
    if not failing:
        return []
    return (
        [f"Mailboxes that cannot send: {len(failing)} (their mail waits)"]
        + [f"- {state.address}: {state.words(settings_of(group[0]).sending.timezone)}" for state in failing]
        + [""]
    )
