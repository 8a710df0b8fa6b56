"""The scheduler keeps up (issue 25): due steps are claimed in bounded batches until none is due,
a mailbox that can take no more does not hold back another's mail, the broker is not flooded,
and each mailbox's pace holds across batches, ticks and every worker."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from outreach.campaign import load_campaign
from outreach.db.engine import UnitOfWork
from outreach.db.models import Campaign, Step
from outreach.domain.vocabulary import StepStatus
from outreach.rendering import Renderer
from outreach.services.outbound import campaigns, scheduler, sending
from tests.support.campaigns import campaign_settings, write_campaign
from tests.support.services import closed_port

MONDAY_10_UTC = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
ALWAYS = {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "00:00", "end": "23:59"}


class Outbox:
    def __init__(self):
        self.sent: list[str] = []
        self.lock = threading.Lock()

    def send(self, message, sender, recipients):
        with self.lock:
            self.sent.append(recipients[0])

    def file_sent(self, message, when):
        pass

    def was_sent(self, message_id):
        return False


def queue(uow, tmp_path, name: str, count: int, sender: str = "vet@school.test", now=MONDAY_10_UTC, **sending_rules):
    partners = [
        {"name": f"{name} partner {i}", "contacts": [{"name": f"Person {i}", "email": f"p{i}@{name}{i}.test"}]}
        for i in range(count)
    ]
    rules = {**ALWAYS, "timezone": "UTC", "max_per_hour": 10_000, "max_per_day": 100_000}
    rules |= {"seconds_between_messages": 0, **sending_rules}
    settings = campaign_settings(name, closed_port(), closed_port(), partners, sender=sender, sending=rules)
    folder = tmp_path / name
    folder.mkdir()
    campaigns.queue(uow.session, load_campaign(write_campaign(folder, settings)), Renderer(), now)
    uow.commit()


def tick(uow, now=MONDAY_10_UTC, **options) -> tuple[scheduler.TickResult, list[tuple[int, float]]]:
    enqueued: list[tuple[int, float]] = []
    result = scheduler.tick(
        uow,
        now,
        lambda step_id, delay: enqueued.append((step_id, delay)),
        lambda s: Outbox(),
        lambda s: Renderer(),
        **options,
    )
    return result, enqueued


def statuses(uow) -> dict[StepStatus, int]:
    uow.session.expire_all()
    rows = uow.session.execute(sa.select(Step.status, sa.func.count()).group_by(Step.status)).all()
    return dict(rows)  # type: ignore[arg-type]  # (status, count) pairs


def test_one_tick_queues_every_due_step_in_bounded_batches(uow, tmp_path):
    queue(uow, tmp_path, "many", 35)
    result, enqueued = tick(uow, limit=10)
    assert len(enqueued) == 35 and len({step for step, _ in enqueued}) == 35
    assert statuses(uow) == {StepStatus.QUEUED: 35}
    assert not result.more_due


def test_the_broker_is_not_flooded_and_the_next_tick_comes_soon(uow, tmp_path):
    queue(uow, tmp_path, "flood", 30)
    result, enqueued = tick(uow, limit=8, max_in_flight=20)
    assert len(enqueued) == 20 and result.more_due  # work is due: the loop ticks again in a second
    outbox = Outbox()
    for step_id, _ in enqueued[:15]:  # the workers catch up on some
        sending.send_step(uow, step_id, lambda s: outbox, lambda s: Renderer(), lambda: MONDAY_10_UTC)
    result, more = tick(uow, limit=8, max_in_flight=20)
    assert len(more) == 10 and not result.more_due
    assert statuses(uow) == {StepStatus.SENT: 15, StepStatus.QUEUED: 15}


def test_a_mailbox_at_its_cap_does_not_hold_back_another_mailbox(uow, tmp_path):
    queue(uow, tmp_path, "capped", 12, sender="capped@school.test", max_per_hour=2)
    queue(uow, tmp_path, "free", 5, sender="free@school.test", now=MONDAY_10_UTC + timedelta(seconds=1))
    _, enqueued = tick(uow, now=MONDAY_10_UTC + timedelta(seconds=2), limit=4)
    by_mailbox = dict(
        uow.session.execute(
            sa.select(Campaign.mailbox, sa.func.count())
            .join(Step, Step.campaign_id == Campaign.id)
            .where(Step.status == StepStatus.QUEUED)
            .group_by(Campaign.mailbox)
        ).all()
    )
    assert by_mailbox == {"capped@school.test": 2, "free@school.test": 5}
    assert len(enqueued) == 7


def test_the_pace_holds_across_batches_and_ticks(uow, tmp_path):
    queue(uow, tmp_path, "paced", 5, seconds_between_messages=10)
    _, first = tick(uow, limit=2, max_in_flight=3)
    assert [delay for _, delay in first] == [0, 10, 20]  # three turns, over two batches
    later = MONDAY_10_UTC + timedelta(seconds=4)
    _, second = tick(uow, now=later, limit=2)
    assert [delay for _, delay in second] == [26, 36]  # after the turns planned before, not from now
    uow.session.expire_all()
    turns = uow.session.scalars(sa.select(Step.due_at).order_by(Step.due_at)).all()
    assert [(t - MONDAY_10_UTC).total_seconds() for t in turns] == [0, 10, 20, 30, 40]


def test_a_lost_message_is_sent_again_at_its_turn_not_before(uow, tmp_path):
    queue(uow, tmp_path, "lost", 2, seconds_between_messages=600)
    _, enqueued = tick(uow)
    assert [delay for _, delay in enqueued] == [0, 600]
    six_minutes_on = MONDAY_10_UTC + scheduler.STALE_QUEUED + timedelta(minutes=1)
    result, again = tick(uow, now=six_minutes_on)
    assert result.requeued == [enqueued[0][0]]  # the first's turn passed long ago; the second's is ahead
    assert again == [(enqueued[0][0], 0)]


def test_the_pace_holds_across_workers_asking_at_once(engine, tmp_path):
    """Four workers are handed four messages of one mailbox at the same moment (a backlog, or
    messages sent again): one goes, the others are told when the mailbox's next turn is."""
    with UnitOfWork(engine) as uow:
        queue(uow, tmp_path, "together", 4, seconds_between_messages=30)
        _, enqueued = tick(uow)
    outbox, outcomes, start = Outbox(), [], threading.Barrier(4)

    def work(step_id: int) -> None:
        start.wait()
        with UnitOfWork(engine) as uow:
            outcomes.append(
                sending.send_step(uow, step_id, lambda s: outbox, lambda s: Renderer(), lambda: MONDAY_10_UTC)
            )

    threads = [threading.Thread(target=work, args=(step_id,)) for step_id, _ in enqueued]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(o.result for o in outcomes) == ["later", "later", "later", "sent"]
    assert len(outbox.sent) == 1
    assert {o.wait_seconds for o in outcomes if o.result == "later"} == {30}


def test_the_first_batch_is_small_so_the_workers_start_while_the_rest_is_claimed(uow, tmp_path, engine):
    """The first message of a large tick is in the broker after FIRST_BATCH steps are claimed and
    committed, not after a whole batch: at the first enqueue, only those are queued."""
    queue(uow, tmp_path, "ramp", scheduler.FIRST_BATCH + 30)
    seen_queued: list[int] = []

    def enqueue(step_id: int, delay: float) -> None:
        if not seen_queued:  # what a worker could see at the first message
            with engine.connect() as other:
                count = sa.select(sa.func.count()).select_from(Step).where(Step.status == StepStatus.QUEUED)
                seen_queued.append(other.scalar(count) or 0)

    scheduler.tick(uow, MONDAY_10_UTC, enqueue, lambda s: Outbox(), lambda s: Renderer())
    assert seen_queued == [scheduler.FIRST_BATCH]
    assert statuses(uow) == {StepStatus.QUEUED: scheduler.FIRST_BATCH + 30}
