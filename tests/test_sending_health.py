"""A mailbox that cannot send is told to a person, with `outreach run` as a user starts it: a
campaign whose SMTP port is closed, and one whose password the server refuses. Within 90 s
`outreach todo --json` names the problem in plain words (one to-do, not one per retry),
`campaign status` and the Campaigns page show the mailbox failing since a time; once the port
or the password is right the next message goes out and the to-do closes itself."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime, timedelta

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from outreach.db.types import utcnow
from outreach.sandbox.imap import SandboxImap
from outreach.sandbox.smtp import SandboxSmtp
from outreach.services.operations.sending_health import try_again_after
from tests.support.browser import WebServer, axe_violations, chromium, screenshot
from tests.support.campaigns import campaign_settings, write_campaign
from tests.support.dovecot import PASSWORD
from tests.support.mailboxes import messages, new_address, wait_for
from tests.support.services import closed_port, free_port
from tests.test_run_process import run_outreach

WITHIN = 90  # seconds from `outreach run` to a to-do naming the problem (issue 23)
STAFF, STAFF_PASS = "officer@school.test", "a long pass phrase"


def cli_json(tmp_path, *args):
    process = run_outreach(tmp_path, *args, "--json")
    out = process.communicate(timeout=60)[0]
    assert process.returncode == 0, out
    return json.loads(out)


def mailbox_todos(tmp_path) -> list[dict]:
    return [t for t in cli_json(tmp_path, "todo") if t.get("kind") == "mailbox"]


def sending_of(tmp_path, name: str) -> dict | None:
    [status] = cli_json(tmp_path, "campaign", "status", name)
    return status["sending"]


class Running:
    """`outreach run` in the background, its output kept (read while it runs, so it never blocks)."""

    def __init__(self, tmp_path):
        self.process = run_outreach(tmp_path, "run", "--interval", "0.2")
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True)
        self.reader.start()

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=60)
        self.reader.join(10)
        return "".join(self.lines)


def campaign(tmp_path, name: str, smtp_port: int, imap_port: int, sender: str, addresses: list[str]):
    partners = [
        {"name": f"Firm {i}", "partnership_types": ["training"], "contacts": [{"name": f"Person {i}", "email": a}]}
        for i, a in enumerate(addresses)
    ]
    settings = campaign_settings(name, smtp_port, imap_port, partners, sender=sender)
    return settings, write_campaign(tmp_path, settings)


def queue(tmp_path, path) -> None:
    process = run_outreach(tmp_path, "campaign", "queue", path.name)
    out = process.communicate(timeout=60)[0]
    assert process.returncode == 0, out


def test_a_closed_smtp_port_is_told_and_the_todo_closes_when_mail_goes_out(tmp_path, dovecot, smtp_relay):
    sender = "vet@school.test"  # a Dovecot user: its watcher logs in while the sending fails
    addresses = [new_address(), new_address()]
    closed = free_port()  # nothing listens there
    settings, path = campaign(tmp_path, "closed-port", closed, dovecot.imap_port, sender, addresses)
    settings["mailbox"]["imap"]["append_to_sent"] = False
    path = write_campaign(tmp_path, settings)
    queue(tmp_path, path)
    run = Running(tmp_path)
    try:
        [todo] = wait_for(lambda: mailbox_todos(tmp_path), timeout=WITHIN, what="a to-do naming the sending problem")
        assert sender in todo["text"] and f"nothing answers at 127.0.0.1:{closed}" in todo["text"], todo
        assert "the port is wrong, or the server is not running" in todo["text"]
        sending = sending_of(tmp_path, "closed-port")
        assert sending["state"] == "failing" and f"nothing answers at 127.0.0.1:{closed}" in sending["error"]
        since = datetime.fromisoformat(sending["since"])
        assert utcnow() - timedelta(seconds=WITHIN + 30) < since <= utcnow()
        plain = run_outreach(tmp_path, "campaign", "status", "closed-port").communicate(timeout=60)[0]
        assert f"the mailbox {sender} cannot send (failing since" in plain and "nothing answers at" in plain, plain
        # Both first contacts failed (two tries, at once): still one to-do, and no attempt burnt.
        assert len(mailbox_todos(tmp_path)) == 1
        _campaigns_page(tmp_path, "sending-failing", f"The mailbox {sender} cannot send")

        settings["mailbox"]["smtp"]["port"] = smtp_relay.port  # the port fixed, the campaign queued again
        queue(tmp_path, write_campaign(tmp_path, settings))
        wait_for(
            lambda: all(messages(dovecot, a) for a in addresses),
            timeout=60,
            what="the waiting first contacts sent once the port is right",
        )
        assert mailbox_todos(tmp_path) == [], "the to-do closes itself once mail goes out"
        assert sending_of(tmp_path, "closed-port")["state"] == "working"
        assert [len(messages(dovecot, a)) for a in addresses] == [1, 1]
        _campaigns_page(tmp_path, "sending-working", "Sending: working")
    finally:
        output = run.stop()
    assert "Traceback" not in output, output


def test_a_refused_password_is_told_and_the_todo_closes_once_it_is_right(tmp_path):
    """The sandbox's SMTP server refuses the wrong password with 535, as real servers do."""
    sender = f"refused-{uuid.uuid4().hex[:8]}@school.test"
    received: list[tuple[str, str]] = []
    imap = SandboxImap().start()
    imap.add_user(sender, PASSWORD)  # IMAP takes the campaign's password; the SMTP server does not, yet:
    imap.passwords[sender] = "another password"  # its AUTH checks the sandbox's table
    smtp = SandboxSmtp(
        imap, lambda mail_from, rcpt, raw: received.append((mail_from, rcpt)), lambda *kept: None
    ).start()
    addresses = [new_address()]
    try:
        settings, path = campaign(tmp_path, "refused", smtp.port, imap.port, sender, addresses)
        settings["mailbox"]["imap"]["append_to_sent"] = False
        queue(tmp_path, write_campaign(tmp_path, settings))
        run = Running(tmp_path)
        try:
            [todo] = wait_for(
                lambda: mailbox_todos(tmp_path), timeout=WITHIN, what="a to-do naming the refused password"
            )
            assert f"the server refused the password for {sender}: 535 5.7.8" in todo["text"], todo
            assert "timeout" not in todo["text"]
            sending = sending_of(tmp_path, "refused")
            assert sending["state"] == "failing" and "refused the password" in sending["error"]
            assert not received

            imap.passwords[sender] = PASSWORD  # the administrator sets the password the campaign has
            # Nothing in the settings changed: the mailbox is tried again after its wait (20 s at first).
            wait_for(
                lambda: received,
                timeout=try_again_after(timedelta(0)).total_seconds() + 40,
                what="the waiting message sent once the password is right",
            )
            wait_for(lambda: not mailbox_todos(tmp_path), timeout=30, what="the to-do closed")
            assert received == [(sender, addresses[0])]
            assert sending_of(tmp_path, "refused")["state"] == "working"
        finally:
            output = run.stop()
        assert "Traceback" not in output, output
    finally:
        smtp.stop()
        imap.stop()


def _campaigns_page(tmp_path, name: str, expected: str) -> None:
    """The Campaigns page in headless Chromium, against the database `outreach run` writes."""
    from outreach.services.accounts import users
    from outreach.services.accounts.users import Role
    from worker.app import App

    browser = chromium()
    app = App(database_url=f"sqlite:///{tmp_path / 'outreach.db'}", data_dir=tmp_path / "web-data")
    try:
        with app.uow() as uow:
            if not any(user.email == STAFF for user in users.all_users(uow.session)):
                users.add(uow.session, STAFF, Role.OFFICER, STAFF_PASS, utcnow())
                uow.commit()
        with WebServer(app) as server:
            browser.get(server.url + "/login")
            browser.find_element(By.ID, "email").send_keys(STAFF)
            browser.find_element(By.ID, "password").send_keys(STAFF_PASS, Keys.ENTER)
            wait_for(lambda: "/login" not in browser.current_url, what="the login")
            browser.get(server.url + "/campaigns")
            main = browser.find_element(By.TAG_NAME, "main").text
            assert expected in main, main
            problems = axe_violations(browser)
            assert not problems, [(v["id"], v["help"]) for v in problems]
            for width in (1280, 375):
                screenshot(browser, name, width)
                overflow = browser.execute_script(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 1, (name, width, overflow)
    finally:
        browser.quit()
        app.close()


def test_one_todo_per_failing_mailbox_in_the_digest_until_mail_goes_out(uow, tmp_path):
    """The service itself (both databases): failures on every retry keep one to-do with the latest
    words and the first time; the digest lists the mailbox first; a message out closes it all."""
    import sqlalchemy as sa

    from outreach.db.models import Campaign, SendingHealth, Todo
    from outreach.services.operations import sending_health
    from outreach.services.workspace import digest
    from outreach.settings.campaigns import settings_of
    from tests.test_sending_rules import queue as queue_rules

    start = datetime(2027, 3, 1, 9, 0, tzinfo=utcnow().tzinfo)
    queue_rules(uow, tmp_path, count=1, now=start)
    row = uow.session.scalar(sa.select(Campaign))
    mailbox = settings_of(row).mailbox
    for minute, error in enumerate(
        [
            "nothing answers at smtp.school.test: the port is wrong",
            "the server refused the password for vet@school.test: 535 5.7.8",
        ]
    ):
        sending_health.failed(uow.session, mailbox, error, start + timedelta(minutes=minute))
        uow.commit()
    [todo] = uow.session.scalars(sa.select(Todo).where(Todo.done_at.is_(None))).all()
    assert todo.kind == "mailbox" and "failing since 2027-03-01 09:00 UTC" in todo.text
    assert "refused the password" in todo.text and "nothing answers" not in todo.text  # the latest words
    text = digest.text(uow.session, [row], start + timedelta(hours=1))
    assert (
        "Mailboxes that cannot send: 1 (their mail waits)\n- vet@school.test: failing since 2027-03-01 09:00 UTC: "
        "the server refused the password"
    ) in text
    assert not sending_health.may_try(
        uow.session.get(SendingHealth, mailbox.address), mailbox, start + timedelta(minutes=1, seconds=10)
    )  # one try now and then
    sending_health.worked(uow.session, mailbox.address, start + timedelta(hours=2))
    uow.commit()
    assert (
        uow.session.scalar(sa.select(Todo.done_reason).where(Todo.id == todo.id))
        == "mail went out from vet@school.test again at 2027-03-01 11:00 UTC"
    )
    assert "cannot send" not in digest.text(uow.session, [row], start + timedelta(hours=3))
    assert sending_health.states(uow.session)[mailbox.address].words("Europe/Berlin") == "working"


def test_a_meeting_mail_the_mailbox_cannot_send_is_told_and_sent_again(tmp_path, dovecot, smtp_relay):
    """Invitations go out of the step queue: their failures tell the mailbox's health too, and a
    to-do names the meeting mail that waits until `meeting resend` sends it."""
    sender, address = "vet@school.test", new_address()
    settings, path = campaign(tmp_path, "invite-health", closed_port(), dovecot.imap_port, sender, [address])
    settings["mailbox"]["imap"]["append_to_sent"] = False
    queue(tmp_path, write_campaign(tmp_path, settings))
    failed = run_outreach(tmp_path, "meeting", "invite", address, "--at", "2027-03-09T10:00")
    out = failed.communicate(timeout=60)[0]
    assert failed.returncode != 0 and "nothing answers at 127.0.0.1:" in out and "Traceback" not in out, out
    kinds = {t["kind"]: t["text"] for t in cli_json(tmp_path, "todo")}
    assert sender in kinds["mailbox"] and "nothing answers" in kinds["mailbox"]
    assert "meeting 1 with Firm 0 was not sent" in kinds["meeting_not_sent"]
    assert "outreach meeting resend 1" in kinds["meeting_not_sent"]
    assert sending_of(tmp_path, "invite-health")["state"] == "failing"

    settings["mailbox"]["smtp"]["port"] = smtp_relay.port  # the port fixed
    queue(tmp_path, write_campaign(tmp_path, settings))
    resent = run_outreach(tmp_path, "meeting", "resend", "1")
    out = resent.communicate(timeout=60)[0]
    assert resent.returncode == 0 and f"sent to {address}" in out, out
    [invitation] = wait_for(lambda: messages(dovecot, address), timeout=60, what="the invitation delivered")
    assert any(part.get_content_type() == "text/calendar" for part in invitation.walk())
    assert [t["kind"] for t in cli_json(tmp_path, "todo")] == [], "both to-dos close once it went out"
    assert sending_of(tmp_path, "invite-health")["state"] == "working"


def test_a_working_mailbox_is_noted_once_a_minute_and_senders_never_wait_on_it(engine):
    """Every message sent tells that its mailbox works, but the mailbox's one row is written at most
    once a minute: workers finishing messages at the same moment do not wait for each other's
    commit (on PostgreSQL a second transaction goes on while the first still holds its own open)."""
    import sqlalchemy as sa

    from outreach.db.engine import UnitOfWork
    from outreach.db.models import SendingHealth
    from outreach.services.operations import sending_health

    address, start = "vet@school.test", datetime(2027, 3, 1, 9, 0, tzinfo=utcnow().tzinfo)
    with UnitOfWork(engine) as uow:
        uow.session.add(SendingHealth(address=address, last_ok_at=start - timedelta(hours=1)))
        uow.commit()

    def last_ok() -> datetime | None:
        with UnitOfWork(engine) as uow:
            return uow.session.scalar(sa.select(SendingHealth.last_ok_at).where(SendingHealth.address == address))

    with UnitOfWork(engine) as first:
        sending_health.worked(first.session, address, start)  # an hour old: noted now
        first.commit()
    assert last_ok() == start
    if engine.dialect.name == "postgresql":  # SQLite lets one writer in at a time anyway
        engine_options = {"connect_args": {"options": "-c lock_timeout=2000"}}
        strict = sa.create_engine(engine.url, **engine_options)
        try:
            with UnitOfWork(engine) as holder, UnitOfWork(strict) as other:
                sending_health.worked(holder.session, address, start + timedelta(seconds=10))  # open, not committed
                sending_health.worked(other.session, address, start + timedelta(seconds=11))  # no lock wait
                other.commit()
                holder.commit()
        finally:
            strict.dispose()
    else:
        with UnitOfWork(engine) as uow:
            sending_health.worked(uow.session, address, start + timedelta(seconds=10))
            uow.commit()
    assert last_ok() == start  # within the minute: not written again
    with UnitOfWork(engine) as later:
        sending_health.worked(later.session, address, start + timedelta(minutes=1, seconds=1))
        later.commit()
    assert last_ok() == start + timedelta(minutes=1, seconds=1)
