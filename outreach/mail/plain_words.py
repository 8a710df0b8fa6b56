"""What went wrong with a mail server, in plain words a school's IT person acts on: an unknown
host, nothing answering, no answer in time, a TLS problem, another protocol on that port, a
refused password. Shared by the login check and the SMTP adapter, so both say the same thing."""

from __future__ import annotations

import re
import smtplib
import socket
import ssl

from outreach.campaign.model import Security, Server


def refused_login(username: str, said: str, kind: str = "password") -> str:
    """The server answered the login with a refusal (SMTP 535, IMAP NO)."""
    what = "token" if kind == "oauth2" else "password"
    return (
        f"the server refused the {what} for {username}: {said} (a wrong {what}, or the account may not log in this way)"
    )


def network(server: Server, error: OSError | smtplib.SMTPException, step: str, timeout: float) -> str:
    where = f"{server.host}:{server.port}"
    if isinstance(error, socket.gaierror):
        return f"the host name {server.host!r} is unknown (check its spelling): {error.strerror}"
    if isinstance(error, ConnectionRefusedError):
        return f"nothing answers at {where}: the port is wrong, or the server is not running"
    if isinstance(error, (TimeoutError, socket.timeout)):
        return timeout_words(server, step, timeout)
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            f"TLS problem: the certificate of {where} could not be verified ({error.verify_message}); "
            "fix the server's certificate (or, on a private network you trust, set verify_certificates: false)"
        )
    if isinstance(error, ssl.SSLError):
        return (
            f"TLS problem with {where} ({error.reason or error}): this port may not speak TLS from the start; "
            "the usual pairs are ssl on 465 (SMTP) and 993 (IMAP), starttls on 587 (SMTP) and 143 (IMAP)"
        )
    if isinstance(error, (ConnectionResetError, BrokenPipeError)) or step == "greeting":
        return f"{where} closed the connection at the {STEPS[step]} ({text(error)})"
    return f"the connection to {where} failed at the {STEPS[step]}: {text(error)}"


def timeout_words(server: Server, step: str, timeout: float) -> str:
    where = f"{server.host}:{server.port}"
    seconds = f"{timeout:g} s"
    if step == "connect":
        return (
            f"timeout: no answer from {where} within {seconds} (the host is down, or a firewall drops the connection)"
        )
    if step == "login":
        return (
            f"timeout: the server took the login but did not answer within {seconds}. Some servers stay silent "
            "after a wrong password instead of refusing it: check the password or token first, then the server"
        )
    if step == "tls" and server.security is Security.SSL:
        return (
            f"timeout: {where} did not answer the TLS handshake within {seconds}: this port may not speak TLS "
            "from the start (try security: starttls or none, or the port for ssl)"
        )
    return (
        f"timeout: connected to {where}, but it said nothing within {seconds} at the {STEPS[step]}: this port "
        "may expect TLS from the start (security: ssl), or belong to another service"
    )


def other_protocol(server: Server, protocol: str, error: Exception, step: str) -> str:
    if step in ("connect", "greeting"):
        return (
            f"{server.host}:{server.port} does not answer as an {protocol} server (it said: {text(error)[:120]}): "
            "is it the right port?"
        )
    return f"the {protocol} server answered the {STEPS[step]} with an error: {text(error)[:200]}"


def not_supported(server: Server, message: str, step: str) -> str:
    if step == "tls":
        return (
            f"{server.host}:{server.port} does not offer STARTTLS: use security: ssl (usually port 465), "
            "or none on a private network"
        )
    return f"{server.host}:{server.port} does not offer this login ({message}): check the secret source's kind"


STEPS = {
    "connect": "connection",
    "greeting": "greeting",
    "tls": "TLS handshake",
    "login": "login",
    "folders": "folder check",
}


def text(value: object) -> str:
    """What a server or a library said, as text: bytes decoded, an SMTP code kept when it is one."""
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    if isinstance(value, smtplib.SMTPResponseException):
        said = text(value.smtp_error)
        return f"{value.smtp_code} {said}" if value.smtp_code > 0 else said
    if isinstance(value, Exception) and len(value.args) == 1 and isinstance(value.args[0], bytes):
        return text(value.args[0])
    written = str(value)
    quoted = re.fullmatch(r"b'(.*)'", written)  # imapclient hands on the server's words as repr(bytes)
    return quoted.group(1) if quoted else written
