"""The mail services the integration tests stand on work: SMTP in, LMTP, Dovecot IMAP out."""

import smtplib
import time
import uuid
from email.message import EmailMessage

from imapclient import IMAPClient

from tests.support.dovecot import PASSWORD


def fetch_subjects(dovecot, user: str) -> list[str]:
    with IMAPClient("127.0.0.1", port=dovecot.imap_port, ssl=False) as imap:
        imap.login(user, PASSWORD)
        imap.select_folder("INBOX", readonly=True)
        uids = imap.search(["ALL"])
        return [data[b"ENVELOPE"].subject.decode() for data in imap.fetch(uids, ["ENVELOPE"]).values()]


def test_a_message_sent_over_smtp_lands_in_the_dovecot_mailbox(dovecot, smtp_relay):
    subject = f"Proposal for potential collaboration {uuid.uuid4().hex[:8]}"
    message = EmailMessage()
    message["From"] = "vet@school.test"
    message["To"] = "partner@company.test"
    message["Subject"] = subject
    message.set_content("Dear partner, ...")
    with smtplib.SMTP("127.0.0.1", smtp_relay.port) as smtp:
        smtp.send_message(message)
    deadline = time.monotonic() + 10
    while subject not in fetch_subjects(dovecot, "partner@company.test"):
        assert time.monotonic() < deadline, "the message never arrived"
        time.sleep(0.1)


def test_dovecot_offers_idle_and_survives_a_restart(dovecot):
    with IMAPClient("127.0.0.1", port=dovecot.imap_port, ssl=False) as imap:
        imap.login("vet@school.test", PASSWORD)
        assert {b"IDLE", b"UIDPLUS", b"MOVE"} <= set(imap.capabilities())
    dovecot.restart()
    dovecot.deliver("vet@school.test", b"Subject: after restart\r\n\r\nhello\r\n")
    assert "after restart" in fetch_subjects(dovecot, "vet@school.test")
