"""A logbook started on a mailbox with a past, in a real Dovecot: last year's "we would love to
meet", last year's opt-out and staff mail in Sent from before are history. The first start
reads from the mailbox's present (or the day our first message went out); nothing old invites,
moves a partner to proposal or drops a first contact. With `--since`, the old mail is read and
logged as history, and only the old opt-out is honoured (the safe direction), with a to-do."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP

import pytest
import sqlalchemy as sa
from imapclient import IMAPClient

from outreach.db.models import Checkpoint, Contact, InboundMail, Interaction, Meeting, Partner, Step, Suppression, Todo
from outreach.domain.vocabulary import ContactStatus, Direction, InteractionKind, Phase, StepStatus
from tests.support.campaigns import PASSWORD_ENV, campaign_settings, write_campaign
from tests.support.dovecot import PASSWORD
from tests.support.mailboxes import wait_for
from worker.app import App
from worker.processes import start_watchers, start_worker

LAST_YEAR = datetime.now(UTC) - timedelta(days=365)


def mail(sender: str, to: str, subject: str, text: str, when: datetime, in_reply_to: str | None = None) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@history.test>"
    message["Date"] = when.strftime("%a, %d %b %Y %H:%M:%S +0000")
    if in_reply_to:
        message["In-Reply-To"] = message["References"] = in_reply_to
    message.set_content(text)
    return message.as_bytes()


class School:
    """A mailbox that already holds last year's mail, and a campaign to five partners from it."""

    def __init__(self, tmp_path, dovecot, smtp_relay):
        tag = uuid.uuid4().hex[:8]
        self.dovecot = dovecot
        self.sender = f"school-{tag}@school.test"
        self.a, self.b, self.c, self.d, self.e = (f"{name}@{name}-{tag}.test" for name in "abcde")
        partners = [
            {
                "name": f"Partner {name.upper()}",
                "partnership_types": ["training"],
                "contacts": [{"name": f"Person {name.upper()}", "email": address}],
            }
            for name, address in zip("abcde", self.addresses, strict=True)
        ]
        settings = campaign_settings(f"history-{tag}", smtp_relay.port, dovecot.imap_port, partners, sender=self.sender)
        settings["meeting"] = {
            "auto_invite": True,
            "availability": {"days": ["mon", "tue", "wed", "thu", "fri"], "min_working_days_ahead": 2},
        }
        self.path = write_campaign(tmp_path, settings)

    @property
    def addresses(self) -> list[str]:
        return [self.a, self.b, self.c, self.d, self.e]

    def holds_last_years_mail(self) -> None:
        """Appended with last year's arrival date, as a mailbox that has been in use holds them."""
        with IMAPClient("127.0.0.1", port=self.dovecot.imap_port, ssl=False) as imap:
            imap.login(self.sender, PASSWORD)
            imap.append(
                "INBOX",
                mail(
                    self.a,
                    self.sender,
                    "Your programme",
                    "We would love to meet! Shall we find a date next week?",
                    LAST_YEAR,
                ),
                msg_time=LAST_YEAR,
            )
            imap.append(
                "INBOX",
                mail(self.b, self.sender, "Newsletter", "Please remove me from your mailing list.", LAST_YEAR),
                msg_time=LAST_YEAR,
            )
            if not imap.folder_exists("Sent"):
                imap.create_folder("Sent")
            imap.append(
                "Sent",
                mail(self.sender, self.c, "Visit", "Dear Person C, thank you for the visit.", LAST_YEAR),
                flags=[b"\\Seen"],
                msg_time=LAST_YEAR,
            )


@pytest.fixture
def school(cli, database_url, tmp_path, dovecot, smtp_relay, monkeypatch, uow):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    school = School(tmp_path, dovecot, smtp_relay)
    school.holds_last_years_mail()
    assert cli("campaign", "queue", school.path).code == 0
    app = App(database_url=database_url, data_dir=tmp_path / "data")
    worker = start_worker(app, threads=1)
    stop = threading.Event()
    school.app, school.stop = app, stop
    yield school
    stop.set()
    worker.stop()
    app.close()


def count(uow, model, *where) -> int:
    uow.session.expire_all()
    return uow.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def first_contacts(uow) -> dict[str, StepStatus]:
    uow.session.expire_all()
    return dict(
        uow.session.execute(
            sa.select(Contact.email, Step.status)
            .join(Step, Step.contact_id == Contact.id)
            .where(Step.name == "first_contact")
        ).all()
    )


def phases(uow) -> dict[str, Phase]:
    uow.session.expire_all()
    return dict(uow.session.execute(sa.select(Partner.name, Partner.phase)).all())


def settled(uow, number: int) -> bool:
    return count(uow, InboundMail, InboundMail.status != "new") >= number


def test_the_first_start_reads_from_the_present_and_old_mail_changes_nothing(school, uow):
    app, stop = school.app, school.stop
    app.tick()
    wait_for(lambda: set(first_contacts(uow).values()) == {StepStatus.SENT}, what="the five first contacts")
    e_first = uow.session.scalar(sa.select(Step.message_id).join(Contact).where(Contact.email == school.e))
    # Before the watcher ever ran: E answers our first contact; D's mail program delivers a
    # message written last year (its arrival is today, its date is not).
    school.dovecot.deliver(
        school.sender,
        mail(school.e, school.sender, "Re: Proposal", "Yes, gladly.", datetime.now(UTC), in_reply_to=e_first),
    )
    school.dovecot.deliver(
        school.sender,
        mail(school.d, school.sender, "Our chat at the fair", "We would love to meet you, let us talk!", LAST_YEAR),
    )
    start_watchers(app, stop, idle_check_seconds=1)
    wait_for(lambda: settled(uow, 2), what="the two messages since our first mail")

    assert count(uow, InboundMail) == 2  # last year's reply, opt-out and staff mail are not read at all
    invited = set(uow.session.scalars(sa.select(Partner.name).join(Meeting, Meeting.partner_id == Partner.id)))
    assert invited <= {"Partner E"}  # E said yes to our mail: the only answer there is
    assert first_contacts(uow) == dict.fromkeys(school.addresses, StepStatus.SENT)
    assert {name for name, phase in phases(uow).items() if phase is Phase.PROPOSAL} == {"Partner E"}
    [old] = uow.session.scalars(sa.select(InboundMail).where(InboundMail.status == "history")).all()
    logged = uow.session.scalar(
        sa.select(Interaction).where(Interaction.message_id.is_not(None), Interaction.subject == "Our chat at the fair")
    )
    assert logged.history and logged.direction is Direction.IN and old.partner_id == logged.partner_id
    assert count(uow, Contact, Contact.email == school.b, Contact.status == ContactStatus.ACTIVE) == 1


def test_since_reads_the_past_as_history_and_honours_only_the_old_opt_out(school, uow):
    app, stop = school.app, school.stop
    start_watchers(app, stop, idle_check_seconds=1, since=date.today() - timedelta(days=400))
    wait_for(lambda: settled(uow, 3), what="last year's reply, opt-out and staff mail")
    app.tick()
    wait_for(
        lambda: set(first_contacts(uow).values()) <= {StepStatus.SENT, StepStatus.CANCELLED}, what="the first contacts"
    )

    uow.session.expire_all()
    assert set(uow.session.scalars(sa.select(InboundMail.status))) == {"history"}
    kept = {
        (i.contact.email, i.direction, i.kind, i.history)
        for i in uow.session.scalars(sa.select(Interaction).where(Interaction.history.is_(True)))
    }
    assert kept == {
        (school.a, Direction.IN, InteractionKind.EMAIL, True),
        (school.b, Direction.IN, InteractionKind.OPT_OUT, True),
        (school.c, Direction.OUT, InteractionKind.EMAIL, True),
    }
    assert count(uow, Meeting) == 0
    assert Phase.PROPOSAL not in phases(uow).values()
    # The old opt-out is honoured, and only it: B is not mailed; everyone else gets their first contact.
    assert first_contacts(uow) == {
        school.a: StepStatus.SENT,
        school.b: StepStatus.CANCELLED,
        school.c: StepStatus.SENT,
        school.d: StepStatus.SENT,
        school.e: StepStatus.SENT,
    }
    assert count(uow, Suppression, Suppression.email == school.b) == 1
    [todo] = uow.session.scalars(sa.select(Todo).where(Todo.kind == "history")).all()
    assert school.b in todo.text and "before our first message" in todo.text and "honoured" in todo.text


def test_since_reaches_back_once_on_a_mailbox_read_before(school, uow):
    app, stop = school.app, school.stop
    [thread] = start_watchers(app, stop, idle_check_seconds=1)
    wait_for(lambda: count(uow, Checkpoint) == 2, what="the first start on INBOX and Sent")
    assert count(uow, InboundMail) == 0
    stop.set()
    thread.join(10)
    again = threading.Event()
    try:
        start_watchers(app, again, idle_check_seconds=1, since=date.today() - timedelta(days=400))
        wait_for(lambda: settled(uow, 3), what="last year's mail, read on request")
    finally:
        again.set()
    assert set(uow.session.scalars(sa.select(InboundMail.status))) == {"history"}
    uow.session.expire_all()
    assert all(c.first_uid == 0 for c in uow.session.scalars(sa.select(Checkpoint)))  # read back to the start
    assert count(uow, Meeting) == 0 and Phase.PROPOSAL not in phases(uow).values()
