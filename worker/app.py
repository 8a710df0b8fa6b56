"""The composition root: the one place where engine, broker, mailboxes, templates and the
clock are built and handed to the services. Nothing here runs at import time."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import dramatiq
import sqlalchemy as sa
from dramatiq.brokers.stub import StubBroker

from outreach.campaign import CampaignFile
from outreach.campaign.model import Mailbox
from outreach.db.engine import UnitOfWork, make_engine
from outreach.db.migrate import ensure_ready
from outreach.db.models import Campaign
from outreach.db.types import utcnow
from outreach.inbound.message import Fetched
from outreach.mail.mailbox import Mailboxes
from outreach.mail.secrets import is_refused
from outreach.mail.watcher import MailboxWatcher, Position, WatchPorts
from outreach.messages.render import renderer_for
from outreach.rendering import Renderer
from outreach.services.inbound import inbox, relevance
from outreach.services.outbound import scheduler
from outreach.settings.campaigns import settings_of
from worker.actors import Actors, declare
from worker.broker import build_broker
from worker.dispatch import dispatch

log = logging.getLogger(__name__)
RETRAIN_EVERY = timedelta(days=7)  # the reply reader learns the school's decisions weekly


class App:
    def __init__(
        self,
        database_url: str | None = None,
        redis_url: str | None = None,
        now: Callable[[], datetime] = utcnow,
        mailboxes: Mailboxes | None = None,
        broker: dramatiq.Broker | None = None,
        data_dir: Path | None = None,
        reads_replies: bool = True,
    ):
        self.engine = make_engine(database_url)
        ensure_ready(self.engine, auto_upgrade=self.engine.dialect.name == "sqlite")
        self.now = now
        self.data_dir = Path(data_dir or os.environ.get("OUTREACH_DATA") or "outreach-data")
        self.mailboxes = mailboxes or Mailboxes()
        self._renderers: dict[str, Renderer] = {}
        self.broker = broker or build_broker(redis_url)
        self.actors: Actors = declare(self.broker, self)
        self.stopping = threading.Event()  # set on SIGTERM: no new message is started
        self.raw_retention = timedelta(days=int(os.environ.get("OUTREACH_RAW_RETENTION_DAYS") or 365))
        self._pruned_at: datetime | None = None
        self._reader_at: datetime | None = None
        self.reads_replies = reads_replies  # false in a scheduler-only process: no reader to keep
        self._retraining = threading.Lock()
        if reads_replies:
            self._warm_reply_reader()

    def _warm_reply_reader(self) -> None:
        """The reply reader trained (or loaded from beside the data) in the background, on the
        shipped replies plus the school's own decisions; once per process. The model is kept
        only in a data folder that exists (none is made for it)."""
        from outreach.inbound import intent
        from outreach.services.inbound.labels import school_labels

        with self.uow() as uow:
            extra = school_labels(uow.session)
        self._reader_at = self.now()
        intent.warm_up(extra, cache=self._reply_model_folder())

    def _reply_model_folder(self) -> Path | None:
        """Beside the SQLite logbook (where `outreach intent retrain` keeps it), else in the data
        folder; only in a folder that exists."""
        logbook = self.engine.url.database if self.embedded else None
        if logbook and logbook != ":memory:" and Path(logbook).is_file():
            return Path(logbook).resolve().parent / "reply-model"
        return self.data_dir / "reply-model" if self.data_dir.is_dir() else None

    def _retrain_weekly(self) -> None:
        """Once a week: the reply reader trained again with the school's decisions since (only
        when there are new ones: the same labels keep the same reader). Asked at each tick and
        before each reply is read, so a worker process of its own keeps its reader current too;
        of threads asking at once, one trains."""
        if not self.reads_replies:
            return
        with self._retraining:
            if self._reader_at is not None and self.now() - self._reader_at < RETRAIN_EVERY:
                return
            try:
                self._warm_reply_reader()
            except Exception:  # never a crash of the worker: the reader in use goes on
                log.exception("the reply reader could not be trained again")

    @property
    def uses_redis(self) -> bool:
        return not isinstance(self.broker, StubBroker)

    @property
    def embedded(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def outbox(self, settings: CampaignFile):
        return self.mailboxes.get(settings.resolved_mailbox)

    def renderer(self, settings: CampaignFile) -> Renderer:
        key = str(settings.message.template_dir or "")
        if key not in self._renderers:
            self._renderers[key] = renderer_for(settings)
        return self._renderers[key]

    def enqueue(self, step_id: int, delay_seconds: float = 0) -> None:
        self.actors.send_step.send_with_options(args=(step_id,), delay=int(delay_seconds * 1000) or None)

    def watched_mailboxes(self) -> list[Mailbox]:
        """One mailbox per address among the queued campaigns; where campaigns give the same
        address more than one way, one whose login is not refused (services/mailboxes.py)."""
        with self.uow() as uow:
            rows = uow.session.scalars(sa.select(Campaign).order_by(Campaign.id)).all()
            found: dict[str, Mailbox] = {}
            for row in rows:
                mailbox = settings_of(row).resolved_mailbox
                if mailbox.address not in found or is_refused(found[mailbox.address].auth):
                    found[mailbox.address] = mailbox
        return list(found.values())

    def watcher(self, mailbox: Mailbox, stop: threading.Event, **options) -> MailboxWatcher:
        """A mailbox's watcher; `since` (a date) reads its mail from that day on, as history
        where it is older than our first message to a partner."""
        address = mailbox.address

        def position(folder: str, uidvalidity: int) -> Position | None:
            with self.uow() as uow:
                return inbox.position(uow.session, address, folder, uidvalidity)

        def begin(folder: str, uidvalidity: int, uid: int) -> None:
            with self.uow() as uow:
                inbox.begin(uow, address, folder, uidvalidity, uid)

        def read_from() -> date | None:
            with self.uow() as uow:
                return inbox.first_sent_day(uow.session, address)

        sent = mailbox.imap.sent_folder

        def store(folder: str, uidvalidity: int, messages: list[Fetched], through: int) -> list[int]:
            with self.uow() as uow:
                return inbox.store(
                    uow,
                    self.data_dir,
                    address,
                    folder,
                    uidvalidity,
                    messages,
                    through,
                    self.now(),
                    outgoing=folder == sent,
                )

        def relevant(folder: str, headers: list[bytes]) -> list[bool]:
            with self.uow() as uow:
                return relevance.relevant(uow.session, address, headers, outgoing=folder == sent)

        def health(error: str | None) -> None:
            with self.uow() as uow:
                relevance.record_health(uow, address, error, self.now())

        def found(inbound_id: int) -> None:
            self.actors.process_inbound.send(inbound_id)

        ports = WatchPorts(position, begin, store, found, relevant, health, read_from)
        return MailboxWatcher(mailbox, ports, stop, **options)

    def process_inbound(self, inbound_id: int) -> inbox.Processed:
        """Process one stored message and dispatch what it asks for. A failure is kept,
        marked and told; the next message goes on."""
        self._retrain_weekly()
        try:
            with self.uow() as uow:
                outcome = inbox.process(uow, inbound_id, self.now())
        except Exception as error:  # kept, marked and reported; the watcher goes on
            log.exception("inbound %s could not be processed", inbound_id)
            with self.uow() as uow:
                events = inbox.mark_failed(uow, inbound_id, f"{type(error).__name__}: {error}", self.now())
            dispatch(self, events)
            return inbox.Processed(inbound_id, "failed")
        log.info("inbound %s: %s %s %s", inbound_id, outcome.status, outcome.kind or "", outcome.partner or "")
        dispatch(self, outcome.events)
        return outcome

    def tick(self, first: bool = False) -> scheduler.TickResult:
        """One scheduler tick. The first one of a process on the in-process broker also sends
        again every step still queued: the messages for them died with the previous process."""
        stale_after = timedelta(0) if first and not self.uses_redis else scheduler.STALE_QUEUED
        with self.uow() as uow:
            result = scheduler.tick(uow, self.now(), self.enqueue, self.outbox, self.renderer, stale_after=stale_after)
        self._send_digests()
        self._prune_raw_mail()
        self._retrain_weekly()
        return result

    def _send_digests(self) -> None:
        """On Monday mornings: the weekly digest to each campaign's staff address (once a week);
        and a to-do for each meeting that ended without a recorded outcome."""
        from outreach.services.meetings import invitations as meetings
        from outreach.services.workspace import digest

        with self.uow() as uow:
            events = digest.due(uow.session, self.now())
            meetings.remind_outcomes(uow.session, self.now())
            uow.commit()
        dispatch(self, events)

    def _prune_raw_mail(self) -> None:
        """Once a day: raw copies of partners' mail older than the retention are removed."""
        now = self.now()
        if self._pruned_at is not None and now - self._pruned_at < timedelta(days=1):
            return
        self._pruned_at = now
        with self.uow() as uow:
            removed = inbox.prune_raw(uow, now, self.raw_retention)
        if removed:
            log.info("removed %s raw messages older than %s days", removed, self.raw_retention.days)

    def close(self) -> None:
        self.mailboxes.close()
        self.broker.close()
        self.engine.dispose()
