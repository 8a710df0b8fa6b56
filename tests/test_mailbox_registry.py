"""Mailboxes and their secrets belong to the administrator (issue 19, part 1).

An officer's upload through the workspace may only name a registered mailbox by address: one
that names a token command, a secret file or an SMTP host of its own is refused, nothing runs
and nothing is sent, at queue time and (defence in depth) at run time. A campaign that names a
registered mailbox is queued and sent through the real loopback SMTP relay and Dovecot. On the
command line a campaign file's inline mailbox keeps working.
"""

from __future__ import annotations

import re
import threading

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from outreach.campaign import load_campaign
from outreach.campaign.uploaded import MAILBOX_BY_ADDRESS, Origin
from outreach.db.models import Campaign, Step, Todo
from outreach.db.types import utcnow
from outreach.domain.vocabulary import StepStatus
from outreach.mail.secrets import SecretError, resolve
from outreach.rendering import Renderer
from outreach.services.outbound import campaigns
from outreach.settings.campaigns import settings_of
from outreach.settings.mailboxes import authserv_ids
from tests.support.campaigns import PASSWORD_ENV, campaign_settings, named, register_mailbox, write_campaign
from tests.support.dovecot import PASSWORD
from tests.support.mailboxes import messages, new_address, wait_for
from tests.support.services import closed_port, free_port
from tests.test_web_forms import logged_in, token, web  # noqa: F401  (the workspace fixture)

SENDER = "officer@school.test"


class Hostile:
    """An SMTP server of the attacker's choosing, on loopback: it records every client that
    greets it and every login (with the secret) handed to it."""

    def __init__(self):
        self.greeted: list[str] = []
        self.logins: list[tuple[str, str]] = []
        self.port = free_port()
        self.controller = Controller(
            self, hostname="127.0.0.1", port=self.port, authenticator=self._login, auth_require_tls=False
        )

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.greeted.append(hostname)
        return responses

    def _login(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        self.logins.append((mechanism, repr(auth_data)))
        return AuthResult(success=True)

    @property
    def untouched(self) -> bool:
        return not self.greeted and not self.logins


@pytest.fixture
def hostile():
    server = Hostile()
    server.controller.start()
    yield server
    server.controller.stop()


def partners(address: str) -> list[dict]:
    return [
        {
            "name": "Nordhafen Logistik",
            "partnership_types": ["training"],
            "contacts": [{"name": "Klaus Becker", "email": address}],
        }
    ]


def hostile_mailboxes(tmp_path, hostile: Hostile) -> dict[str, dict]:
    """What an attacker with an officer's account would upload: each names something of the server's."""
    marker = tmp_path / "the-command-ran"
    secret_file = tmp_path / "web-secret"
    secret_file.write_text("the session signing key")
    secret_file.chmod(0o600)
    smtp = {"host": "127.0.0.1", "port": hostile.port, "security": "none"}
    imap = {"host": "127.0.0.1", "port": hostile.port, "security": "none"}
    inline = {"address": SENDER, "display_name": "Officer", "smtp": smtp, "imap": imap}
    return {
        "token command": {**inline, "auth": {"username": SENDER, "oauth2_token_command": f"touch {marker}"}},
        "secret file": {**inline, "auth": {"username": SENDER, "password_file": str(secret_file)}},
        "another SMTP host": {**inline, "auth": {"username": SENDER, "password_env": PASSWORD_ENV}},
    }


def test_an_officer_cannot_make_the_worker_run_a_command_or_send_a_secret(
    web,
    tmp_path,
    hostile,
    dovecot,
    cli,
    monkeypatch,
):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    monkeypatch.delenv("REDIS_URL", raising=False)
    partner = new_address()
    browser = logged_in(web)  # an officer
    csrf = token(browser, "/campaigns")
    for what, mailbox in hostile_mailboxes(tmp_path, hostile).items():
        settings = campaign_settings("hostile", 1, 1, partners(partner))
        settings["mailbox"] = mailbox
        upload = write_campaign(tmp_path, settings).read_bytes()
        answer = browser.post("/campaigns/queue", data={"csrf": csrf}, files={"file": ("hostile.yaml", upload)})
        assert answer.status_code == 400, what
        assert MAILBOX_BY_ADDRESS.replace("`", "") in answer.text.replace("`", "").replace("&#96;", ""), what
        assert re.search(r"hostile\.yaml:\d+: mailbox: ", answer.text), what
    with web.uow() as uow:
        assert uow.session.scalar(sa.select(sa.func.count()).select_from(Campaign)) == 0
        assert uow.session.scalar(sa.select(sa.func.count()).select_from(Step)) == 0
    ran = cli("run", "--interval", "0.1", "--until-idle")
    assert ran.code == 0, ran
    assert not (tmp_path / "the-command-ran").exists()
    assert hostile.untouched, (hostile.greeted, hostile.logins)
    assert messages(dovecot, partner) == []


def test_an_upload_naming_a_staff_calendar_login_or_a_file_on_the_server_is_refused(web, tmp_path):
    settings = campaign_settings("calendar", 1, 1, partners(new_address()))
    with web.uow() as uow:
        register_mailbox(uow.session, settings)
        uow.commit()
    marker = tmp_path / "calendar-command-ran"
    settings = named(settings)
    settings["meeting"] = {
        "staff_calendar": {
            "url": "https://calendar.school.test/dav/jana/",
            "auth": {"username": "jana", "oauth2_token_command": f"touch {marker}"},
        }
    }
    settings["message"] = {"template_dir": "/etc"}
    browser = logged_in(web)
    answer = browser.post(
        "/campaigns/queue",
        data={"csrf": token(browser, "/campaigns")},
        files={"file": ("c.yaml", write_campaign(tmp_path, settings).read_bytes())},
    )
    assert answer.status_code == 400
    assert re.search(
        r"c\.yaml:\d+: meeting\.staff_calendar\.auth: campaigns uploaded here may not name secret "
        "sources or commands",
        answer.text,
    ), answer.text
    assert re.search(
        r"c\.yaml:\d+: message\.template_dir: campaigns uploaded here cannot name files on the server", answer.text
    ), answer.text
    assert not marker.exists()


def test_a_campaign_naming_a_registered_mailbox_is_queued_and_sent(
    web,
    tmp_path,
    dovecot,
    smtp_relay,
    cli,
    monkeypatch,
):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    monkeypatch.delenv("REDIS_URL", raising=False)
    sender = new_address("school.test")  # its own Sent folder in the session's Dovecot
    added = cli(
        "mailboxes",
        "add",
        sender,
        "--display-name",
        "Jana Weber, Riverside College",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        smtp_relay.port,
        "--smtp-security",
        "none",
        "--imap-host",
        "127.0.0.1",
        "--imap-port",
        dovecot.imap_port,
        "--imap-security",
        "none",
        "--password-env",
        PASSWORD_ENV,
        "--authserv-id",
        "mx.school.test",
    )
    assert added.code == 0, added
    partner = new_address()
    settings = campaign_settings("registered", 1, 1, partners(partner), sender=sender)
    settings["mailbox"] = sender  # `mailbox: p...@school.test`, the address alone
    browser = logged_in(web)
    csrf = token(browser, "/campaigns")
    unknown = {**settings, "mailbox": {"address": "nobody@school.test"}}
    refused = browser.post(
        "/campaigns/queue",
        data={"csrf": csrf},
        files={"file": ("u.yaml", write_campaign(tmp_path, unknown).read_bytes())},
    )
    assert refused.status_code == 400 and "no mailbox nobody@school.test is registered" in refused.text
    queued = browser.post(
        "/campaigns/queue",
        data={"csrf": csrf},
        files={"file": ("r.yaml", write_campaign(tmp_path, settings).read_bytes())},
    )
    assert queued.status_code == 200 and "1 first-contact emails scheduled" in queued.text, queued.text
    with web.uow() as uow:
        row = uow.session.scalar(sa.select(Campaign))
        assert (row.origin, row.settings["mailbox"]) == ("web", {"address": sender})  # a name, not a mailbox
        assert authserv_ids(uow.session, sender) == ["mx.school.test"]
    ran = cli("run", "--interval", "0.1", "--until-idle")
    assert ran.code == 0, ran
    [message] = messages(dovecot, partner)
    assert message["From"] == f'"Jana Weber, Riverside College" <{sender}>'
    assert [m["Message-ID"] for m in messages(dovecot, sender, "Sent")] == [message["Message-ID"]]


def test_a_campaign_file_on_the_command_line_keeps_its_inline_mailbox_or_names_one(cli, tmp_path, uow):
    port = closed_port()
    inline = campaign_settings("inline", port, closed_port(), partners(new_address()))
    assert cli("campaign", "queue", write_campaign(tmp_path, inline)).code == 0
    by_name = named(
        campaign_settings("by-name", closed_port(), closed_port(), partners(new_address()), sender="jana@school.test")
    )
    missing = cli("campaign", "validate", write_campaign(tmp_path, by_name))
    assert missing.code == 2 and "no mailbox jana@school.test is registered" in missing.err
    assert (
        cli(
            "mailboxes",
            "add",
            "--from-campaign",
            write_campaign(
                tmp_path,
                {**inline, "mailbox": {**inline["mailbox"], "address": "jana@school.test", "display_name": "Jana"}},
            ),
        ).code
        == 0
    )
    validated = cli("campaign", "validate", write_campaign(tmp_path, by_name))
    assert validated.code == 0 and "Jana <jana@school.test>" in validated.out, validated
    assert cli("campaign", "queue", write_campaign(tmp_path, by_name)).code == 0
    rows = {row.name: row for row in uow.session.scalars(sa.select(Campaign))}
    assert rows["inline"].origin == rows["by-name"].origin == "cli"
    assert settings_of(rows["inline"]).mailbox.smtp.port == port  # as the file wrote it
    assert settings_of(rows["by-name"]).mailbox.display_name == "Jana"


def test_the_registry_applies_at_run_time_and_a_removed_mailbox_makes_mail_wait(uow, tmp_path, cli, monkeypatch):
    port, moved_port = closed_port(), closed_port()
    settings = campaign_settings("moving", port, closed_port(), partners(new_address()))
    register_mailbox(uow.session, settings)
    uow.commit()
    campaigns.queue(uow.session, load_campaign(write_campaign(tmp_path, named(settings))), Renderer(), utcnow())
    uow.commit()
    row = uow.session.scalar(sa.select(Campaign))
    assert settings_of(row).mailbox.smtp.port == port
    moved = {**settings["mailbox"], "smtp": {**settings["mailbox"]["smtp"], "port": moved_port}}
    assert (
        cli(
            "mailboxes", "add", "--from-campaign", write_campaign(tmp_path, {**settings, "mailbox": moved}), "--replace"
        ).code
        == 0
    )
    uow.session.expire_all()
    assert settings_of(row).mailbox.smtp.port == moved_port  # the campaign follows the registry
    kept = cli("mailboxes", "remove", settings["mailbox"]["address"])
    assert kept.code == 2 and "named by the campaigns moving" in kept.err
    assert cli("mailboxes", "remove", settings["mailbox"]["address"], "--force").code == 0
    uow.session.expire_all()
    with pytest.raises(SecretError, match="is not registered: the administrator registers mailboxes with"):
        resolve(settings_of(row).mailbox.auth)


def stored_hostile_campaign(uow, tmp_path, hostile, mailbox: dict, calendar_marker) -> Campaign:
    """A campaign uploaded before uploads were held to a registered mailbox (the migration marks
    such rows as uploaded), or written into the database some other way: origin web, inline mailbox."""
    settings = campaign_settings("stored", 1, 1, partners(new_address()))
    settings["mailbox"] = mailbox
    settings["meeting"] = {
        "staff_calendar": {
            "url": f"http://127.0.0.1:{hostile.port}/dav/",
            "auth": {"username": "jana", "oauth2_token_command": f"touch {calendar_marker}"},
        }
    }
    campaigns.queue(uow.session, load_campaign(write_campaign(tmp_path, settings)), Renderer(), utcnow())
    row = uow.session.scalar(sa.select(Campaign))
    row.origin = Origin.WEB.value
    uow.commit()
    return row


@pytest.mark.parametrize("what", ["token command", "secret file", "another SMTP host"])
def test_a_stored_uploaded_campaign_never_uses_its_own_secrets_at_run_time(
    what, uow, tmp_path, hostile, cli, monkeypatch
):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    monkeypatch.delenv("REDIS_URL", raising=False)
    calendar_marker = tmp_path / "calendar-command-ran"
    row = stored_hostile_campaign(uow, tmp_path, hostile, hostile_mailboxes(tmp_path, hostile)[what], calendar_marker)
    ran = cli("run", "--interval", "0.1", "--until-idle")
    assert ran.code == 0, ran
    uow.session.expire_all()
    [step] = uow.session.scalars(sa.select(Step)).all()
    assert step.status is StepStatus.SCHEDULED and "uploaded through the workspace" in step.last_error  # waits
    assert any("uploaded through the workspace" in todo.text for todo in uow.session.scalars(sa.select(Todo)))
    settings = settings_of(row)
    with pytest.raises(SecretError, match="may not name secret sources"):
        resolve(settings.meeting.staff_calendar.auth)
    assert not (tmp_path / "the-command-ran").exists() and not calendar_marker.exists()
    assert hostile.untouched, (hostile.greeted, hostile.logins)


def test_the_watcher_of_a_stored_uploaded_campaign_runs_no_command(
    database_url, engine, tmp_path, hostile, monkeypatch
):
    from outreach.db.models import WatcherHealth
    from worker.app import App

    monkeypatch.delenv("REDIS_URL", raising=False)
    app = App(database_url=database_url, data_dir=tmp_path / "data")
    try:
        with app.uow() as uow:
            stored_hostile_campaign(
                uow,
                tmp_path,
                hostile,
                hostile_mailboxes(tmp_path, hostile)["token command"],
                tmp_path / "calendar-command-ran",
            )
        [mailbox] = app.watched_mailboxes()
        stop = threading.Event()
        watcher = app.watcher(mailbox, stop)
        thread = threading.Thread(target=watcher.run, daemon=True)
        thread.start()

        def health():
            with app.uow() as uow:
                return uow.session.scalar(sa.select(WatcherHealth.last_error).where(WatcherHealth.mailbox == SENDER))

        error = wait_for(health, what="the watcher's health")
        stop.set()
        thread.join(10)
    finally:
        app.close()
    assert "uploaded through the workspace" in error
    assert not (tmp_path / "the-command-ran").exists()
    assert hostile.untouched


def test_mailboxes_test_against_the_real_servers(cli, uow, dovecot, smtp_relay, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    monkeypatch.setenv("WRONG_PASSWORD", "not the password")

    def add(address: str, smtp_port: int, secret: str = PASSWORD_ENV):
        assert (
            cli(
                "mailboxes",
                "add",
                address,
                "--display-name",
                "Test",
                "--smtp-host",
                "127.0.0.1",
                "--smtp-port",
                smtp_port,
                "--smtp-security",
                "none",
                "--imap-host",
                "127.0.0.1",
                "--imap-port",
                dovecot.imap_port,
                "--imap-security",
                "none",
                "--password-env",
                secret,
            ).code
            == 0
        )

    add("good@school.test", smtp_relay.port)
    add("port@school.test", free_port())
    add("password@school.test", smtp_relay.port, "WRONG_PASSWORD")
    good = cli("mailboxes", "test", "good@school.test")
    assert good.code == 0, good
    assert re.search(r"SMTP 127\.0\.0\.1:\d+ \(none\): OK", good.out)
    assert re.search(r"IMAP 127\.0\.0\.1:\d+ \(none\): OK: logged in as good@school\.test", good.out)
    port = cli("mailboxes", "test", "port@school.test")
    assert port.code == 1
    assert re.search(
        r"SMTP 127\.0\.0\.1:\d+ \(none\): FAILED: nothing answers at 127\.0\.0\.1:\d+: the port "
        r"is wrong, or the server is not running",
        port.out,
    ), port
    assert "IMAP" in port.out and ": OK" in port.out.split("IMAP", 1)[1]
    password = cli("mailboxes", "test", "password@school.test")
    assert password.code == 1
    assert re.search(
        r"IMAP 127\.0\.0\.1:\d+ \(none\): FAILED: the server refused the password for password@school\.test: "
        r"\[AUTHENTICATIONFAILED\]",
        password.out,
    ), password
    listed = cli("mailboxes", "list", "--json")
    health = {m["address"]: m["health"].split()[0] for m in __import__("json").loads(listed.out)}
    assert health == {"good@school.test": "OK", "port@school.test": "FAILED", "password@school.test": "FAILED"}
    table = cli("mailboxes", "list").out
    assert "not the password" not in listed.out + table  # the source's name, never its value
    assert "password_env WRONG_PASSWORD" in table


def test_the_sandbox_refuses_a_wrong_password_with_535(cli, uow, monkeypatch):
    """The sandbox's SMTP server answers a failed AUTH with 535, as a real server does (it used to
    stay silent, which looked like a timeout)."""
    from outreach.sandbox.imap import SandboxImap
    from outreach.sandbox.smtp import SandboxSmtp

    imap = SandboxImap().start()
    imap.add_user(SENDER, "right")
    smtp = SandboxSmtp(imap, lambda *a: None, lambda *a: None).start()
    monkeypatch.setenv("SANDBOX_PASSWORD", "wrong")
    try:
        assert (
            cli(
                "mailboxes",
                "add",
                SENDER,
                "--display-name",
                "Test",
                "--smtp-host",
                "127.0.0.1",
                "--smtp-port",
                smtp.port,
                "--smtp-security",
                "none",
                "--imap-host",
                "127.0.0.1",
                "--imap-port",
                imap.port,
                "--imap-security",
                "none",
                "--password-env",
                "SANDBOX_PASSWORD",
            ).code
            == 0
        )
        tested = cli("mailboxes", "test", SENDER, "--timeout", "2")
    finally:
        smtp.stop()
        imap.stop()
    assert tested.code == 1
    assert re.search(r"SMTP [^\n]*: FAILED: the server refused the password for [^\n]*: 535 5\.7\.8", tested.out), (
        tested
    )
    assert "timeout" not in tested.out
    assert re.search(r"IMAP [^\n]*: FAILED: the server refused the password", tested.out), tested


def test_a_refused_smtp_password_from_postfix(cli, uow, monkeypatch):
    """Postfix with SASL through Dovecot: a real 535 for a wrong password."""
    from tests.support.mailworld import MailWorld

    world = MailWorld(["school.test"])
    world.add_user(SENDER)
    world.start()
    monkeypatch.setenv("POSTFIX_PASSWORD", "wrong")
    try:
        assert (
            cli(
                "mailboxes",
                "add",
                SENDER,
                "--display-name",
                "Test",
                "--smtp-host",
                "127.0.0.1",
                "--smtp-port",
                world.smtp_port,
                "--smtp-security",
                "none",
                "--imap-host",
                "127.0.0.1",
                "--imap-port",
                world.imap_port,
                "--imap-security",
                "none",
                "--password-env",
                "POSTFIX_PASSWORD",
            ).code
            == 0
        )
        refused = cli("mailboxes", "test", SENDER)
        monkeypatch.setenv("POSTFIX_PASSWORD", PASSWORD)
        good = cli("mailboxes", "test", SENDER)
    finally:
        world.cleanup()
    assert refused.code == 1
    assert re.search(
        r"SMTP [^\n]*: FAILED: the server refused the password for officer@school\.test: 535 5\.7\.8", refused.out
    ), refused
    assert good.code == 0 and re.search(r"SMTP [^\n]*: OK: logged in as officer@school\.test", good.out), good


def test_adding_a_mailbox_says_what_is_wrong(cli, uow, tmp_path):
    missing = cli("mailboxes", "add", SENDER, "--smtp-host", "smtp.school.test")
    assert missing.code == 2
    for option in ("--display-name", "--imap-host"):
        assert f"mailboxes add: {option}: required" in missing.err
    assert "give exactly one of --password-env" in missing.err
    bad_port = cli(
        "mailboxes",
        "add",
        SENDER,
        "--display-name",
        "J",
        "--smtp-host",
        "s.school.test",
        "--smtp-port",
        "0",
        "--imap-host",
        "i.school.test",
        "--password-env",
        "X",
    )
    assert (
        bad_port.code == 2 and "mailboxes add: --smtp-port: Input should be greater than or equal to 1" in bad_port.err
    )
    settings = campaign_settings("c", 1, 1, [])
    settings["mailbox"] = {**settings["mailbox"], "auth": {"username": SENDER, "password": "in the file"}}
    from_file = cli("mailboxes", "add", "--from-campaign", write_campaign(tmp_path, settings))
    assert from_file.code == 2
    assert re.search(r"c\.yaml:\d+: mailbox\.auth\.password: secrets are never written", from_file.err), from_file
    named_only = cli("mailboxes", "add", "--from-campaign", write_campaign(tmp_path, named(settings)))
    assert named_only.code == 2 and "no mailbox section with servers and a secret source" in named_only.err
    assert cli("mailboxes", "list").out.startswith("No mailbox is registered")


def test_campaigns_uploaded_before_the_registry_are_marked_as_uploaded(tmp_path):
    """The workspace read each upload from a fresh temporary folder: such campaigns are taken as
    uploaded when the registry arrives (their own secrets are then refused; the safe direction)."""
    from outreach.db import migrate
    from outreach.db.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0010")
    with engine.begin() as connection:
        for name, path in (
            ("uploaded", "/tmp/tmpk3_x9q2z/employers.yaml"),
            ("from-the-shell", "/home/jana/campaigns/employers.yaml"),
        ):
            connection.execute(
                sa.text(
                    "INSERT INTO campaigns (name, mailbox, settings, source_path, created_at, updated_at) "
                    "VALUES (:name, 'jana@school.test', '{}', :path, '2026-01-05 10:00:00', '2026-01-05 10:00:00')"
                ),
                {"name": name, "path": path},
            )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        origins = dict(connection.execute(sa.text("SELECT name, origin FROM campaigns")).all())
    engine.dispose()
    assert origins == {"uploaded": "web", "from-the-shell": "cli"}


def test_what_an_uploaded_file_may_name():
    """The rule itself (campaign/uploaded.py), on the data of a YAML document."""
    from outreach.campaign.uploaded import NO_FILES, NO_SECRETS, upload_problems

    def problems(data):
        return [(p.field, p.message) for p in upload_problems(data, "c.yaml", lambda loc: 1)]

    assert problems({"mailbox": "jana@school.test"}) == []
    assert problems({"mailbox": {"address": "jana@school.test"}}) == []
    assert problems({"mailbox": {"address": "jana@school.test", "display_name": "Jana"}}) == [
        ("mailbox", f"{MAILBOX_BY_ADDRESS} (this file also names display_name)")
    ]
    assert problems(
        {
            "mailbox": "j@school.test",
            "meeting": {"staff_calendar": {"auth": {"username": "j"}}},
            "partners_file": {"path": "/etc/passwd"},
            "selection": {"criteria_file": "/srv/c.yaml"},
        }
    ) == [
        ("meeting.staff_calendar.auth", NO_SECRETS),
        ("partners_file", NO_FILES),
        ("selection.criteria_file", NO_FILES),
    ]
    assert problems({"mailbox": "j@school.test", "partners": [{"name": "x", "oauth2_token_command": "id"}]}) == [
        ("partners.0.oauth2_token_command", NO_SECRETS)
    ]


def test_an_unknown_host_and_a_silent_port_in_plain_words():
    """What the resolver and the socket say, as the login test words it (no name is looked up here)."""
    import socket

    from outreach.campaign.model import Server
    from outreach.mail.plain_words import network as _network

    server = Server(host="smtp.school.exmaple", port=587, security="starttls")
    assert _network(server, socket.gaierror(-2, "Name or service not known"), "connect", 15) == (
        "the host name 'smtp.school.exmaple' is unknown (check its spelling): Name or service not known"
    )
    assert _network(server, TimeoutError("timed out"), "connect", 15).startswith(
        "timeout: no answer from smtp.school.exmaple:587 within 15 s (the host is down, or a firewall drops"
    )
    assert "may expect TLS from the start (security: ssl)" in _network(server, TimeoutError(), "greeting", 15)


def test_a_port_that_says_nothing_is_a_timeout_at_the_greeting(cli, uow, monkeypatch):
    """A real socket that takes the connection and never speaks (as an ssl port does to a client
    that waits for a plain-text greeting)."""
    import socket

    monkeypatch.setenv("ANY_PASSWORD", "x")
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        assert (
            cli(
                "mailboxes",
                "add",
                SENDER,
                "--display-name",
                "Test",
                "--smtp-host",
                "127.0.0.1",
                "--smtp-port",
                port,
                "--smtp-security",
                "starttls",
                "--imap-host",
                "127.0.0.1",
                "--imap-port",
                port,
                "--imap-security",
                "none",
                "--password-env",
                "ANY_PASSWORD",
            ).code
            == 0
        )
        tested = cli("mailboxes", "test", SENDER, "--timeout", "1")
    assert tested.code == 1
    for service in ("SMTP", "IMAP"):
        assert re.search(
            rf"{service} 127\.0\.0\.1:{port} \([a-z]+\): FAILED: timeout: connected to 127\.0\.0\.1:{port}, "
            r"but it said nothing within 1 s at the greeting: this port may expect TLS from the start",
            tested.out,
        ), tested
