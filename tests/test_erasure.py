"""`partners forget` leaves no trace: after it, a grep of the SQLite file, its WAL, the raw
mail folder and a fresh export finds neither the address nor the name, and with --mailbox
our copies in the Sent folder are gone too."""

from __future__ import annotations

import threading
import uuid
from email.message import EmailMessage
from email.policy import SMTP

import sqlalchemy as sa

from outreach.db.models import MeetingAttendee, PhaseChange, Step
from outreach.domain.vocabulary import StepStatus
from tests.support.campaigns import PASSWORD_ENV, campaign_settings, write_campaign
from tests.support.dovecot import PASSWORD
from tests.support.mailboxes import messages, wait_for
from worker.app import App
from worker.processes import start_watchers, start_worker


def test_forget_leaves_no_trace_in_the_database_file_raw_mail_exports_or_sent(
    cli_no_db, tmp_path, dovecot, smtp_relay, monkeypatch
):
    tag = uuid.uuid4().hex[:8]
    person, name = f"pat.quinlan-{tag}@harbour-{tag}.test", "Pat Quinlan"
    other = f"sam.other-{tag}@elsewhere-{tag}.test"
    sender = f"vet-{tag}@school.test"
    partners = [
        {
            "name": "Harbour Logistics",
            "partnership_types": ["training"],
            "mail_domain": f"harbour-{tag}.test",
            "contacts": [{"name": name, "email": person}],
        },
        {
            "name": "Elsewhere Ltd",
            "partnership_types": ["training"],
            "contacts": [{"name": "Sam Other", "email": other}],
        },
    ]
    settings = campaign_settings(f"erase-{tag}", smtp_relay.port, dovecot.imap_port, partners, sender=sender)
    settings["meeting"] = {
        "auto_invite": True,
        "availability": {"days": ["mon", "tue", "wed", "thu", "fri"], "min_working_days_ahead": 2},
    }
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "logbook.db"
    url = f"sqlite:///{database}"
    cli = lambda *args: cli_no_db("--database", url, *args)
    assert cli("campaign", "queue", write_campaign(tmp_path, settings)).code == 0
    data = tmp_path / "data"
    app = App(database_url=url, data_dir=data)
    worker = start_worker(app, threads=1)
    stop = threading.Event()
    try:
        app.tick()
        wait_for(
            lambda: _count(app, Step.status == StepStatus.SENT) == 2,
            timeout=30,
            what=f"both first contacts sent: {_steps(app)}",
        )
        start_watchers(app, stop, idle_check_seconds=1)
        with app.uow() as uow:
            first = uow.session.scalar(
                sa.select(Step.message_id)
                .join(Step.contact)
                .where(Step.status == StepStatus.SENT, Step.contact.has(email=person))
            )
        answer = EmailMessage(policy=SMTP)
        answer["From"], answer["To"], answer["Subject"] = f"{name} <{person}>", sender, "Re: Proposal"
        answer["Message-ID"], answer["In-Reply-To"] = f"<{uuid.uuid4().hex}@harbour.test>", first
        answer.set_content(f"Yes, interested. Could we have a call next week? I am on {person}.\n\n{name}")
        dovecot.deliver(sender, answer.as_bytes())
        wait_for(
            lambda: _count(app, MeetingAttendee.email == person, MeetingAttendee) == 1,
            timeout=60,
            what="the reply logged and the meeting invitation made",
        )
        wait_for(lambda: len(messages(dovecot, sender, "Sent")) >= 2, timeout=30, what="copies filed in Sent")
    finally:
        stop.set()
        worker.stop()
        app.close()
    needles = [person.encode(), name.encode(), person.upper().encode()]
    files = lambda: [database, database.with_name("logbook.db-wal"), *data.rglob("*")]
    holding = [p for p in files() if p.is_file() and any(n in p.read_bytes() for n in needles)]
    assert database in holding or database.with_name("logbook.db-wal") in holding
    assert any(str(data) in str(p) for p in holding)  # the raw reply
    with App(database_url=url, data_dir=data).uow() as uow:  # the name is in free text too
        assert any(person in c.reason for c in uow.session.scalars(sa.select(PhaseChange)))

    result = cli("partners", "forget", person, "--yes", "--mailbox")
    assert result.code == 0, result
    assert "deleted" in result.out and "copies" in result.out

    for path in files():
        if path.is_file():
            content = path.read_bytes()
            assert not any(n in content for n in needles), f"{path} still holds the person"
    assert cli("partners", "export", tmp_path / "after.csv").code == 0
    exported = (tmp_path / "after.csv").read_bytes()
    assert not any(n in exported for n in needles) and b"Sam Other" in exported
    assert not any(person in str(m["To"]) for m in messages(dovecot, sender, "Sent"))
    assert any(other in str(m["To"]) for m in messages(dovecot, sender, "Sent"))  # only theirs went


def _count(app, condition, model=Step) -> int:
    with app.uow() as uow:
        return uow.session.scalar(sa.select(sa.func.count()).select_from(model).where(condition))


def _steps(app):
    with app.uow() as uow:
        return [(s.name, s.status.value, s.last_error) for s in uow.session.scalars(sa.select(Step))]
