"""Log in to a mailbox's SMTP and IMAP servers, step by step, and say in plain words which
failed and why: an unknown host, nothing listening, no answer in time, a TLS problem, a server
that speaks another protocol on that port, a refused password. Sends nothing, changes nothing.
"""

from __future__ import annotations

import imaplib
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from outreach.campaign.model import Credentials, ImapServer, Mailbox, Security, Server
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
    return [check_smtp(mailbox.smtp, mailbox.auth, secret, timeout),
            check_imap(mailbox.imap, mailbox.auth, secret, timeout)]


class _Step:
    """Which step of the conversation is under way, for saying what went wrong where."""

    def __init__(self):
        self.now = "connect"


def check_smtp(server: Server, credentials: Credentials, secret: Secret, timeout: float) -> Check:
    step = _Step()
    try:
        said = _smtp_login(server, credentials, secret, timeout, step)
    except smtplib.SMTPAuthenticationError as error:
        said = (f"the server refused the login as {credentials.username}: {error.smtp_code} "
                f"{_text(error.smtp_error)} (a wrong password or token, or the account may not log in this way)")
    except smtplib.SMTPNotSupportedError as error:
        said = _not_supported(server, str(error), step.now)
    except smtplib.SMTPServerDisconnected as error:  # smtplib's word for a read that failed or timed out
        said = (_network(server, error.__context__, step.now, timeout) if isinstance(error.__context__, OSError)
                else _other_protocol(server, "SMTP", error, step.now))
    except (smtplib.SMTPConnectError, smtplib.SMTPResponseException) as error:
        said = _other_protocol(server, "SMTP", error, step.now)
    except (OSError, smtplib.SMTPException) as error:
        said = _network(server, error, step.now, timeout)
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
            connection.auth("XOAUTH2", lambda challenge=None: "" if challenge else xoauth2(credentials.username, secret.value))
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
        said = (f"the server refused the login as {credentials.username}: {_text(error)} "
                "(a wrong password or token, or the account may not log in this way)")
    except (IMAPClientError, imaplib.IMAP4.error) as error:
        if step.now == "tls" and "STARTTLS" in str(error):
            said = _not_supported(server, str(error), step.now)
        elif step.now == "folders":
            said = f"logged in, but the folders could not be read: {_text(error)}"
        else:
            said = _other_protocol(server, "IMAP", error, step.now)
    except OSError as error:
        said = _network(server, error, step.now, timeout)
    else:
        return Check("IMAP", server, not said.startswith("logged in, but"), said)
    return Check("IMAP", server, False, said)


def _imap_login(server: ImapServer, credentials: Credentials, secret: Secret, timeout: float, step: _Step) -> str:
    context = tls_context(server)
    _reachable(server, timeout, step)
    step.now = "tls" if server.security is Security.SSL else "greeting"
    client = IMAPClient(server.host, port=server.port, ssl=server.security is Security.SSL,
                        ssl_context=context, timeout=timeout)
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
        sent = "" if client.folder_exists(server.sent_folder) else (
            f"; the folder {server.sent_folder!r} does not exist yet (it is made when the first message is filed)")
        return f"logged in as {credentials.username}; {server.inbox!r} can be watched{sent}"
    finally:
        _quietly(client.logout)


def _reachable(server: Server, timeout: float, step: _Step) -> None:
    """First the bare connection: an unknown host, a closed port and a silent one are told
    apart from what happens once the server has been reached."""
    step.now = "connect"
    socket.create_connection((server.host, server.port), timeout=timeout).close()


# --- what went wrong, in plain words --------------------------------------------------------

def _network(server: Server, error: OSError | smtplib.SMTPException, step: str, timeout: float) -> str:
    where = f"{server.host}:{server.port}"
    if isinstance(error, socket.gaierror):
        return f"the host name {server.host!r} is unknown (check its spelling): {error.strerror}"
    if isinstance(error, ConnectionRefusedError):
        return f"nothing is listening on {where}: the port is wrong, or the server is not running"
    if isinstance(error, (TimeoutError, socket.timeout)):
        return _timeout(server, step, timeout)
    if isinstance(error, ssl.SSLCertVerificationError):
        return (f"TLS problem: the certificate of {where} could not be verified ({error.verify_message}); "
                "fix the server's certificate (or, on a private network you trust, set verify_certificates: false)")
    if isinstance(error, ssl.SSLError):
        return (f"TLS problem with {where} ({error.reason or error}): this port may not speak TLS from the start; "
                "the usual pairs are ssl on 465 (SMTP) and 993 (IMAP), starttls on 587 (SMTP) and 143 (IMAP)")
    if isinstance(error, (ConnectionResetError, BrokenPipeError)) or step == "greeting":
        return f"{where} closed the connection at the {_STEPS[step]} ({_text(error)})"
    return f"the connection to {where} failed at the {_STEPS[step]}: {_text(error)}"


def _timeout(server: Server, step: str, timeout: float) -> str:
    where = f"{server.host}:{server.port}"
    seconds = f"{timeout:g} s"
    if step == "connect":
        return f"timeout: no answer from {where} within {seconds} (the host is down, or a firewall drops the connection)"
    if step == "login":
        return (f"timeout: the server took the login but did not answer within {seconds}. Some servers stay silent "
                "after a wrong password instead of refusing it: check the password or token first, then the server")
    if step == "tls" and server.security is Security.SSL:
        return (f"timeout: {where} did not answer the TLS handshake within {seconds}: this port may not speak TLS "
                "from the start (try security: starttls or none, or the port for ssl)")
    return (f"timeout: connected to {where}, but it said nothing within {seconds} at the {_STEPS[step]}: this port "
            "may expect TLS from the start (security: ssl), or belong to another service")


def _other_protocol(server: Server, protocol: str, error: Exception, step: str) -> str:
    if step in ("connect", "greeting"):
        return (f"{server.host}:{server.port} does not answer as an {protocol} server (it said: {_text(error)[:120]}): "
                "is it the right port?")
    return f"the {protocol} server answered the {_STEPS[step]} with an error: {_text(error)[:200]}"


def _not_supported(server: Server, message: str, step: str) -> str:
    if step == "tls":
        return (f"{server.host}:{server.port} does not offer STARTTLS: use security: ssl (usually port 465), "
                "or none on a private network")
    return f"{server.host}:{server.port} does not offer this login ({message}): check the secret source's kind"


_STEPS = {"connect": "connection", "greeting": "greeting", "tls": "TLS handshake", "login": "login",
          "folders": "folder check"}


def _text(value) -> str:
    """What a server or a library said, as text: bytes decoded, an SMTP code kept when it is one."""
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    if isinstance(value, smtplib.SMTPResponseException):
        said = _text(value.smtp_error)
        return f"{value.smtp_code} {said}" if value.smtp_code > 0 else said
    if isinstance(value, Exception) and len(value.args) == 1 and isinstance(value.args[0], bytes):
        return _text(value.args[0])
    text = str(value)
    quoted = re.fullmatch(r"b'(.*)'", text)  # imapclient hands on the server's words as repr(bytes)
    return quoted.group(1) if quoted else text


def _quietly(action) -> None:
    try:
        action()
    except (OSError, smtplib.SMTPException, IMAPClientError, imaplib.IMAP4.error):
        pass
