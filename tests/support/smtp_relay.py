"""A real SMTP server on loopback (aiosmtpd) that hands every accepted message to Dovecot
over LMTP: the product sends over SMTP and the recipient's mailbox receives it."""

from __future__ import annotations

import smtplib

from aiosmtpd.controller import Controller
from imapclient import IMAPClient

from tests.support.services import free_port


class RelayToLmtp:
    def __init__(self, lmtp_port: int):
        self.lmtp_port = lmtp_port
        self.accepted: list[tuple[str, list[str]]] = []
        self.file_sent_for: dict[str, tuple[int, str]] = {}  # sender -> (IMAP port, password)

    def _file_in_senders_sent(self, envelope) -> None:
        """What Gmail and Microsoft 365 do: the provider files the accepted message in Sent."""
        imap_port, password = self.file_sent_for[envelope.mail_from]
        with IMAPClient("127.0.0.1", port=imap_port, ssl=False) as imap:
            imap.login(envelope.mail_from, password)
            if not imap.folder_exists("Sent"):
                imap.create_folder("Sent")
            imap.append("Sent", envelope.original_content, flags=[b"\\Seen"])

    async def handle_DATA(self, server, session, envelope):
        try:
            with smtplib.LMTP("127.0.0.1", self.lmtp_port) as lmtp:
                lmtp.sendmail(envelope.mail_from, envelope.rcpt_tos, envelope.original_content)
        except smtplib.SMTPRecipientsRefused as error:  # answer as the recipient's server would
            code, text = next(iter(error.recipients.values()))
            return f"{code} {text.decode(errors='replace')}"
        if envelope.mail_from in self.file_sent_for:
            self._file_in_senders_sent(envelope)
        self.accepted.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpRelay:
    def __init__(self, lmtp_port: int):
        self.lmtp_port = lmtp_port
        self.port = free_port()
        self.handler = RelayToLmtp(lmtp_port)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
