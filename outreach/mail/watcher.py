"""The inbox watcher: one per mailbox. IDLE where the server has it (renewed every 9
minutes), polling where not. It never dies: any error is logged, reported as the mailbox's
health, and followed by a reconnect after a backoff (1 s doubling to 5 minutes) that only a
good sync resets. It wakes within a second of the stop signal, in IDLE too.

Headers first: a batch's header fields are fetched, `relevant` says which messages are
ours, and only their bodies are downloaded (BODY.PEEK, so nothing is marked read). The
checkpoint moves only past UIDs that were dealt with: stored, or found not to be ours. A
message the server would not hand over is asked for again at the next sync.

A first start on a folder begins at its present (UIDNEXT): the mail it already holds is the
past, not an answer to us. It reaches back only to the day our first message went out from
the mailbox (answers to it may have come before the watcher ever ran), or to `since` where
staff ask for the past to be read; mail read from before our first message to a partner is
logged as history (the inbox service decides that, not the watcher). `since` given to a
folder read before extends its reading back once: the checkpoint remembers where it began."""

from __future__ import annotations

import io
import logging
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from imapclient import IMAPClient

from outreach.campaign.model import Mailbox
from outreach.inbound.message import HEADER_FIELDS, Fetched
from outreach.mail import imap
from outreach.mail.smtp import TemporaryFailure

log = logging.getLogger("outreach.watch")

IDLE_RENEW_SECONDS = 9 * 60
SENT_EVERY_SECONDS = 60  # IDLE reports the inbox only: Sent is read at least once a minute
HEADER_BATCH = 500
BODY_BATCH = 50
MAX_BACKOFF = 300.0
GIVE_UP_AFTER = 3  # syncs in which the server would not hand over a message we want
HEADER_ITEM = f"BODY.PEEK[HEADER.FIELDS ({' '.join(f.upper() for f in HEADER_FIELDS)})]"
Selected = dict[bytes, Any]  # what SELECT answered (UIDVALIDITY, UIDNEXT, EXISTS, ...)


class Position(NamedTuple):
    """Where a folder's reading stands: the UID before the first one read, and the last dealt with."""

    first: int
    last: int


@dataclass
class WatchPorts:
    """What the watcher needs from the rest of the product (the database, the queue)."""

    position: Callable[[str, int], Position | None]  # folder, uidvalidity -> None: never read
    begin: Callable[[str, int, int], None]  # folder, uidvalidity, the UID reading begins after
    store: Callable[[str, int, list[Fetched], int], list[int]]  # folder, uidvalidity, messages, through -> new ids
    found: Callable[[int], None]  # a new stored message, to be processed
    relevant: Callable[[str, list[bytes]], list[bool]] = lambda folder, headers: [True] * len(headers)
    health: Callable[[str | None], None] = lambda error: None  # None: a good sync; else the error
    read_from: Callable[[], date | None] = lambda: None  # a first start reads from this day (None: now)


class MailboxWatcher:
    def __init__(
        self,
        settings: Mailbox,
        ports: WatchPorts,
        stop: threading.Event,
        poll_seconds: float = 30,
        idle_check_seconds: float = 1,
        connect=imap.connect,
        sent_every_seconds: float = SENT_EVERY_SECONDS,
        since: date | None = None,
    ):
        self.settings, self.ports, self.stop = settings, ports, stop
        self.since = since  # staff asked for the mail from this day on (once per folder and process)
        self._reached_back: set[str] = set()
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
        position = self.ports.position(folder, uidvalidity)
        stored = 0
        if position is None:
            position = self._first_start(client, folder, uidvalidity, selected)
        elif self.since is not None and folder not in self._reached_back:
            stored += self._reach_back(client, folder, uidvalidity, selected, position)
        last = position.last
        uids = sorted(uid for uid in client.search(["UID", f"{last + 1}:*"]) if uid > last)
        return stored + self._read(client, folder, uidvalidity, uids)[0]

    def _first_start(self, client: IMAPClient, folder: str, uidvalidity: int, selected: Selected) -> Position:
        """The folder's present, or the first message of the day reading is to begin."""
        days = [day for day in (self.since, self.ports.read_from()) if day is not None]
        begin = _uid_before(client, min(days), selected) if days else _present(client, selected)
        self._reached_back.add(folder)
        self.ports.begin(folder, uidvalidity, begin)
        log.info(
            "watch %s/%s: first start; reading %s",
            self.settings.address,
            folder,
            f"from {min(days)} on" if days else "mail that arrives from now on",
        )
        return Position(begin, begin)

    def _reach_back(
        self, client: IMAPClient, folder: str, uidvalidity: int, selected: Selected, position: Position
    ) -> int:
        """Staff asked for the past (`since`): what lies before where reading began is read once."""
        self._reached_back.add(folder)
        if self.since is None:
            return 0
        begin = _uid_before(client, self.since, selected)
        if begin >= position.first:
            return 0
        uids = sorted(
            uid for uid in client.search(["UID", f"{begin + 1}:{position.first}"]) if begin < uid <= position.first
        )
        log.info("watch %s/%s: reading %d messages from %s on", self.settings.address, folder, len(uids), self.since)
        stored, complete = self._read(client, folder, uidvalidity, uids)
        if complete:
            self.ports.begin(folder, uidvalidity, begin)
        return stored

    def _read(self, client: IMAPClient, folder: str, uidvalidity: int, uids: list[int]) -> tuple[int, bool]:
        """The messages of ours among `uids`, stored; how many, and whether every UID was dealt with."""
        stored = 0
        for start in range(0, len(uids), HEADER_BATCH):
            if self.stop.is_set():
                return stored, False
            batch = uids[start : start + HEADER_BATCH]
            complete, count = self._sync_batch(client, folder, uidvalidity, batch)
            stored += count
            if not complete:
                return stored, False  # the rest waits for the next sync, after what the server withheld
        return stored, True

    def _sync_batch(self, client: IMAPClient, folder: str, uidvalidity: int, batch: list[int]) -> tuple[bool, int]:
        heads = client.fetch(batch, [HEADER_ITEM])
        found = {uid: _header_of(heads.get(uid)) for uid in batch}
        present = [uid for uid, head in found.items() if head is not None]
        wanted = self.ports.relevant(folder, [head for head in found.values() if head is not None])
        ours = {uid for uid, yes in zip(present, wanted, strict=False) if yes}
        stored = 0
        for start in range(0, len(batch), BODY_BATCH):
            chunk = batch[start : start + BODY_BATCH]
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
        messages: list[Fetched] = []
        through = 0
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
            log.warning(
                "watch %s: UID %s was not handed over; asking again at the next sync", self.settings.address, uid
            )
            return False
        log.error("watch %s: UID %s was withheld %s times; passing over it", self.settings.address, uid, GIVE_UP_AFTER)
        return True

    def _idle(self, client: IMAPClient) -> None:
        """Wait in IDLE until the server says something, the renewal time comes, or we stop.

        The wait looks at the socket only; what the server said is read after DONE, whole lines
        on a blocking socket. (imapclient's `idle_check` reads lines from a non-blocking socket,
        so a response that arrives in two pieces is cut in two and the second half read as a
        response of its own: "abort: unexpected response: b'(FLAGS ())'", imapclient issue 519.)
        Anything the server says is worth a sync, which asks for new UIDs only."""
        client.idle()
        renew_at = time.monotonic() + (self.sent_every_seconds if self.sent_folder else IDLE_RENEW_SECONDS)
        try:
            while not self.stop.is_set() and time.monotonic() < renew_at:
                if _has_spoken(client, self.idle_check_seconds):
                    break
        finally:
            _, responses = client.idle_done()
        if any(r and r[0] == b"BYE" for r in responses):
            raise TemporaryFailure(f"{self.settings.imap.host} closed the connection: {responses}")


def _has_spoken(client: IMAPClient, timeout: float) -> bool:
    """Whether the server has sent something, waiting at most `timeout` seconds; reads nothing."""
    sock = client.socket()
    pending = getattr(sock, "pending", None)  # TLS: bytes decrypted already, which select does not see
    if pending is not None and pending():
        return True
    reader = getattr(client._imap, "file", None)  # what imaplib has buffered after the IDLE continuation
    if reader is not None and _buffered(reader, sock):
        return True
    return bool(select.select([sock], [], [], timeout)[0])


def _buffered(reader: io.BufferedReader, sock: socket.socket) -> bool:
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        return bool(reader.peek(1))  # the buffer only: on a non-blocking socket nothing waits
    except (BlockingIOError, OSError, ValueError):
        return False
    finally:
        sock.settimeout(timeout)


def _present(client: IMAPClient, selected: Selected) -> int:
    """The last UID a folder holds now (UIDNEXT - 1), for a first start that begins now."""
    if b"UIDNEXT" in selected:
        return int(selected[b"UIDNEXT"]) - 1
    return max(client.search(["ALL"]), default=0)


def _uid_before(client: IMAPClient, day: date, selected: Selected) -> int:
    """The UID before the folder's first message that arrived on `day` or later."""
    since = client.search(["SINCE", day])
    return min(since) - 1 if since else _present(client, selected)


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
    return value.astimezone(UTC)


def _logout(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:
        pass
