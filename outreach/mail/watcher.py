"""The inbox watcher: one per mailbox. IDLE where the server has it (renewed every 9 minutes,
with a read timeout so a dead connection is noticed), polling where not; reconnects with
backoff after any error. It reads with BODY.PEEK, so mail is never marked read, moved or
deleted. What it finds goes to `store` (raw first) and then to `found` (processing)."""

from __future__ import annotations

import imaplib
import logging
import socket
import ssl
import threading
from dataclasses import dataclass
from typing import Callable

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from outreach.campaign.model import Mailbox
from outreach.mail import imap
from outreach.mail.smtp import TemporaryFailure

log = logging.getLogger("outreach.watch")

IDLE_RENEW_SECONDS = 9 * 60
BATCH = 50


@dataclass
class WatchPorts:
    """What the watcher needs from the rest of the product (the database, the queue)."""

    last_uid: Callable[[str, int], int]                  # folder, uidvalidity -> last stored UID
    store: Callable[[str, int, list[tuple[int, bytes]]], list[int]]  # folder, uidvalidity, [(uid, raw)] -> new ids
    found: Callable[[int], None]                         # a new stored message, to be processed


class MailboxWatcher:
    def __init__(self, settings: Mailbox, ports: WatchPorts, stop: threading.Event,
                 poll_seconds: float = 30, idle_check_seconds: float = 30, connect=imap.connect):
        self.settings, self.ports, self.stop = settings, ports, stop
        self.folder = settings.imap.inbox
        self.poll_seconds, self.idle_check_seconds = poll_seconds, idle_check_seconds
        self._connect = connect
        self.mode = "starting"
        self.connections = 0

    def run(self) -> None:
        backoff = 1.0
        while not self.stop.is_set():
            try:
                client = self._connect(self.settings.imap, self.settings.auth, timeout=self.idle_check_seconds + 30)
                self.connections += 1
                backoff = 1.0
                try:
                    self._watch(client)
                finally:
                    _logout(client)
            except (TemporaryFailure, IMAPClientError, imaplib.IMAP4.error, OSError, socket.timeout, ssl.SSLError) as error:
                log.warning("watch %s: %s; reconnecting in %.0fs", self.settings.address, error, backoff)
                self.stop.wait(backoff)
                backoff = min(backoff * 2, 60)

    def _watch(self, client: IMAPClient) -> None:
        idle = b"IDLE" in client.capabilities()
        self.mode = "idle" if idle else "polling"
        log.info("watching %s/%s (%s)", self.settings.address, self.folder, self.mode)
        while not self.stop.is_set():
            self.sync(client)
            if idle:
                self._idle(client)
            else:
                self.stop.wait(self.poll_seconds)
                client.noop()

    def sync(self, client: IMAPClient) -> int:
        """Store every message after the checkpoint; the number stored."""
        selected = client.select_folder(self.folder, readonly=True)
        uidvalidity = int(selected[b"UIDVALIDITY"])
        last = self.ports.last_uid(self.folder, uidvalidity)
        uids = [uid for uid in client.search(["UID", f"{last + 1}:*"]) if uid > last]
        stored = 0
        for start in range(0, len(uids), BATCH):
            batch = uids[start:start + BATCH]
            fetched = client.fetch(batch, ["BODY.PEEK[]"])
            messages = [(uid, fetched[uid][b"BODY[]"]) for uid in batch if b"BODY[]" in fetched.get(uid, {})]
            for new_id in self.ports.store(self.folder, uidvalidity, messages):
                stored += 1
                self.ports.found(new_id)
        return stored

    def _idle(self, client: IMAPClient) -> None:
        """Wait in IDLE until the server reports new mail, the renewal time comes, or we stop."""
        client.idle()
        waited = 0.0
        try:
            while not self.stop.is_set() and waited < IDLE_RENEW_SECONDS:
                responses = client.idle_check(timeout=self.idle_check_seconds)
                waited += self.idle_check_seconds
                if any(r and r[0] == b"BYE" for r in responses):
                    raise TemporaryFailure(f"{self.settings.imap.host} closed the connection: {responses}")
                if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                    break
        finally:
            client.idle_done()


def _logout(client: IMAPClient) -> None:
    try:
        client.logout()
    except (IMAPClientError, imaplib.IMAP4.error, OSError):
        pass
