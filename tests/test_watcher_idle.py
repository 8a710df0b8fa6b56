"""IDLE against a server that writes a response in pieces (the sandbox's IMAP server, pymap,
sends "* 9 FETCH " and "(FLAGS ())" apart). Before, every watcher start against the sandbox
logged "abort: unexpected response: b'(FLAGS ())'" and reconnected: imapclient's idle_check
reads lines from a non-blocking socket and cut the response in two (imapclient issue 519).
The watcher waits on the socket and reads whole lines after DONE: one connection, no error."""

from __future__ import annotations

import logging
import threading
import uuid

from outreach.campaign.model import CampaignFile
from outreach.mail.watcher import MailboxWatcher, Position, WatchPorts
from outreach.sandbox.imap import SandboxImap
from tests.support.campaigns import PASSWORD_ENV, campaign_settings
from tests.support.mailboxes import wait_for

MAILBOX = "idle@school.test"


def raw(n: int) -> bytes:
    return (
        f"From: p{n}@partner.test\r\nTo: {MAILBOX}\r\nSubject: {n}\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@partner.test>\r\n\r\nbody {n}\r\n"
    ).encode()


class Ports:
    """The watcher's ports over a dict: the subject here is the IMAP conversation."""

    def __init__(self):
        self.checkpoints: dict[str, Position] = {}
        self.stored: list[int] = []

    def position(self, folder, uidvalidity):
        return self.checkpoints.get(folder)

    def begin(self, folder, uidvalidity, uid):
        self.checkpoints[folder] = Position(uid, uid)

    def store(self, folder, uidvalidity, messages, through):
        self.stored += [m.uid for m in messages]
        if through:
            self.checkpoints[folder] = Position(self.checkpoints[folder].first, through)
        return [m.uid for m in messages]


def test_new_mail_while_idling_is_read_without_a_protocol_error(monkeypatch, caplog):
    server = SandboxImap().start()
    stop = threading.Event()
    try:
        server.add_user(MAILBOX, "sandbox-password")
        monkeypatch.setenv(PASSWORD_ENV, "sandbox-password")
        settings = CampaignFile.model_validate(
            campaign_settings(
                "idle", 1, server.port, [{"name": "A", "contacts": [{"email": "a@a.test"}]}], sender=MAILBOX
            )
        ).mailbox
        ports = Ports()
        watcher = MailboxWatcher(
            settings,
            WatchPorts(ports.position, ports.begin, ports.store, lambda _: None),
            stop,
            idle_check_seconds=1,
            sent_every_seconds=2,
        )
        caplog.set_level(logging.INFO, logger="outreach.watch")
        thread = threading.Thread(target=watcher.run, daemon=True)
        thread.start()
        wait_for(lambda: watcher.mode == "idle" and "INBOX" in ports.checkpoints, what="the first sync")
        for n in range(20):  # each arrival is told to the watcher in IDLE: EXISTS, then FETCH (FLAGS ())
            server.deliver(MAILBOX, raw(n))
            wait_for(lambda n=n: len(ports.stored) == n + 1, what=f"message {n}")
        stop.set()
        thread.join(10)
    finally:
        stop.set()
        server.stop()
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == [] and watcher.connections == 1
