"""Dramatiq actors. Thin: an id in, a unit of work, one service call. Declared on the broker
the composition root built, so importing this module connects to nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import dramatiq

from outreach.services.outbound import sending

log = logging.getLogger("outreach.worker")

QUEUE = "outreach"


@dataclass(frozen=True)
class Actors:
    send_step: dramatiq.Actor
    process_inbound: dramatiq.Actor


def declare(broker: dramatiq.Broker, app) -> Actors:
    def send_step(step_id: int) -> None:
        if app.stopping.is_set():  # left queued in the database; the next start sends it
            log.info("step %s left for the next start: stopping", step_id)
            return
        with app.uow() as uow:
            outcome = sending.send_step(uow, step_id, app.outbox, app.renderer, app.now)
        if outcome.result == "later":  # not the mailbox's turn yet (its pace, across every worker)
            app.enqueue(step_id, outcome.wait_seconds)
        log.info("step %s: %s %s", outcome.step_id, outcome.result, outcome.detail)

    def process_inbound(inbound_id: int) -> None:
        app.process_inbound(inbound_id)

    return Actors(
        send_step=dramatiq.actor(
            broker=broker,
            actor_name="send_step",
            queue_name=QUEUE,
            max_retries=5,
            min_backoff=2_000,
            time_limit=10 * 60_000,
        )(send_step),
        process_inbound=dramatiq.actor(
            broker=broker, actor_name="process_inbound", queue_name=QUEUE, max_retries=0, time_limit=5 * 60_000
        )(process_inbound),
    )
