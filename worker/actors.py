"""Dramatiq actors. Thin: an id in, a unit of work, one service call. Declared on the broker
the composition root built, so importing this module connects to nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import dramatiq

from outreach.db.models import Campaign
from outreach.mail.smtp import DeliveryError
from outreach.services import campaigns, inbox, meetings, sending

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
        log.info("step %s: %s %s", outcome.step_id, outcome.result, outcome.detail)

    def process_inbound(inbound_id: int) -> None:
        try:
            with app.uow() as uow:
                outcome = inbox.process(uow, inbound_id, app.now())
        except Exception as error:  # kept, marked and reported; the watcher goes on
            log.exception("inbound %s could not be processed", inbound_id)
            with app.uow() as uow:
                inbox.mark_failed(uow, inbound_id, f"{type(error).__name__}: {error}")
            return
        log.info("inbound %s: %s %s %s", inbound_id, outcome.status, outcome.kind or "", outcome.partner or "")
        if outcome.notice is not None:
            tell_staff(outcome.notice)
        if outcome.meeting_to_send is not None:
            send_meeting(outcome.meeting_to_send)
        if outcome.status == "processed" and outcome.campaign_id is not None:
            file_processed(outcome)

    def file_processed(outcome) -> None:
        with app.uow() as uow:
            settings = campaigns.settings_of(uow.session.get(Campaign, outcome.campaign_id))
        if settings.mailbox.imap.processed_folder:
            try:
                app.outbox(settings).move_processed(*outcome.position)
            except DeliveryError as error:
                log.warning("could not move inbound %s to %s: %s", outcome.inbound_id,
                            settings.mailbox.imap.processed_folder, error)

    def send_meeting(meeting_id: int) -> None:
        try:
            with app.uow() as uow:
                meeting = meetings.find(uow.session, meeting_id)
                settings = campaigns.settings_of(uow.session.get(Campaign, meeting.campaign_id))
                meetings.send_invitation(uow, meeting, app.outbox(settings), app.renderer(settings), app.now())
        except (DeliveryError, OSError) as error:  # the meeting is kept; staff can send it again
            log.warning("could not send meeting %s: %s", meeting_id, error)

    def tell_staff(notice) -> None:
        with app.uow() as uow:
            settings = campaigns.settings_of(uow.session.get(Campaign, notice.campaign_id))
        try:
            message = campaigns.staff_notice_message(settings, notice, app.now())
            app.outbox(settings).send(message, settings.mailbox.address, [notice.to])
        except (DeliveryError, OSError) as error:  # the reply is logged either way
            log.warning("could not tell %s of the reply from %s: %s", notice.to, notice.partner, error)

    return Actors(
        send_step=dramatiq.actor(send_step, broker=broker, actor_name="send_step", queue_name=QUEUE,
                                 max_retries=5, min_backoff=2_000, time_limit=10 * 60_000),
        process_inbound=dramatiq.actor(process_inbound, broker=broker, actor_name="process_inbound",
                                       queue_name=QUEUE, max_retries=0, time_limit=5 * 60_000),
    )
