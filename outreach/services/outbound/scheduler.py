"""The scheduler tick: the database says what is due; Dramatiq only carries step ids.

Each tick
- moves due steps that fall outside their sending window to the window's next opening;
- queues the due steps that fit each mailbox's caps (per hour, per day) and pace; of a mailbox
  that cannot send, one step now and then, to try it (services/outbound/sending_health.py);
- sends again the ids of steps queued long ago (a message lost in Redis, or Redis emptied);
- settles steps left in `sending` by a crash, by looking for their Message-ID in Sent.
On PostgreSQL the due rows are locked with SKIP LOCKED, so several schedulers never queue
one step twice; the actor's claim makes a repeated message harmless anyway.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from outreach.campaign import CampaignFile
from outreach.db.engine import UnitOfWork
from outreach.db.models import Campaign, Step
from outreach.domain.vocabulary import StepStatus
from outreach.domain.window import next_opening
from outreach.mail.secrets import SecretError
from outreach.mail.smtp import TemporaryFailure
from outreach.services.operations import sending_health
from outreach.services.outbound import sending
from outreach.settings import mailboxes
from outreach.settings.campaigns import settings_of

log = logging.getLogger(__name__)

STALE_QUEUED = timedelta(minutes=5)
STUCK_SENDING = timedelta(minutes=10)


@dataclass
class Queued:
    step_id: int
    delay_seconds: float


@dataclass
class TickResult:
    queued: list[Queued] = field(default_factory=list)
    deferred: int = 0
    requeued: list[int] = field(default_factory=list)
    recovered_sent: int = 0
    uncertain: int = 0


def tick(
    uow: UnitOfWork,
    now: datetime,
    enqueue: Callable[[int, float], None],
    outboxes: Callable[[CampaignFile], sending.Outbox],
    renderers,
    limit: int = 1000,
    stale_after: timedelta = STALE_QUEUED,
) -> TickResult:
    """`stale_after=0` on the first tick of a process with the in-process broker: whatever it
    had queued before it stopped was lost with it, so every queued step is sent again."""
    result = TickResult()
    _queue_due(uow.session, now, limit, result)
    result.requeued = _stale_queued(uow.session, now, stale_after)
    uow.commit()
    for item in result.queued:  # only after the commit: the actor must find the step queued
        enqueue(item.step_id, item.delay_seconds)
    for step_id in result.requeued:
        enqueue(step_id, 0)
    _settle_stuck(uow, now, outboxes, renderers, enqueue, result)
    return result


def unfinished(session: Session, now: datetime) -> int:
    """Steps queued or being sent, or scheduled and already due: 0 when nothing is left to do now."""
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Step)
            .where(
                sa.or_(
                    Step.status.in_([StepStatus.QUEUED, StepStatus.SENDING]),
                    sa.and_(Step.status == StepStatus.SCHEDULED, Step.due_at <= now),
                )
            )
        )
        or 0
    )


def due_steps(now: datetime, limit: int, postgresql: bool):
    """The due steps, oldest first; on PostgreSQL locked with SKIP LOCKED (served by the
    (status, due_at) index)."""
    query = (
        sa.select(Step)
        .join(Campaign, Step.campaign_id == Campaign.id)
        .where(Step.status == StepStatus.SCHEDULED, Step.due_at <= now, Campaign.paused_at.is_(None))
        .order_by(Step.due_at, Step.id)
        .limit(limit)
        .options(selectinload(Step.contact), selectinload(Step.campaign))
    )
    return query.with_for_update(skip_locked=True, of=Step) if postgresql else query


def _queue_due(session: Session, now: datetime, limit: int, result: TickResult) -> None:
    failing = sending_health.failing(session)
    if failing:
        _try_fixed_mailboxes_now(session, now, failing)
    query = due_steps(now, limit, session.get_bind().dialect.name == "postgresql")
    room: dict[str, int] = {}
    planned: dict[str, int] = defaultdict(int)
    for step in session.scalars(query):
        settings = settings_of(step.campaign)
        sending_rules = settings.sending
        zone = step.contact.timezone or sending_rules.timezone
        opening = next_opening(now, sending_rules, zone)
        if opening > now:
            step.due_at = opening
            result.deferred += 1
            continue
        mailbox = step.campaign.mailbox
        if mailbox in failing and not _one_try(failing[mailbox], settings, now):
            continue  # stays due: it goes once the mailbox works again
        if mailbox not in room:
            room[mailbox] = room_left(session, mailbox, settings, now)
        if room[mailbox] <= 0:
            continue
        room[mailbox] -= 1
        step.status, step.queued_at = StepStatus.QUEUED, now
        delay = planned[mailbox] * sending_rules.seconds_between_messages
        planned[mailbox] += 1
        result.queued.append(Queued(step.id, delay))


def _one_try(health, settings: CampaignFile, now: datetime) -> bool:
    """A mailbox that cannot send gets one message to try it when its wait is over; the rest wait
    for the outcome (the try is noted now, so the next tick does not try another)."""
    if not sending_health.may_try(health, mailboxes.sending(settings), now):
        return False
    health.last_tried_at, health.tried_with = now, sending_health.settings_digest(mailboxes.sending(settings))
    return True


def _try_fixed_mailboxes_now(session: Session, now: datetime, failing: dict) -> None:
    """A failing mailbox whose settings changed since its last try (a fixed port, another secret
    source): its next waiting message is due now, to try it at once."""
    for address, health in failing.items():
        campaigns = session.scalars(
            sa.select(Campaign).where(Campaign.mailbox == address, Campaign.paused_at.is_(None))
        ).all()
        if all(
            sending_health.settings_digest(mailboxes.sending(settings_of(c))) == health.tried_with for c in campaigns
        ):
            continue
        waiting = session.scalar(
            sa.select(Step)
            .where(Step.campaign_id.in_([c.id for c in campaigns]), Step.status == StepStatus.SCHEDULED)
            .order_by(Step.due_at, Step.id)
            .limit(1)
        )
        if waiting is not None and waiting.due_at > now:
            waiting.due_at = now


def room_left(session: Session, mailbox: str, settings: CampaignFile, now: datetime) -> int:
    """How many more messages this mailbox may send now under its hourly and daily caps."""

    def used(since: datetime) -> int:
        return (
            session.scalar(
                sa.select(sa.func.count())
                .select_from(Step)
                .join(Campaign)
                .where(
                    Campaign.mailbox == mailbox,
                    sa.or_(Step.sent_at >= since, Step.status.in_([StepStatus.QUEUED, StepStatus.SENDING])),
                )
            )
            or 0
        )

    caps = settings.sending
    return min(caps.max_per_hour - used(now - timedelta(hours=1)), caps.max_per_day - used(now - timedelta(days=1)))


def _stale_queued(session: Session, now: datetime, stale_after: timedelta) -> list[int]:
    stale = session.scalars(
        sa.select(Step).where(Step.status == StepStatus.QUEUED, Step.queued_at < now - stale_after)
    ).all()
    for step in stale:
        step.queued_at = now
    return [step.id for step in stale]


def _settle_stuck(uow: UnitOfWork, now: datetime, outboxes, renderers, enqueue, result: TickResult) -> None:
    """A step left in `sending` by a crash: found in Sent -> sent; else requeued when the
    provider files sent mail itself (absence proves it was not accepted), else uncertain."""
    session = uow.session
    stuck = session.scalars(
        sa.select(Step).where(Step.status == StepStatus.SENDING, Step.claimed_at < now - STUCK_SENDING)
    ).all()
    for step in stuck:
        settings = settings_of(step.campaign)
        try:
            found = outboxes(settings).was_sent(step.message_id)
        except (TemporaryFailure, SecretError) as error:
            log.warning("cannot check Sent for step %s: %s", step.id, error)
            continue
        if found:
            _, rendered = sending.message_for_step(step, settings, renderers(settings), now)
            sending.record_sent(session, step, rendered.subject, rendered.text, now)
            result.recovered_sent += 1
        elif not settings.resolved_mailbox.imap.append_to_sent:
            step.status, step.queued_at = StepStatus.QUEUED, now
            result.requeued.append(step.id)
        else:
            step.status = StepStatus.UNCERTAIN
            step.last_error = (
                "interrupted between handing the message to the server and filing it in Sent; "
                "not sent again: check the recipient's copy"
            )
            result.uncertain += 1
        uow.commit()
        if step.status is StepStatus.QUEUED:
            enqueue(step.id, 0)
