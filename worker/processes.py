"""Process entry points: the worker, the scheduler, and both in one process.

SIGTERM or Ctrl-C stops them cleanly: the scheduler finishes its tick, the worker finishes
the messages it holds; what is not done stays in the database and is picked up again.
"""

from __future__ import annotations

import logging
import signal
import threading

import dramatiq

from outreach.services.outbound import scheduler
from worker.app import App

log = logging.getLogger("outreach")


class Stopper:
    """Set by SIGTERM or SIGINT; the loops wait on it instead of sleeping."""

    def __init__(self):
        self.event = threading.Event()

    def install(self) -> Stopper:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.event.set())
        return self


def start_worker(app: App, threads: int) -> dramatiq.Worker:
    worker = dramatiq.Worker(app.broker, worker_threads=threads, worker_timeout=200)
    worker.start()
    return worker


REFRESH_SECONDS = 30.0  # how soon a watcher starts for the mailbox of a newly queued campaign


class WatcherPool:
    """One watcher thread per mailbox of the queued campaigns. `refresh()` starts the ones that
    campaigns queued since need, so a running process never has to restart for them."""

    def __init__(self, app: App, stop: threading.Event, only: str | None = None, **options):
        self.app, self.stop, self.only, self.options = app, stop, (only or "").lower() or None, options
        self.threads: dict[str, threading.Thread] = {}

    def refresh(self) -> list[threading.Thread]:
        started = []
        for mailbox in self.app.watched_mailboxes():
            address = mailbox.address.lower()
            if address in self.threads or (self.only and address != self.only):
                continue
            watcher = self.app.watcher(mailbox, self.stop, **self.options)
            thread = threading.Thread(target=watcher.run, name=f"watch {address}", daemon=True)
            thread.start()
            self.threads[address] = thread
            started.append(thread)
        return started

    def join(self, timeout: float = 60) -> None:
        for thread in self.threads.values():
            thread.join(timeout=timeout)


def start_watchers(app: App, stop: threading.Event, **options) -> list[threading.Thread]:
    """A watcher for each mailbox of the campaigns queued now."""
    return WatcherPool(app, stop, **options).refresh()


def run_watch(app: App, threads: int, stopper: Stopper, mailbox: str | None = None, **watch_options: object) -> None:
    """The watchers; in the embedded default also a worker, which processes what they find."""
    worker = start_worker(app, threads) if not app.uses_redis else None
    pool = WatcherPool(app, stopper.event, only=mailbox, **watch_options)
    while not stopper.event.is_set():
        pool.refresh()
        if not pool.threads:
            log.info("no queued campaign uses %s yet: looking again in %.0fs", mailbox or "a mailbox", REFRESH_SECONDS)
        stopper.event.wait(REFRESH_SECONDS)
    pool.join()
    if worker is not None:
        worker.stop()


SOON = 1.0  # seconds to the next tick while work is due but the broker holds enough


def scheduler_loop(app: App, stopper: Stopper, interval: float, once: bool = False, first: bool = True) -> float:
    """Ticks until stopped (or one, `once`); returns how long to wait before the next: the
    interval, or a second while work is due that the workers have not caught up with."""
    if not once:
        log.info("scheduler: a tick every %ss", interval)
    wait = interval
    while not stopper.event.is_set():
        wait = interval
        try:
            result = app.tick(first=first)
            wait = min(SOON, interval) if result.more_due else interval
            first = False
            if result.queued or result.requeued or result.deferred or result.uncertain:
                log.info(
                    "tick: %d queued, %d deferred to their window, %d sent again, %d uncertain",
                    len(result.queued),
                    result.deferred,
                    len(result.requeued),
                    result.uncertain,
                )
        except Exception:  # a bad tick is logged; the next one tries again
            log.exception("scheduler tick failed")
        if once:
            return wait
        stopper.event.wait(wait)
    return wait


def run_worker(app: App, threads: int, stopper: Stopper) -> None:
    app.stopping = stopper.event
    worker = start_worker(app, threads)
    log.info("worker: %d threads on %s", threads, type(app.broker).__name__)
    stopper.event.wait()
    worker.stop()


def run_all(
    app: App,
    threads: int,
    interval: float,
    stopper: Stopper,
    until_idle: bool = False,
    watch_options: dict | None = None,
) -> None:
    """Worker and scheduler in one process (the embedded default: SQLite, in-process broker)."""
    app.stopping = stopper.event
    worker = start_worker(app, threads)
    watchers = WatcherPool(app, stopper.event, **(watch_options or {}))
    log.info("running: worker (%d threads), scheduler (every %ss), inbox watchers", threads, interval)
    try:
        first = True
        while not stopper.event.is_set():
            if not until_idle:
                watchers.refresh()  # a campaign queued on another mailbox gets its watcher
            wait = scheduler_loop(app, stopper, interval, once=True, first=first)
            first = False
            if until_idle and _idle(app):
                break
            stopper.event.wait(wait)
    finally:
        stopper.event.set()
        watchers.join()
        worker.stop()


def _idle(app: App) -> bool:
    """Nothing due now and nothing in flight (for one-shot runs and tests)."""
    app.broker.join(app.actors.send_step.queue_name, timeout=120_000)
    with app.uow() as uow:
        return scheduler.unfinished(uow.session, app.now()) == 0
