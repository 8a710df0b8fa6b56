"""The provider's mailbox as the send path sees it: SMTP out, a copy to Sent, a lookup in Sent."""

from __future__ import annotations

import imaplib
import threading
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from outreach.campaign.model import Mailbox
from outreach.mail import imap
from outreach.mail.smtp import SmtpTransport, TemporaryFailure
from outreach.mail.wire import wire_bytes


class MailboxClient:
    """One mailbox's connections, reused across messages; not shared between threads."""

    def __init__(self, settings: Mailbox):
        self.settings = settings
        self.smtp = SmtpTransport(settings.smtp, settings.auth)
        self._imap: IMAPClient | None = None
        self._sent: tuple[EmailMessage, bytes] | None = None

    def send(self, message: EmailMessage, sender: str, recipients: list[str]) -> None:
        raw = wire_bytes(message, SMTP)
        self._sent = (message, raw)  # the copy filed in Sent is the same bytes
        self.smtp.send(message, sender, recipients, raw)

    def file_sent(self, message: EmailMessage, when: datetime) -> None:
        if self.settings.imap.append_to_sent:
            sent = self._sent
            raw = sent[1] if sent is not None and sent[0] is message else wire_bytes(message, SMTP)
            self._with_imap(lambda c: imap.file_in_sent(c, self.settings.imap.sent_folder, raw, when))

    def move_processed(self, folder: str, uidvalidity: int, uid: int) -> bool:
        """Only when the campaign names a folder for processed replies; else mail stays put."""
        target = self.settings.imap.processed_folder
        if not target:
            return False
        return self._with_imap(lambda c: imap.move_message(c, folder, uidvalidity, uid, target))

    def was_sent(self, message_id: str) -> bool:
        return self._with_imap(lambda c: imap.has_message_id(c, self.settings.imap.sent_folder, message_id))

    def _with_imap(self, action):
        for attempt in (1, 2):
            if self._imap is None:
                self._imap = imap.connect(self.settings.imap, self.settings.auth)
            try:
                return action(self._imap)
            except (IMAPClientError, imaplib.IMAP4.error, OSError) as error:  # stale: one fresh try
                self._close_imap()
                if attempt == 2:
                    raise TemporaryFailure(f"IMAP {self.settings.imap.host}: {error}") from None

    def _close_imap(self) -> None:
        if self._imap is not None:
            try:
                self._imap.logout()
            except (IMAPClientError, imaplib.IMAP4.error, OSError):
                pass
            self._imap = None

    def close(self) -> None:
        self.smtp.close()
        self._close_imap()


class Mailboxes:
    """A client per mailbox per thread: worker threads never share a connection."""

    def __init__(self, factory=MailboxClient):
        self._factory = factory
        self._local = threading.local()
        self._all: list = []
        self._lock = threading.Lock()

    def get(self, settings: Mailbox):
        clients = self._local.__dict__.setdefault("clients", {})
        key = (settings.address, settings.smtp, settings.imap, settings.auth)  # its own login, its own client
        if key not in clients:
            clients[key] = self._factory(settings)
            with self._lock:
                self._all.append(clients[key])
        return clients[key]

    def close(self) -> None:
        with self._lock:
            for client in self._all:
                client.close()
            self._all.clear()
