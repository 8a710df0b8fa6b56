"""Process entry points: the worker, the scheduler, and both in one process.

SIGTERM or Ctrl-C stops them cleanly: the scheduler finishes its tick, the worker finishes
the messages it holds; what is not done stays in the database and is picked up again.
"""

from __future__ import annotations

import logging
import signal
import threading

import dramatiq
import sqlalchemy as sa

from outreach.db.models import Step
from outreach.domain.vocabulary import StepStatus

from worker.app import App

log = logging.getLogger("outreach")


class Stopper:
    """Set by SIGTERM or SIGINT; the loops wait on it instead of sleeping."""

    def __init__(self):
        self.event = threading.Event()

    def install(self) -> "Stopper":
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.event.set())
        return self


def start_worker(app: App, threads: int) -> dramatiq.Worker:
    worker = dramatiq.Worker(app.broker, worker_threads=threads, worker_timeout=200)
    worker.start()
    return worker


def start_watchers(app: App, stop: threading.Event, **options) -> list[threading.Thread]:
    """One watcher thread per mailbox of the queued campaigns."""
    threads = []
    for mailbox in app.watched_mailboxes():
        watcher = app.watcher(mailbox, stop, **options)
        thread = threading.Thread(target=watcher.run, name=f"watch {mailbox.address}", daemon=True)
        thread.start()
        threads.append(thread)
    if not threads:
        log.info("no campaign queued yet: no mailbox to watch")
    return threads


def run_watch(app: App, threads: int, stopper: Stopper) -> None:
    """The watchers; in the embedded default also a worker, which processes what they find."""
    worker = start_worker(app, threads) if not app.uses_redis else None
    watchers = start_watchers(app, stopper.event)
    stopper.event.wait()
    for thread in watchers:
        thread.join(timeout=60)
    if worker is not None:
        worker.stop()


def scheduler_loop(app: App, stopper: Stopper, interval: float, once: bool = False, first: bool = True) -> None:
    while not stopper.event.is_set():
        try:
            result = app.tick(first=first)
            first = False
            if result.queued or result.requeued or result.deferred or result.uncertain:
                log.info("tick: %d queued, %d deferred to their window, %d sent again, %d uncertain",
                         len(result.queued), result.deferred, len(result.requeued), result.uncertain)
        except Exception:  # a bad tick is logged; the next one tries again
            log.exception("scheduler tick failed")
        if once:
            return
        stopper.event.wait(interval)


def run_worker(app: App, threads: int, stopper: Stopper) -> None:
    app.stopping = stopper.event
    worker = start_worker(app, threads)
    log.info("worker: %d threads on %s", threads, type(app.broker).__name__)
    stopper.event.wait()
    worker.stop()


def run_all(app: App, threads: int, interval: float, stopper: Stopper, until_idle: bool = False,
            watch_options: dict | None = None) -> None:
    """Worker and scheduler in one process (the embedded default: SQLite, in-process broker)."""
    app.stopping = stopper.event
    worker = start_worker(app, threads)
    watchers = [] if until_idle else start_watchers(app, stopper.event, **(watch_options or {}))
    log.info("running: worker (%d threads), scheduler (every %ss), %d inbox watcher(s)",
             threads, interval, len(watchers))
    try:
        first = True
        while not stopper.event.is_set():
            scheduler_loop(app, stopper, interval, once=True, first=first)
            first = False
            if until_idle and _idle(app):
                break
            stopper.event.wait(interval)
    finally:
        stopper.event.set()
        for thread in watchers:
            thread.join(timeout=60)
        worker.stop()


def _idle(app: App) -> bool:
    """Nothing due now and nothing in flight (for one-shot runs and tests)."""
    app.broker.join(app.actors.send_step.queue_name, timeout=120_000)
    with app.uow() as uow:
        busy = uow.session.scalar(sa.select(sa.func.count()).select_from(Step).where(
            sa.or_(Step.status.in_([StepStatus.QUEUED, StepStatus.SENDING]),
                   sa.and_(Step.status == StepStatus.SCHEDULED, Step.due_at <= app.now()))))
    return busy == 0
