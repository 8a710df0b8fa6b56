"""The scheduler tick: the database says what is due; Dramatiq only carries step ids.

Each tick
- moves due steps that fall outside their sending window to the window's next opening;
- queues the due steps that fit each mailbox's caps (per hour, per day), in bounded batches
  until none is due (no wait for the next tick while work is due), each at its turn in the
  mailbox's pace: the turns follow the latest one already planned, so the pace holds from one
  batch and one tick to the next (and the worker checks the turn again before it sends,
  services/operations/sending_health.py, so it holds across every worker); of a mailbox that
  cannot send, one step now and then, to try it;
- stops queuing while MAX_IN_FLIGHT steps wait in the broker (the workers catch up; the next
  tick comes at once: `TickResult.more_due`);
- sends again the ids of steps whose turn passed long ago (a message lost in Redis, or Redis
  emptied), at their turn;
- settles steps left in `sending` by a crash, by looking for their Message-ID in Sent.
On PostgreSQL the due rows are locked with SKIP LOCKED, so several schedulers never queue
one step twice; the actor's claim makes a repeated message harmless anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
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
BATCH = 1000  # due steps claimed per statement
FIRST_BATCH = 100  # a tick's first batch is small: the workers start on it while the rest is claimed
MAX_IN_FLIGHT = 5000  # steps queued in the broker and not yet sent: the scheduler waits beyond it


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
    more_due: bool = False  # stopped at MAX_IN_FLIGHT with work still due: tick again soon


@dataclass
class _Plan:
    """What one tick knows across its batches: each mailbox's room under its caps, its next turn
    in the pace, the mailboxes that can take no more now, the steps in flight."""

    in_flight: int
    room: dict[str, int] = field(default_factory=dict)
    next_turn: dict[str, datetime] = field(default_factory=dict)
    full: set[str] = field(default_factory=set)


def tick(
    uow: UnitOfWork,
    now: datetime,
    enqueue: Callable[[int, float], None],
    outboxes: Callable[[CampaignFile], sending.Outbox],
    renderers,
    limit: int = BATCH,
    stale_after: timedelta = STALE_QUEUED,
    max_in_flight: int = MAX_IN_FLIGHT,
) -> TickResult:
    """`stale_after=0` on the first tick of a process with the in-process broker: whatever it
    had queued before it stopped was lost with it, so every queued step is sent again."""
    result = TickResult()
    session = uow.session
    plan = _Plan(in_flight=_in_flight(session))
    failing = sending_health.failing(session)
    if failing:
        _try_fixed_mailboxes_now(session, now, failing)
    size = min(FIRST_BATCH, limit)
    while plan.in_flight < max_in_flight:
        batch, asked = TickResult(), min(size, max_in_flight - plan.in_flight)
        seen = _queue_batch(session, now, asked, plan, failing, batch)
        uow.commit()
        _enqueue(enqueue, batch.queued)  # only after the commit: the actor must find the step queued
        result.queued += batch.queued
        result.deferred += batch.deferred
        if seen < asked:
            break
        size = limit
    result.more_due = plan.in_flight >= max_in_flight and _any_due(session, now, plan.full)
    stale = _stale_queued(session, now, stale_after)
    uow.commit()
    _enqueue(enqueue, stale)
    result.requeued = [item.step_id for item in stale]
    _settle_stuck(uow, now, outboxes, renderers, enqueue, result)
    return result


def _enqueue(enqueue: Callable[[int, float], None], items: list[Queued]) -> None:
    for item in items:
        enqueue(item.step_id, item.delay_seconds)


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


def _due(now: datetime, full: Collection[str]):
    """The condition of a due step of a running campaign whose mailbox can take more now."""
    condition = sa.and_(Step.status == StepStatus.SCHEDULED, Step.due_at <= now, Campaign.paused_at.is_(None))
    return sa.and_(condition, Campaign.mailbox.not_in(sorted(full))) if full else condition


def due_steps(now: datetime, limit: int, postgresql: bool, full: Collection[str] = ()):
    """The due steps, oldest first, but those of mailboxes that can take no more now; on
    PostgreSQL locked with SKIP LOCKED (served by the (status, due_at) index)."""
    query = (
        sa.select(Step)
        .join(Campaign, Step.campaign_id == Campaign.id)
        .where(_due(now, full))
        .order_by(Step.due_at, Step.id)
        .limit(limit)
        .options(selectinload(Step.contact), selectinload(Step.campaign))
    )
    return query.with_for_update(skip_locked=True, of=Step) if postgresql else query


def _any_due(session: Session, now: datetime, full: set[str]) -> bool:
    query = sa.select(Step.id).join(Campaign, Step.campaign_id == Campaign.id).where(_due(now, full)).limit(1)
    return session.scalar(query) is not None


def _in_flight(session: Session) -> int:
    """Steps queued in the broker or being sent."""
    query = sa.select(sa.func.count()).select_from(Step).where(Step.status.in_([StepStatus.QUEUED, StepStatus.SENDING]))
    return session.scalar(query) or 0


def _queue_batch(session: Session, now: datetime, limit: int, plan: _Plan, failing: dict, result: TickResult) -> int:
    """Queue one batch of due steps; how many due steps it looked at. The steps' new states are
    written by primary key in one statement each (queued, moved to their window), not one by one."""
    steps = session.scalars(due_steps(now, limit, session.get_bind().dialect.name == "postgresql", plan.full)).all()
    queued: list[dict] = []
    moved: list[dict] = []
    for step in steps:
        settings = settings_of(step.campaign)
        sending_rules = settings.sending
        zone = step.contact.timezone or sending_rules.timezone
        opening = next_opening(now, sending_rules, zone)
        if opening > now:
            moved.append({"id": step.id, "due_at": opening})
            result.deferred += 1
            continue
        mailbox = step.campaign.mailbox
        if mailbox in failing and not _one_try(failing[mailbox], settings, now):
            plan.full.add(mailbox)
            continue  # stays due: it goes once the mailbox works again
        if mailbox not in plan.room:
            plan.room[mailbox] = room_left(session, mailbox, settings, now)
        if plan.room[mailbox] <= 0:
            plan.full.add(mailbox)
            continue
        plan.room[mailbox] -= 1
        plan.in_flight += 1
        pace = timedelta(seconds=sending_rules.seconds_between_messages)
        turn = _turn(session, plan, mailbox, pace, now)
        # a queued step's due time is its turn in the pace
        queued.append(
            {"id": step.id, "status": StepStatus.QUEUED, "queued_at": now, "due_at": turn if pace else step.due_at}
        )
        result.queued.append(Queued(step.id, (turn - now).total_seconds()))
    for rows in (queued, moved):
        if rows:  # the loaded steps expire at the commit that follows
            session.execute(sa.update(Step), rows)
    return len(steps)


def _turn(session: Session, plan: _Plan, mailbox: str, pace: timedelta, now: datetime) -> datetime:
    """The step's turn in its mailbox's pace: now without a pace; else a pace after the latest
    turn planned or taken (in this tick, by an earlier one, or by a worker), at the earliest now."""
    if not pace:
        return now
    if mailbox not in plan.next_turn:
        plan.next_turn[mailbox] = max([now, *(t + pace for t in _latest_turns(session, mailbox) if t is not None)])
    turn = plan.next_turn[mailbox]
    plan.next_turn[mailbox] = turn + pace
    return turn


def _latest_turns(session: Session, mailbox: str) -> tuple[datetime | None, datetime | None]:
    """The latest turn planned for the mailbox's steps in flight, and the latest a worker took."""
    planned = session.scalar(
        sa.select(sa.func.max(Step.due_at))
        .join(Campaign, Step.campaign_id == Campaign.id)
        .where(Campaign.mailbox == mailbox, Step.status.in_([StepStatus.QUEUED, StepStatus.SENDING]))
    )
    return planned, sending_health.last_turn(session, mailbox)


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


def _stale_queued(session: Session, now: datetime, stale_after: timedelta) -> list[Queued]:
    """Steps queued long ago whose turn is past by as long: their message was lost. Sent again,
    each at its turn (a step whose turn is still ahead keeps its place in the pace)."""
    query = sa.select(Step).where(Step.status == StepStatus.QUEUED, Step.queued_at < now - stale_after)
    if stale_after:  # else every queued step: their messages died with the process before
        query = query.where(Step.due_at < now - stale_after)
    stale = session.scalars(query).all()
    for step in stale:
        step.queued_at = now
    return [Queued(step.id, max((step.due_at - now).total_seconds(), 0)) for step in stale]


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
