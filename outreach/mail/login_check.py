"""Log in to a mailbox's SMTP and IMAP servers, step by step, and say in plain words which
failed and why: an unknown host, nothing listening, no answer in time, a TLS problem, a server
that speaks another protocol on that port, a refused password. Sends nothing, changes nothing.
"""

from __future__ import annotations

import imaplib
import smtplib
import socket
from dataclasses import dataclass

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from outreach.campaign.model import Credentials, ImapServer, Mailbox, Security, Server
from outreach.mail.plain_words import network, not_supported, other_protocol, refused_login, text
from outreach.mail.secrets import Secret, SecretError, resolve, xoauth2
from outreach.mail.smtp import tls_context


@dataclass(frozen=True)
class Check:
    service: str  # SMTP or IMAP
    server: Server
    ok: bool
    said: str

    @property
    def where(self) -> str:
        return f"{self.server.host}:{self.server.port} ({self.server.security.value})"

    def __str__(self) -> str:
        return f"{self.service} {self.where}: {'OK' if self.ok else 'FAILED'}: {self.said}"


def check_mailbox(mailbox: Mailbox, timeout: float = 15) -> list[Check]:
    """Both logins; the secret is read once (a token command runs once)."""
    try:
        secret = resolve(mailbox.auth)
    except SecretError as error:
        said = f"the secret could not be read, so no login was tried: {error}"
        return [Check("SMTP", mailbox.smtp, False, said), Check("IMAP", mailbox.imap, False, said)]
    return [
        check_smtp(mailbox.smtp, mailbox.auth, secret, timeout),
        check_imap(mailbox.imap, mailbox.auth, secret, timeout),
    ]


class _Step:
    """Which step of the conversation is under way, for saying what went wrong where."""

    def __init__(self):
        self.now = "connect"


def check_smtp(server: Server, credentials: Credentials, secret: Secret, timeout: float) -> Check:
    step = _Step()
    try:
        said = _smtp_login(server, credentials, secret, timeout, step)
    except smtplib.SMTPAuthenticationError as error:
        said = refused_login(credentials.username, f"{error.smtp_code} {text(error.smtp_error)}", secret.kind)
    except smtplib.SMTPNotSupportedError as error:
        said = not_supported(server, str(error), step.now)
    except smtplib.SMTPServerDisconnected as error:  # smtplib's word for a read that failed or timed out
        said = (
            network(server, error.__context__, step.now, timeout)
            if isinstance(error.__context__, OSError)
            else other_protocol(server, "SMTP", error, step.now)
        )
    except (smtplib.SMTPConnectError, smtplib.SMTPResponseException) as error:
        said = other_protocol(server, "SMTP", error, step.now)
    except (OSError, smtplib.SMTPException) as error:
        said = network(server, error, step.now, timeout)
    else:
        return Check("SMTP", server, True, said)
    return Check("SMTP", server, False, said)


def _smtp_login(server: Server, credentials: Credentials, secret: Secret, timeout: float, step: _Step) -> str:
    context = tls_context(server)
    _reachable(server, timeout, step)
    connection: smtplib.SMTP
    if server.security is Security.SSL:
        step.now = "tls"  # the handshake comes with the connection, before the greeting
        connection = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
    else:
        step.now = "greeting"
        connection = smtplib.SMTP(server.host, server.port, timeout=timeout)
    try:
        step.now = "greeting"
        connection.ehlo()
        if server.security is Security.STARTTLS:
            step.now = "tls"
            connection.starttls(context=context)
            connection.ehlo()
        step.now = "login"
        if secret.kind == "oauth2":
            connection.auth(
                "XOAUTH2", lambda challenge=None: "" if challenge else xoauth2(credentials.username, secret.value)
            )
        elif connection.has_extn("auth"):
            connection.login(credentials.username, secret.value)
        else:
            return "connected; this server asks for no login (it takes mail without a password)"
        return f"logged in as {credentials.username}"
    finally:
        _quietly(connection.quit)


def check_imap(server: ImapServer, credentials: Credentials, secret: Secret, timeout: float) -> Check:
    step = _Step()
    try:
        said = _imap_login(server, credentials, secret, timeout, step)
    except LoginError as error:
        said = refused_login(credentials.username, text(error), secret.kind)
    except (IMAPClientError, imaplib.IMAP4.error) as error:
        if step.now == "tls" and "STARTTLS" in str(error):
            said = not_supported(server, str(error), step.now)
        elif step.now == "folders":
            said = f"logged in, but the folders could not be read: {text(error)}"
        else:
            said = other_protocol(server, "IMAP", error, step.now)
    except OSError as error:
        said = network(server, error, step.now, timeout)
    else:
        return Check("IMAP", server, not said.startswith("logged in, but"), said)
    return Check("IMAP", server, False, said)


def _imap_login(server: ImapServer, credentials: Credentials, secret: Secret, timeout: float, step: _Step) -> str:
    context = tls_context(server)
    _reachable(server, timeout, step)
    step.now = "tls" if server.security is Security.SSL else "greeting"
    client = IMAPClient(
        server.host, port=server.port, ssl=server.security is Security.SSL, ssl_context=context, timeout=timeout
    )
    try:
        if server.security is Security.STARTTLS:
            step.now = "tls"
            client.starttls(context)
        step.now = "login"
        if secret.kind == "oauth2":
            client.oauth2_login(credentials.username, secret.value)
        else:
            client.login(credentials.username, secret.value)
        step.now = "folders"
        if not client.folder_exists(server.inbox):
            return f"logged in, but there is no folder {server.inbox!r} (imap.inbox) to watch"
        sent = (
            ""
            if client.folder_exists(server.sent_folder)
            else (
                f"; the folder {server.sent_folder!r} does not exist yet (it is made when the first message is filed)"
            )
        )
        return f"logged in as {credentials.username}; {server.inbox!r} can be watched{sent}"
    finally:
        _quietly(client.logout)


def _reachable(server: Server, timeout: float, step: _Step) -> None:
    """First the bare connection: an unknown host, a closed port and a silent one are told
    apart from what happens once the server has been reached."""
    step.now = "connect"
    socket.create_connection((server.host, server.port), timeout=timeout).close()


def _quietly(action) -> None:
    try:
        action()
    except (OSError, smtplib.SMTPException, IMAPClientError, imaplib.IMAP4.error):
        pass
