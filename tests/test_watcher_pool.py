"""The watcher pool starts a watcher for a mailbox as soon as a queued campaign names it, once,
and only for the mailbox it was told to watch (one watcher process per mailbox)."""

import threading
from types import SimpleNamespace

from worker.processes import WatcherPool


class FakeApp:
    def __init__(self):
        self.mailboxes: list[str] = []
        self.started: list[str] = []

    def watched_mailboxes(self):
        return [SimpleNamespace(address=a) for a in self.mailboxes]

    def watcher(self, mailbox, stop, **options):
        self.started.append(mailbox.address)
        return SimpleNamespace(run=lambda: stop.wait(5))


def test_a_campaign_queued_later_gets_its_watcher_once():
    app, stop = FakeApp(), threading.Event()
    pool = WatcherPool(app, stop)
    assert pool.refresh() == []
    app.mailboxes.append("partnerships@riverside.example")
    assert len(pool.refresh()) == 1
    app.mailboxes.append("mobility@riverside.example")
    assert len(pool.refresh()) == 1 and pool.refresh() == []
    assert app.started == ["partnerships@riverside.example", "mobility@riverside.example"]
    stop.set()
    pool.join(timeout=5)
    assert not any(t.is_alive() for t in pool.threads.values())


def test_one_mailbox_only_when_named():
    app, stop = FakeApp(), threading.Event()
    app.mailboxes = ["partnerships@riverside.example", "Mobility@Riverside.example"]
    pool = WatcherPool(app, stop, only="mobility@riverside.example")
    pool.refresh()
    assert app.started == ["Mobility@Riverside.example"]
    stop.set()
    pool.join(timeout=5)
