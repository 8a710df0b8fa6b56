"""Reading what landed in Dovecot mailboxes, as a partner's mail client would."""

from __future__ import annotations

import email
import time
import uuid
from email.message import EmailMessage
from email.policy import default

from imapclient import IMAPClient

from tests.support.dovecot import PASSWORD


def new_address(domain: str = "partner.test") -> str:
    return f"p{uuid.uuid4().hex[:10]}@{domain}"


def messages(dovecot, user: str, folder: str = "INBOX") -> list[EmailMessage]:
    with IMAPClient("127.0.0.1", port=dovecot.imap_port, ssl=False) as imap:
        imap.login(user, PASSWORD)
        if not imap.folder_exists(folder):
            return []
        imap.select_folder(folder, readonly=True)
        fetched = imap.fetch(imap.search(["ALL"]), ["RFC822"])
        return [email.message_from_bytes(data[b"RFC822"], policy=default) for _, data in sorted(fetched.items())]


def wait_for(condition, timeout: float = 20, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)
