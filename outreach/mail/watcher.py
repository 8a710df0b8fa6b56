"""The inbox watcher: one per mailbox. IDLE where the server has it (renewed every 9
minutes), polling where not. It never dies: any error is logged, reported as the mailbox's
health, and followed by a reconnect after a backoff (1 s doubling to 5 minutes) that only a
good sync resets. It wakes within a second of the stop signal, in IDLE too.

Headers first: a batch's header fields are fetched, `relevant` says which messages are
ours, and only their bodies are downloaded (BODY.PEEK, so nothing is marked read). The
checkpoint moves only past UIDs that were dealt with: stored, or found not to be ours. A
message the server would not hand over is asked for again at the next sync."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from imapclient import IMAPClient

from outreach.campaign.model import Mailbox
from outreach.mail import imap
from outreach.mail.smtp import TemporaryFailure
from outreach.inbound.message import HEADER_FIELDS, Fetched

log = logging.getLogger("outreach.watch")

IDLE_RENEW_SECONDS = 9 * 60
SENT_EVERY_SECONDS = 60  # IDLE reports the inbox only: Sent is read at least once a minute
HEADER_BATCH = 500
BODY_BATCH = 50
MAX_BACKOFF = 300.0
GIVE_UP_AFTER = 3  # syncs in which the server would not hand over a message we want
HEADER_ITEM = f"BODY.PEEK[HEADER.FIELDS ({' '.join(f.upper() for f in HEADER_FIELDS)})]"


@dataclass
class WatchPorts:
    """What the watcher needs from the rest of the product (the database, the queue)."""

    last_uid: Callable[[str, int], int]                          # folder, uidvalidity -> last UID dealt with
    store: Callable[[str, int, list[Fetched], int], list[int]]   # folder, uidvalidity, messages, through -> new ids
    found: Callable[[int], None]                                 # a new stored message, to be processed
    relevant: Callable[[str, list[bytes]], list[bool]] = lambda folder, headers: [True] * len(headers)
    health: Callable[[str | None], None] = lambda error: None   # None: a good sync; else the error


class MailboxWatcher:
    def __init__(self, settings: Mailbox, ports: WatchPorts, stop: threading.Event,
                 poll_seconds: float = 30, idle_check_seconds: float = 1, connect=imap.connect,
                 sent_every_seconds: float = SENT_EVERY_SECONDS):
        self.settings, self.ports, self.stop = settings, ports, stop
        self.folder = settings.imap.inbox
        self.sent_folder = settings.imap.sent_folder  # staff's own replies, written in their mail program
        self.poll_seconds, self.idle_check_seconds = poll_seconds, min(idle_check_seconds, 1.0)
        self.sent_every_seconds = sent_every_seconds
        self._connect = connect
        self.mode = "starting"
        self.connections = 0
        self.backoff = 1.0
        self._withheld: dict[int, int] = {}

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                client = self._connect(self.settings.imap, self.settings.auth, timeout=60)
                self.connections += 1
                try:
                    self._watch(client)
                finally:
                    _logout(client)
            except Exception as error:  # never dies: whatever it was, try again after a while
                self._failed(error)

    def _failed(self, error: Exception) -> None:
        message = f"{type(error).__name__}: {error}"[:500]
        log.warning("watch %s: %s; trying again in %.0fs", self.settings.address, message, self.backoff)
        try:
            self.ports.health(message)
        except Exception:  # the database may be what failed
            log.debug("could not record the watcher's health", exc_info=True)
        self.stop.wait(self.backoff)
        self.backoff = min(self.backoff * 2, MAX_BACKOFF)

    def _watch(self, client: IMAPClient) -> None:
        idle = b"IDLE" in client.capabilities()
        self.mode = "idle" if idle else "polling"
        log.info("watching %s/%s (%s)", self.settings.address, self.folder, self.mode)
        while not self.stop.is_set():
            self.sync(client)
            self.backoff = 1.0
            self.ports.health(None)
            if idle:
                self._idle(client)
            else:
                self.stop.wait(self.poll_seconds)
                if not self.stop.is_set():
                    client.noop()

    def sync(self, client: IMAPClient) -> int:
        """Store every message of ours after the checkpoint, in the inbox and in Sent; the
        number stored."""
        stored = 0
        if self.sent_folder and self.sent_folder != self.folder and client.folder_exists(self.sent_folder):
            stored += self._sync_folder(client, self.sent_folder)
        return stored + self._sync_folder(client, self.folder)  # the inbox last: IDLE waits on it

    def _sync_folder(self, client: IMAPClient, folder: str) -> int:
        selected = client.select_folder(folder, readonly=True)
        if b"UIDVALIDITY" not in selected:
            raise TemporaryFailure(f"{self.settings.imap.host} gave no UIDVALIDITY for {folder}")
        uidvalidity = int(selected[b"UIDVALIDITY"])
        last = self.ports.last_uid(folder, uidvalidity)
        uids = sorted(uid for uid in client.search(["UID", f"{last + 1}:*"]) if uid > last)
        stored = 0
        for start in range(0, len(uids), HEADER_BATCH):
            if self.stop.is_set():
                break
            batch = uids[start:start + HEADER_BATCH]
            complete, count = self._sync_batch(client, folder, uidvalidity, batch)
            stored += count
            if not complete:
                break  # the rest waits for the next sync, after what the server withheld
        return stored

    def _sync_batch(self, client: IMAPClient, folder: str, uidvalidity: int, batch: list[int]) -> tuple[bool, int]:
        heads = client.fetch(batch, [HEADER_ITEM])
        present = [uid for uid in batch if _header_of(heads.get(uid)) is not None]
        wanted = self.ports.relevant(folder, [_header_of(heads[uid]) for uid in present])
        ours = {uid for uid, yes in zip(present, wanted) if yes}
        stored = 0
        for start in range(0, len(batch), BODY_BATCH):
            chunk = batch[start:start + BODY_BATCH]
            want = [uid for uid in chunk if uid in ours]
            bodies = client.fetch(want, ["BODY.PEEK[]", "INTERNALDATE"]) if want else {}
            messages, through, complete = self._dealt_with(chunk, heads, ours, bodies)
            for new_id in self.ports.store(folder, uidvalidity, messages, through):
                stored += 1
                self.ports.found(new_id)
            if not complete:
                return False, stored
        return True, stored

    def _dealt_with(self, chunk, heads, ours, bodies) -> tuple[list[Fetched], int, bool]:
        """The messages to store and the last UID of the unbroken run dealt with."""
        messages, through = [], 0
        for uid in chunk:
            if _header_of(heads.get(uid)) is None or (uid in ours and b"BODY[]" not in bodies.get(uid, {})):
                if not self._give_up_on(uid):
                    return messages, through, False
            elif uid in ours:
                messages.append(Fetched(uid, bodies[uid][b"BODY[]"], _arrived(bodies[uid])))
            through = uid
        return messages, through, True

    def _give_up_on(self, uid: int) -> bool:
        self._withheld[uid] = self._withheld.get(uid, 0) + 1
        if self._withheld[uid] < GIVE_UP_AFTER:
            log.warning("watch %s: UID %s was not handed over; asking again at the next sync",
                        self.settings.address, uid)
            return False
        log.error("watch %s: UID %s was withheld %s times; passing over it", self.settings.address, uid,
                  GIVE_UP_AFTER)
        return True

    def _idle(self, client: IMAPClient) -> None:
        """Wait in IDLE until the server reports new mail, the renewal time comes, or we stop."""
        client.idle()
        renew_at = time.monotonic() + (self.sent_every_seconds if self.sent_folder else IDLE_RENEW_SECONDS)
        try:
            while not self.stop.is_set() and time.monotonic() < renew_at:
                responses = client.idle_check(timeout=self.idle_check_seconds)
                if any(r and r[0] == b"BYE" for r in responses):
                    raise TemporaryFailure(f"{self.settings.imap.host} closed the connection: {responses}")
                if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                    break
        finally:
            client.idle_done()


def _header_of(item: dict | None) -> bytes | None:
    for key, value in (item or {}).items():
        if key.startswith(b"BODY[HEADER") and isinstance(value, bytes):
            return value
    return None


def _arrived(item: dict) -> datetime | None:
    """INTERNALDATE as an aware UTC datetime (imapclient gives it naive, in local time)."""
    value = item.get(b"INTERNALDATE")
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.astimezone()  # imapclient converts to the machine's local time
    return value.astimezone(timezone.utc)


def _logout(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:
        pass
