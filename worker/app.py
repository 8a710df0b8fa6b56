"""The composition root: the one place where engine, broker, mailboxes, templates and the
clock are built and handed to the services. Nothing here runs at import time."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

import dramatiq

from outreach.campaign import CampaignFile
from outreach.db.engine import UnitOfWork, make_engine
from outreach.db.migrate import ensure_ready
from outreach.db.types import utcnow
from outreach.mail.mailbox import Mailboxes
from outreach.rendering import Renderer
from outreach.services import campaigns, scheduler
from worker.actors import Actors, declare
from worker.broker import build_broker

log = logging.getLogger(__name__)


class App:
    def __init__(self, database_url: str | None = None, redis_url: str | None = None,
                 now: Callable[[], datetime] = utcnow, mailboxes: Mailboxes | None = None,
                 broker: dramatiq.Broker | None = None):
        self.engine = make_engine(database_url)
        ensure_ready(self.engine, auto_upgrade=self.engine.dialect.name == "sqlite")
        self.now = now
        self.mailboxes = mailboxes or Mailboxes()
        self._renderers: dict[str, Renderer] = {}
        self.broker = broker or build_broker(redis_url)
        self.actors: Actors = declare(self.broker, self)

    @property
    def embedded(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def outbox(self, settings: CampaignFile):
        return self.mailboxes.get(settings.mailbox)

    def renderer(self, settings: CampaignFile) -> Renderer:
        key = str(settings.message.template_dir or "")
        if key not in self._renderers:
            self._renderers[key] = campaigns.renderer_for(settings)
        return self._renderers[key]

    def enqueue(self, step_id: int, delay_seconds: float = 0) -> None:
        self.actors.send_step.send_with_options(args=(step_id,), delay=int(delay_seconds * 1000) or None)

    def tick(self) -> scheduler.TickResult:
        with self.uow() as uow:
            return scheduler.tick(uow, self.now(), self.enqueue, self.outbox, self.renderer)

    def close(self) -> None:
        self.mailboxes.close()
        self.broker.close()
        self.engine.dispose()
