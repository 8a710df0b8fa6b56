"""The watcher's reading rules against a real database, with a scripted IMAP server in front:
checkpoints, a changed UIDVALIDITY, polling where IDLE is missing, and a message that cannot
be processed."""

import threading
from datetime import datetime

import sqlalchemy as sa

from outreach.campaign.model import CampaignFile
from outreach.db.models import InboundMail
from outreach.db.types import utcnow
from outreach.inbound.message import Fetched
from outreach.mail.watcher import HEADER_ITEM, MailboxWatcher, WatchPorts
from outreach.services.inbound import inbox
from tests.support.campaigns import campaign_settings
from tests.support.mailboxes import wait_for

MAILBOX = "vet@school.test"


def raw(n: int) -> bytes:
    return f"From: p{n}@partner.test\r\nMessage-ID: <m{n}@partner.test>\r\nSubject: {n}\r\n\r\nbody {n}\r\n".encode()


class ScriptedImap:
    """What an IMAP server answers to the watcher's calls; records which bodies were fetched."""

    def __init__(self, messages: dict[int, bytes], uidvalidity: int = 7, idle: bool = True):
        self.messages, self.uidvalidity, self.idle_ok = messages, uidvalidity, idle
        self.fetched: list[int] = []
        self.withheld: set[int] = set()
        self.folders = {"INBOX"}
        self.header_fetches = 0

    def folder_exists(self, folder):
        return folder in self.folders

    def capabilities(self):
        return (b"IMAP4REV1", b"IDLE") if self.idle_ok else (b"IMAP4REV1",)

    def select_folder(self, folder, readonly=False):
        assert readonly, "the watcher must never open a folder read-write"
        return {b"UIDVALIDITY": self.uidvalidity, b"EXISTS": len(self.messages)}

    def search(self, criteria):
        first = int(criteria[1].split(":")[0])
        found = [uid for uid in sorted(self.messages) if uid >= first]
        return found or ([max(self.messages)] if self.messages else [])  # "n:*" always names the last

    def fetch(self, uids, items):
        if items == ["BODY.PEEK[]", "INTERNALDATE"]:  # bodies are read with PEEK, so nothing is marked read
            self.fetched.extend(uids)
            return {
                uid: {b"BODY[]": self.messages[uid], b"INTERNALDATE": datetime(2027, 3, 1, 9, uid % 60)}
                for uid in uids
                if uid in self.messages and uid not in self.withheld
            }
        assert items == [HEADER_ITEM]
        self.header_fetches += 1
        return {
            uid: {b"BODY[HEADER.FIELDS (FROM)]": self.messages[uid].split(b"\r\n\r\n")[0] + b"\r\n\r\n"}
            for uid in uids
            if uid in self.messages
        }


def watcher_for(uow_factory, data_dir, found, relevant=None, health=None):
    settings = CampaignFile.model_validate(
        campaign_settings("x", 1, 1, [{"name": "A", "contacts": [{"email": "a@a.test"}]}], sender=MAILBOX)
    ).mailbox

    with uow_factory() as uow:  # a mailbox watched since before its first message
        inbox.begin(uow, MAILBOX, "INBOX", 7, 0)

    def position(folder, uidvalidity):
        with uow_factory() as uow:
            return inbox.position(uow.session, MAILBOX, folder, uidvalidity)

    def begin(folder, uidvalidity, uid):
        with uow_factory() as uow:
            inbox.begin(uow, MAILBOX, folder, uidvalidity, uid)

    def store(folder, uidvalidity, messages, through):
        with uow_factory() as uow:
            return inbox.store(uow, data_dir, MAILBOX, folder, uidvalidity, messages, through, utcnow())

    ports = WatchPorts(position, begin, store, found)
    if relevant is not None:
        ports.relevant = relevant
    if health is not None:
        ports.health = health
    return MailboxWatcher(settings, ports, threading.Event())


def test_a_second_sync_fetches_no_body_and_a_new_uidvalidity_logs_nothing_twice(engine, tmp_path):
    from outreach.db.engine import UnitOfWork

    found = []
    watcher = watcher_for(lambda: UnitOfWork(engine), tmp_path, found.append)
    server = ScriptedImap({1: raw(1), 2: raw(2), 3: raw(3)})
    assert watcher.sync(server) == 3 and server.fetched == [1, 2, 3]
    server.fetched.clear()
    assert watcher.sync(server) == 0 and server.fetched == []  # nothing new: no body fetched
    server.messages[4] = raw(4)
    assert watcher.sync(server) == 1 and server.fetched == [4]
    renumbered = ScriptedImap({10: raw(1), 11: raw(2), 12: raw(3), 13: raw(4), 14: raw(5)}, uidvalidity=8)
    assert watcher.sync(renumbered) == 1  # the resync reads everything, stores only message 5
    with engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(InboundMail)) == 5
    assert len(found) == 5


def test_without_idle_the_watcher_polls(engine, tmp_path):
    from outreach.db.engine import UnitOfWork

    found = []
    watcher = watcher_for(lambda: UnitOfWork(engine), tmp_path, found.append)
    watcher.poll_seconds = 0.05
    server = ScriptedImap({1: raw(1)}, idle=False)
    server.noop = lambda: None
    thread = threading.Thread(target=watcher._watch, args=(server,))
    thread.start()
    try:
        wait_for(lambda: len(found) == 1, timeout=5, what="the first message")
        server.messages[2] = raw(2)
        wait_for(lambda: len(found) == 2, timeout=5, what="the message that came while polling")
    finally:
        watcher.stop.set()
        thread.join(5)
    assert watcher.mode == "polling" and len(found) == 2


def test_a_message_that_cannot_be_processed_is_kept_and_marked(engine, tmp_path):
    from outreach.db.engine import UnitOfWork

    with UnitOfWork(engine) as uow:
        [broken_id] = inbox.store(uow, tmp_path, MAILBOX, "INBOX", 1, [Fetched(1, raw(1))], 1, utcnow())
    with UnitOfWork(engine) as uow:
        row = uow.session.get(InboundMail, broken_id)
        stored = row.raw_path
        row.raw_path = str(tmp_path / "missing.eml")  # processing will fail on this one
        uow.commit()
    from worker.app import App

    app = App(database_url=str(engine.url.render_as_string(hide_password=False)), data_dir=tmp_path)
    try:
        app.actors.process_inbound.fn(broken_id)  # the actor body, as the worker runs it
    finally:
        app.close()
    with UnitOfWork(engine) as uow:
        row = uow.session.get(InboundMail, broken_id)
        assert row.status == "failed" and "FileNotFoundError" in row.error
    assert (tmp_path / "raw").exists() and open(stored, "rb").read() == raw(1)


def test_the_checkpoint_never_moves_past_a_message_the_server_withheld(engine, tmp_path):
    from outreach.db.engine import UnitOfWork

    found = []
    watcher = watcher_for(lambda: UnitOfWork(engine), tmp_path, found.append)
    server = ScriptedImap({1: raw(1), 2: raw(2), 3: raw(3)})
    server.withheld = {2}  # a partial FETCH: the server answers for 1 and 3 only
    assert watcher.sync(server) == 1
    with UnitOfWork(engine) as uow:
        assert inbox.last_uid(uow.session, MAILBOX, "INBOX", 7) == 1
    server.withheld = set()
    assert watcher.sync(server) == 2  # 2 and 3 now; nothing twice
    with UnitOfWork(engine) as uow:
        assert inbox.last_uid(uow.session, MAILBOX, "INBOX", 7) == 3
        assert sorted(uow.session.scalars(sa.select(InboundMail.uid))) == [1, 2, 3]


def test_only_our_messages_are_downloaded_and_the_checkpoint_passes_the_rest(engine, tmp_path):
    from outreach.db.engine import UnitOfWork

    found = []
    ours = lambda folder, headers: [b"p2@" in h for h in headers]
    watcher = watcher_for(lambda: UnitOfWork(engine), tmp_path, found.append, relevant=ours)
    server = ScriptedImap({1: raw(1), 2: raw(2), 3: raw(3)})
    assert watcher.sync(server) == 1 and server.fetched == [2]
    with UnitOfWork(engine) as uow:
        assert inbox.last_uid(uow.session, MAILBOX, "INBOX", 7) == 3
        [row] = uow.session.scalars(sa.select(InboundMail)).all()
        assert row.uid == 2 and row.received_at == datetime(2027, 3, 1, 9, 2).astimezone().astimezone(
            row.received_at.tzinfo
        )
    assert len(list((tmp_path / "raw").rglob("*.eml"))) == 1


class Flaky:
    """A fault for the watcher's port: raises `times` times, then works."""

    def __init__(self, error, times, then):
        self.error, self.left, self.then = error, times, then

    def __call__(self, *args):
        if self.left:
            self.left -= 1
            raise self.error
        return self.then(*args)


def test_the_watcher_survives_faults_and_stores_the_next_message(engine, tmp_path):
    """A parsing error, a database that stays locked, a server without UIDVALIDITY: each is
    logged and reported as the mailbox's health; the watcher reconnects and goes on."""
    import sqlalchemy.exc

    from outreach.db.engine import UnitOfWork

    found, health = [], []
    locked = sqlalchemy.exc.OperationalError("INSERT", {}, Exception("database is locked"))
    watcher = watcher_for(
        lambda: UnitOfWork(engine),
        tmp_path,
        found.append,
        relevant=Flaky(ValueError("cannot parse"), 1, lambda folder, headers: [True] * len(headers)),
        health=health.append,
    )
    watcher.ports.store = Flaky(locked, 2, watcher.ports.store)
    servers = []

    def connect(*args, **kwargs):
        server = ScriptedImap({1: raw(1)}, idle=False)
        server.noop = lambda: None
        server.logout = lambda: None
        if not servers:  # the first connection: a server that gives no UIDVALIDITY
            server.select_folder = lambda folder, readonly=False: {b"EXISTS": 1}
        servers.append(server)
        return server

    watcher._connect = connect
    watcher.backoff = 0.01
    watcher.poll_seconds = 0.05
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: len(found) == 1, timeout=10, what="the message after four faults")
    finally:
        watcher.stop.set()
        thread.join(5)
    assert not thread.is_alive()
    errors = [h for h in health if h]
    assert len(errors) == 4 and "UIDVALIDITY" in errors[0] and "cannot parse" in errors[1] and "locked" in errors[2]
    assert health[-1] is None and len(servers) == 5
