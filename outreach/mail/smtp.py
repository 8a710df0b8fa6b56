"""The SMTP adapter: SSL, STARTTLS or plain; certificates verified by default; AUTH PLAIN/LOGIN
or XOAUTH2; one connection reused across messages. smtplib's errors become three outcomes:
refused for good (5xx), try again later (4xx, timeouts, dropped connections), or our own
mailbox cannot send (its server unreachable, login, TLS), which never counts against a partner."""

from __future__ import annotations

import smtplib
import ssl
import time
from email.message import EmailMessage

from outreach.campaign.model import Credentials, Security, Server
from outreach.errors import OutreachError
from outreach.mail.plain_words import network, not_supported, other_protocol, refused_login, text
from outreach.mail.secrets import Secret, resolve, xoauth2
from outreach.mail.wire import wire_bytes

IDLE_CHECK_SECONDS = 5


class DeliveryError(OutreachError):
    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


class PermanentRefusal(DeliveryError):
    """The server refused this recipient or message for good (5xx)."""


class TemporaryFailure(DeliveryError):
    """Try again later: 4xx, a timeout, a dropped connection."""


class MailboxFailure(TemporaryFailure):
    """The mailbox cannot send (its server unreachable or silent, a refused login, TLS, the
    configuration): the message never left; retried, never held against a partner."""


def tls_context(server: Server) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not server.verify_certificates:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class SmtpTransport:
    def __init__(
        self,
        server: Server,
        credentials: Credentials,
        timeout: float = 60,
        secret: Secret | None = None,
        cafile: str | None = None,
    ):
        self.server, self.credentials, self.timeout = server, credentials, timeout
        self._secret = secret
        self._cafile = cafile
        self._connection: smtplib.SMTP | None = None
        self._last_used = 0.0

    def send(self, message: EmailMessage, sender: str, recipients: list[str], raw: bytes | None = None) -> None:
        """`raw`: the message's bytes, where the caller made them already (mail/wire.py)."""
        connection = self._ready_connection()
        self._last_used = time.monotonic()
        try:
            refused = _hand_over(connection, message, sender, recipients, raw)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise self._answer(code, text) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            raise self._answer(error.smtp_code, error.smtp_error) from None
        except (smtplib.SMTPNotSupportedError, UnicodeEncodeError):
            raise PermanentRefusal(
                f"{self.server.host} does not accept addresses with characters outside ASCII "
                f"(no SMTPUTF8): {', '.join(recipients)}",
                553,
            ) from None
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException, OSError) as error:
            self.close()
            raise TemporaryFailure(f"connection to {self.server.host} lost: {error}") from None
        if refused:
            code, text = next(iter(refused.values()))
            raise self._answer(code, text)

    def _answer(self, code: int, text) -> DeliveryError:
        """The server's refusal as our error; after 421 (closing) the connection is gone, so
        the next message starts on a new one."""
        if code == 421:
            self.close()
        return _by_code(code, text)

    def _ready_connection(self) -> smtplib.SMTP:
        """The open connection, else a new one. One idle for a while is asked (NOOP) whether it
        is still there before a message is given to it, so that a message is never handed to
        a connection the server has already dropped."""
        if self._connection is not None:
            if time.monotonic() - self._last_used < IDLE_CHECK_SECONDS:
                return self._connection
            try:
                if self._connection.noop()[0] == 250:
                    return self._connection
            except (smtplib.SMTPException, OSError):
                pass
            self.close()
        self._connection = self._connect()
        return self._connection

    def _connect(self) -> smtplib.SMTP:
        """A new, logged-in connection. What fails here is the mailbox's, not a partner's: said in
        plain words (mail/plain_words.py), as the login check says it."""
        server = self.server
        secret = self._secret or resolve(self.credentials)  # a missing secret fails before any network
        context = tls_context(server)
        if self._cafile:
            context.load_verify_locations(self._cafile)
        step = "connect"
        connection: smtplib.SMTP
        try:
            if server.security is Security.SSL:
                step = "tls"
                connection = smtplib.SMTP_SSL(server.host, server.port, timeout=self.timeout, context=context)
            else:
                connection = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
                step = "greeting"
                if server.security is Security.STARTTLS:
                    step = "tls"
                    connection.starttls(context=context)
            step = "greeting"
            connection.ehlo()
            step = "login"
            self._login(connection, secret)
            return connection
        except smtplib.SMTPAuthenticationError as error:
            raise MailboxFailure(
                refused_login(self.credentials.username, text(error), secret.kind), error.smtp_code
            ) from None
        except smtplib.SMTPNotSupportedError as error:
            raise MailboxFailure(not_supported(server, str(error), step)) from None
        except smtplib.SMTPServerDisconnected as error:  # smtplib's word for a read that failed or timed out
            cause = error.__context__
            raise MailboxFailure(
                network(server, cause, step, self.timeout)
                if isinstance(cause, OSError)
                else other_protocol(server, "SMTP", error, step)
            ) from None
        except (smtplib.SMTPConnectError, smtplib.SMTPResponseException) as error:
            raise MailboxFailure(other_protocol(server, "SMTP", error, step)) from None
        except (smtplib.SMTPException, OSError) as error:
            raise MailboxFailure(network(server, error, step, self.timeout)) from None

    def _login(self, connection: smtplib.SMTP, secret: Secret) -> None:
        username = self.credentials.username
        if secret.kind == "oauth2":
            connection.auth("XOAUTH2", lambda challenge=None: "" if challenge else xoauth2(username, secret.value))
        elif connection.has_extn("auth"):
            connection.login(username, secret.value)

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._connection = None


def _hand_over(connection: smtplib.SMTP, message: EmailMessage, sender: str, recipients: list[str], raw):
    """The message to the server: as its bytes made once (mail/wire.py), or, where an address
    needs SMTPUTF8, as smtplib sends such a message."""
    if not (sender + "".join(recipients)).isascii() or "bcc" in message:
        return connection.send_message(message, from_addr=sender, to_addrs=recipients)
    return connection.sendmail(sender, recipients, raw if raw is not None else wire_bytes(message))


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _by_code(code: int, text) -> DeliveryError:
    message = f"{code} {_text(text)}"
    return PermanentRefusal(message, code) if 500 <= code < 600 else TemporaryFailure(message, code)
