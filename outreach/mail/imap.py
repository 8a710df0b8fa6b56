"""The IMAP side of sending: file a copy in the Sent folder, find a message by Message-ID."""

from __future__ import annotations

import imaplib
import ssl
from datetime import datetime

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from outreach.campaign.model import Credentials, ImapServer, Security
from outreach.mail.secrets import Secret, resolve
from outreach.mail.smtp import MailboxFailure, TemporaryFailure, tls_context


def connect(
    server: ImapServer, credentials: Credentials, secret: Secret | None = None, timeout: float = 60
) -> IMAPClient:
    context = tls_context(server)
    secret = secret or resolve(credentials)  # a missing or refused secret fails before any network
    try:
        client = IMAPClient(
            server.host, port=server.port, ssl=server.security is Security.SSL, ssl_context=context, timeout=timeout
        )
        if server.security is Security.STARTTLS:
            client.starttls(context)
        if secret.kind == "oauth2":
            client.oauth2_login(credentials.username, secret.value)
        else:
            client.login(credentials.username, secret.value)
        return client
    except LoginError as error:
        raise MailboxFailure(f"IMAP login to {server.host} as {credentials.username} refused: {error}") from None
    except ssl.SSLError as error:
        raise MailboxFailure(f"TLS with {server.host}:{server.port} failed: {error.reason or error}") from None
    except (TimeoutError, IMAPClientError, imaplib.IMAP4.error, OSError) as error:
        raise TemporaryFailure(f"cannot reach IMAP {server.host}:{server.port}: {error}") from None


def file_in_sent(client: IMAPClient, folder: str, message: bytes, when: datetime) -> None:
    """Append a sent message, marked read, creating the folder the first time."""
    if not client.folder_exists(folder):
        client.create_folder(folder)
    client.append(folder, message, flags=[b"\\Seen"], msg_time=when)


def has_message_id(client: IMAPClient, folder: str, message_id: str) -> bool:
    if not client.folder_exists(folder):
        return False
    client.select_folder(folder, readonly=True)
    return bool(client.search(["HEADER", "Message-ID", message_id]))


def move_message(client: IMAPClient, folder: str, uidvalidity: int, uid: int, target: str) -> bool:
    """Move one message (by UID) to `target`, if the folder still has the same UIDVALIDITY."""
    selected = client.select_folder(folder)
    if int(selected[b"UIDVALIDITY"]) != uidvalidity:
        return False
    if not client.folder_exists(target):
        client.create_folder(target)
    if client.has_capability("MOVE"):
        client.move([uid], target)
    else:
        client.copy([uid], target)
        client.delete_messages([uid])
        client.uid_expunge([uid]) if client.has_capability("UIDPLUS") else client.expunge()
    return True


def delete_sent_to(client: IMAPClient, folder: str, address: str) -> int:
    """Delete our copies of mail to `address` from the Sent folder (right to erasure)."""
    if not client.folder_exists(folder):
        return 0
    client.select_folder(folder)
    uids = client.search(["TO", address])
    if uids:
        client.delete_messages(uids)
        client.uid_expunge(uids) if client.has_capability("UIDPLUS") else client.expunge()
    return len(uids)
