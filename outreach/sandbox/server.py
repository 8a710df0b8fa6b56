"""The sandbox: IMAP and SMTP on loopback, the scripted partners, and a folder that keeps
every message that passed through (.eml) and every calendar part (.ics)."""

from __future__ import annotations

import logging
import secrets
import smtplib
import threading
from collections.abc import Callable
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

from outreach.sandbox.imap import SandboxImap
from outreach.sandbox.partners import SCRIPTED, Behaviour, answers, calendar_of, cast
from outreach.sandbox.smtp import SandboxSmtp

log = logging.getLogger(__name__)


class Sandbox:
    def __init__(
        self,
        folder: Path,
        users: list[str],
        cast: dict[str, Behaviour],
        today: Callable[[], date] = date.today,
        answer_after: float = 1.0,
        host: str = "127.0.0.1",
        smtp_port: int | None = None,
        imap_port: int | None = None,
        passwords: dict[str, str] | None = None,
    ):
        self.folder = folder
        self.users, self.cast, self.today, self.answer_after = users, cast, today, answer_after
        self.passwords = passwords or {}
        self.imap = SandboxImap(host, imap_port)
        self.smtp = SandboxSmtp(self.imap, self._partner_receives, self._keep, host, smtp_port)
        self.delivered: dict[str, int] = {}  # sandbox user -> messages put in their inbox
        self._pending = 0
        self._count = 0
        self._lock = threading.Lock()
        self._timers: list[threading.Timer] = []
        self._received: dict[str, int] = {}  # partner address -> messages (not invitations) received

    @property
    def mail_folder(self) -> Path:
        return self.folder / "mail"

    @property
    def calendar_folder(self) -> Path:
        return self.folder / "calendar"

    def start(self) -> Sandbox:
        self.mail_folder.mkdir(parents=True, exist_ok=True)
        self.calendar_folder.mkdir(parents=True, exist_ok=True)
        self.imap.start()
        for user in self.users:
            self.imap.add_user(user, self.passwords.get(user) or secrets.token_urlsafe(16))
        self.smtp.start()
        return self

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self.smtp.stop()
        self.imap.stop()

    def password(self, user: str) -> str:
        return self.imap.passwords[user]

    @property
    def answering(self) -> bool:
        """True while a partner's answer is still on its way."""
        return self._pending > 0

    def _keep(self, sender: str, recipients: list[str], raw: bytes) -> None:
        """Every message as an .eml file; every calendar part also as an .ics file."""
        with self._lock:
            self._count += 1
            number = self._count
            for recipient in recipients:
                if recipient in self.users:
                    self.delivered[recipient] = self.delivered.get(recipient, 0) + 1
        to = _slug(recipients[0]) if recipients else "nobody"
        (self.mail_folder / f"{number:03d}-to-{to}.eml").write_bytes(raw)
        message = message_from_bytes(raw, policy=policy.default)
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                param, payload = part.get_param("method"), part.get_payload(decode=True)
                method = (param if isinstance(param, str) and param else "calendar").lower()
                assert isinstance(payload, bytes)  # a leaf part decodes to bytes
                (self.calendar_folder / f"{number:03d}-{method}-{to}.ics").write_bytes(payload)

    def _partner_receives(self, sender: str, recipient: str, raw: bytes) -> None:
        behaviour = self.cast.get(recipient.lower(), Behaviour.SILENT)
        received = message_from_bytes(raw, policy=policy.default)
        earlier = self._received.get(recipient.lower(), 0)
        if calendar_of(received) is None:
            self._received[recipient.lower()] = earlier + 1
        for answer in answers(behaviour, received, self.today(), earlier):
            with self._lock:
                self._pending += 1
            timer = threading.Timer(self.answer_after, self._send_back, (answer,))
            timer.daemon = True
            self._timers.append(timer)
            timer.start()

    def _send_back(self, answer: EmailMessage) -> None:
        """The partner's server sends its answer to ours, over SMTP."""
        try:
            bounce = "MAILER-DAEMON" in str(answer["From"])
            sender = "" if bounce else getaddresses([str(answer["From"])])[0][1]
            recipients = [address for _, address in getaddresses([str(answer["To"])])]
            with smtplib.SMTP("127.0.0.1", self.smtp.port, timeout=30) as connection:
                connection.send_message(answer, sender, recipients)  # CRLF line ends, as SMTP wants
        except (OSError, smtplib.SMTPException):
            log.exception("a sandbox partner could not answer")
        finally:
            with self._lock:
                self._pending -= 1


def for_campaign(campaign, folder: Path, **options) -> Sandbox:
    """A sandbox whose own mailboxes are the campaign's (From, Reply-To, staff) and whose
    partners are the campaign's contacts, dealt their behaviours in the file's order."""
    mailbox = campaign.settings.mailbox
    users = [mailbox.address, mailbox.reply_to, campaign.settings.notify_staff]
    contacts = [c.email for p in campaign.partners for c in p.contacts]
    contacts += [address for address in SCRIPTED if address not in contacts]  # the demo adds these partners
    return Sandbox(folder, list(dict.fromkeys(u for u in users if u)), cast(contacts), **options)


def _slug(address: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_.@" else "_" for ch in address)
