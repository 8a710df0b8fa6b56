"""The SMTP adapter against a real SMTP server (aiosmtpd) on loopback: TLS modes,
certificate checks, AUTH PLAIN, LOGIN and XOAUTH2, connection reuse, reply codes."""

import asyncio
import base64
import threading
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from outreach.campaign.model import Credentials, Server
from outreach.mail.secrets import SecretError
from outreach.mail.smtp import MailboxFailure, PermanentRefusal, SmtpTransport, TemporaryFailure
from tests.support.services import free_port
from tests.support.tls import make_certificate, server_context

USER, PASSWORD, TOKEN = "vet@school.test", "s3cret", "ya29.test-token"


class Recorder:
    def __init__(self):
        self.messages, self.peers, self.mechanisms = [], set(), []

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.startswith("gone@"):
            return "550 5.1.1 <gone@partner.test>: no such user"
        if address.startswith("busy@"):
            return "451 4.7.1 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        self.peers.add(session.peer)
        return "250 OK"

    async def auth_XOAUTH2(self, server, args):
        """As Gmail answers: a bad token gets a 334 with an error document, then 535."""
        decoded = base64.b64decode(args[1]).decode()
        self.mechanisms.append("XOAUTH2")
        if decoded == f"user={USER}\x01auth=Bearer {TOKEN}\x01\x01":
            return AuthResult(success=True)
        await server.challenge_auth('{"status":"401","schemes":"Bearer","scope":"https://mail.test/"}')
        await server.push("535 5.7.8 Username and Password not accepted")
        return AuthResult(success=False, handled=True)


def authenticator(server, session, envelope, mechanism, auth_data):
    session.handler_mechanisms = getattr(session, "handler_mechanisms", []) + [mechanism]
    ok = auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


def start(handler, **options):
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    return controller


def message(to="partner@company.test") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = USER, to, "Proposal for potential collaboration"
    msg.set_content("Dear partner")
    return msg


def transport(port, security="starttls", verify=True, cafile=None, **auth) -> SmtpTransport:
    server = Server(host="127.0.0.1", port=port, security=security, verify_certificates=verify)
    credentials = Credentials(username=USER, **(auth or {"password_env": "OUTREACH_TEST_SMTP_PASSWORD"}))
    return SmtpTransport(server, credentials, timeout=10, cafile=cafile and str(cafile))


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("OUTREACH_TEST_SMTP_PASSWORD", PASSWORD)


def test_starttls_with_a_verified_certificate_auth_plain_and_one_connection_for_many(certificate, password):
    handler = Recorder()
    controller = start(
        handler,
        tls_context=server_context(*certificate),
        require_starttls=True,
        auth_required=True,
        authenticator=authenticator,
    )
    try:
        smtp = transport(controller.port, cafile=certificate[0])
        for _ in range(3):
            smtp.send(message(), USER, ["partner@company.test"])
        smtp.close()
    finally:
        controller.stop()
    assert len(handler.messages) == 3 and len(handler.peers) == 1


def test_certificates_are_verified_by_default(certificate, password):
    controller = start(
        Recorder(), tls_context=server_context(*certificate), require_starttls=True, authenticator=authenticator
    )
    try:
        with pytest.raises(MailboxFailure, match="TLS problem: the certificate of 127.0.0.1"):
            transport(controller.port).send(message(), USER, ["partner@company.test"])
        transport(controller.port, verify=False).send(message(), USER, ["partner@company.test"])  # opted out
    finally:
        controller.stop()


def test_implicit_tls_and_auth_login(certificate, password):
    handler = Recorder()
    controller = start(
        handler,
        ssl_context=server_context(*certificate),
        auth_required=True,
        authenticator=authenticator,
        auth_exclude_mechanism=["PLAIN"],
        auth_require_tls=False,
    )
    try:
        smtp = transport(controller.port, security="ssl", cafile=certificate[0])
        smtp.send(message(), USER, ["partner@company.test"])
    finally:
        controller.stop()
    assert len(handler.messages) == 1


def test_xoauth2_with_a_token_from_a_command(certificate, tmp_path):
    handler = Recorder()
    controller = start(
        handler,
        tls_context=server_context(*certificate),
        require_starttls=True,
        auth_required=True,
        authenticator=authenticator,
    )
    helper = tmp_path / "token.sh"
    helper.write_text(f"#!/bin/sh\necho {TOKEN}\n")
    helper.chmod(0o755)
    try:
        smtp = transport(controller.port, cafile=certificate[0], oauth2_token_command=str(helper))
        smtp.send(message(), USER, ["partner@company.test"])
        wrong = tmp_path / "wrong"
        wrong.write_text("not-the-token")
        with pytest.raises(MailboxFailure, match="the server refused the token for vet@school.test: 535"):
            transport(controller.port, cafile=certificate[0], oauth2_token_file=str(wrong)).send(
                message(), USER, ["partner@company.test"]
            )
    finally:
        controller.stop()
    assert handler.mechanisms == ["XOAUTH2", "XOAUTH2"] and len(handler.messages) == 1


def test_a_wrong_password_is_our_mailboxs_fault(certificate, monkeypatch):
    monkeypatch.setenv("OUTREACH_TEST_SMTP_PASSWORD", "wrong")
    controller = start(
        Recorder(),
        tls_context=server_context(*certificate),
        require_starttls=True,
        auth_required=True,
        authenticator=authenticator,
    )
    try:
        with pytest.raises(MailboxFailure, match="the server refused the password for vet@school.test: 535"):
            transport(controller.port, cafile=certificate[0]).send(message(), USER, ["partner@company.test"])
    finally:
        controller.stop()


def test_a_missing_secret_says_what_to_set():
    with pytest.raises(SecretError, match="OUTREACH_NOT_SET is not set: export OUTREACH_NOT_SET="):
        transport(1, password_env="OUTREACH_NOT_SET").send(message(), USER, ["x@y.test"])


def test_reply_codes_decide_permanent_or_temporary(password):
    controller = start(Recorder(), auth_require_tls=False, authenticator=authenticator)
    try:
        smtp = transport(controller.port, security="none")
        with pytest.raises(PermanentRefusal, match="550 5.1.1") as refused:
            smtp.send(message("gone@partner.test"), USER, ["gone@partner.test"])
        assert refused.value.code == 550
        with pytest.raises(TemporaryFailure, match="451 4.7.1"):
            smtp.send(message("busy@partner.test"), USER, ["busy@partner.test"])
        smtp.send(message(), USER, ["partner@company.test"])  # the connection is still good
    finally:
        controller.stop()
    with pytest.raises(TemporaryFailure):  # the server went away: try again later
        smtp.send(message(), USER, ["partner@company.test"])


class Closing(Recorder):
    """A server that answers 421 to one recipient and then closes the connection, as servers
    do under load."""

    def __init__(self):
        super().__init__()
        self.hung_up = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.startswith("overload@"):  # answer 421, then hang up, as a server under load does
            asyncio.get_running_loop().call_later(0.1, self._hang_up, server)
            return "421 4.3.2 Service shutting down, closing transmission channel"
        return await super().handle_RCPT(server, session, envelope, address, options)

    def _hang_up(self, server):
        if server.transport is not None:  # else our side has closed it already
            server.transport.close()
        self.hung_up.set()


def test_after_a_421_the_next_message_goes_on_a_new_connection(password):
    handler = Closing()
    controller = start(handler, auth_require_tls=False, authenticator=authenticator)
    try:
        smtp = transport(controller.port, security="none")
        smtp.send(message(), USER, ["partner@company.test"])
        with pytest.raises(TemporaryFailure, match="421"):
            smtp.send(message("overload@company.test"), USER, ["overload@company.test"])
        assert handler.hung_up.wait(5)
        smtp.send(message(), USER, ["partner@company.test"])  # not lost to the dead connection
        assert len(handler.messages) == 2 and len(handler.peers) == 2
    finally:
        controller.stop()


def test_a_non_ascii_address_without_smtputf8_is_a_clear_permanent_refusal(password):
    controller = start(Recorder(), auth_require_tls=False, authenticator=authenticator, enable_SMTPUTF8=False)
    try:
        smtp = transport(controller.port, security="none")
        to = "jürgen@bücher.example"
        with pytest.raises(PermanentRefusal, match="outside ASCII"):
            smtp.send(message("partner@company.test"), USER, [to])
        smtp.send(message(), USER, ["partner@company.test"])
    finally:
        controller.stop()


def test_a_token_command_that_times_out_never_shows_its_arguments(monkeypatch):
    import subprocess

    from outreach.mail import secrets

    def too_slow(*args, **kwargs):
        raise subprocess.TimeoutExpired(args[0], 60)

    monkeypatch.setattr(secrets.subprocess, "run", too_slow)
    with pytest.raises(SecretError) as error:
        secrets._command("/usr/local/bin/token-helper --client-secret TOPSECRET --account vet")
    assert "TOPSECRET" not in str(error.value) and "token-helper" in str(error.value)


def test_a_world_writable_password_file_is_refused_and_a_readable_one_warned(tmp_path, caplog):
    from outreach.mail import secrets

    path = tmp_path / "password"
    path.write_text("s3cret\n")
    path.chmod(0o666)
    with pytest.raises(SecretError, match="writable by everyone"):
        secrets._file(path)
    path.chmod(0o644)
    assert secrets._file(path) == "s3cret" and "readable by others" in caplog.text
    caplog.clear()
    path.chmod(0o600)
    assert secrets._file(path) == "s3cret" and not caplog.text
