"""A real SMTP server on loopback (aiosmtpd). Mail for a sandbox user is delivered to their
IMAP inbox; mail for anyone else goes to `elsewhere`, where the scripted partners read it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from outreach.sandbox.imap import SandboxImap, free_port

log = logging.getLogger(__name__)

# aiosmtpd 1.4 logs a warning about its own legacy attribute on every successful AUTH; nothing to act on.
logging.getLogger("mail.log").addFilter(lambda record: "login_data is deprecated" not in record.getMessage())

REFUSED = "535 5.7.8 Authentication credentials invalid"

Elsewhere = Callable[[str, str, bytes], None]  # (sender, recipient, raw message)
Keep = Callable[[str, list[str], bytes], None]


class _Routing:
    def __init__(self, imap: SandboxImap, elsewhere: Elsewhere, keep: Keep):
        self.imap, self.elsewhere, self.keep = imap, elsewhere, keep

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content
        self.keep(envelope.mail_from, list(envelope.rcpt_tos), raw)
        loop = asyncio.get_running_loop()
        for recipient in envelope.rcpt_tos:
            try:
                if self.imap.has_user(recipient):
                    await loop.run_in_executor(None, self.imap.deliver, recipient, raw)
                else:
                    self.elsewhere(envelope.mail_from, recipient, raw)
            except Exception as error:  # a sandbox fault must show, not vanish
                log.exception("sandbox could not deliver to %s", recipient)
                return f"451 4.3.0 sandbox delivery to {recipient} failed: {error}"
        return "250 2.0.0 OK: queued"


class SandboxSmtp:
    """SMTP with AUTH PLAIN/LOGIN against the sandbox users' passwords (plain text: loopback only)."""

    def __init__(
        self, imap: SandboxImap, elsewhere: Elsewhere, keep: Keep, host: str = "127.0.0.1", port: int | None = None
    ):
        self.host, self.port = host, port or free_port()
        self.imap = imap
        self.controller = Controller(
            _Routing(imap, elsewhere, keep),
            hostname=self.host,
            port=self.port,
            authenticator=self._authenticate,
            auth_require_tls=False,
            auth_required=False,
        )

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        if self.imap.passwords.get(user) == password:
            return AuthResult(success=True)
        # Not handled: aiosmtpd then answers 535 (a refusal it handled itself would leave the client
        # waiting for an answer that never comes, which looks like a timeout).
        return AuthResult(success=False, handled=False, message=REFUSED)

    def start(self) -> SandboxSmtp:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
