"""A mailbox secret that goes missing mid-campaign: nothing that never reached SMTP is ever
`sending` or `uncertain`; the steps wait in the queue, staff get one to-do, and once the
secret is back every partner gets exactly one message and the watcher logs the next reply."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP

import sqlalchemy as sa

from outreach.db.models import InboundMail, Interaction, Step, Todo, WatcherHealth
from outreach.db.types import utcnow
from outreach.domain.vocabulary import StepStatus
from tests.support.campaigns import PASSWORD_ENV, campaign_settings, write_campaign
from tests.support.dovecot import PASSWORD
from tests.support.mailboxes import messages, new_address, wait_for
from worker.app import App
from worker.processes import start_watchers, start_worker


def test_a_missing_secret_delays_mail_and_the_watcher_and_loses_nothing(
    database_url, cli, uow, tmp_path, dovecot, smtp_relay, monkeypatch
):
    sender = f"secret-{uuid.uuid4().hex[:8]}@school.test"
    addresses = [new_address() for _ in range(3)]
    partners = [
        {"name": f"Firm {i}", "partnership_types": ["training"], "contacts": [{"name": f"Person {i}", "email": a}]}
        for i, a in enumerate(addresses)
    ]
    settings = campaign_settings(
        f"secret-{uuid.uuid4().hex[:6]}", smtp_relay.port, dovecot.imap_port, partners, sender=sender
    )
    settings["mailbox"]["imap"]["append_to_sent"] = False
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    assert cli("campaign", "queue", write_campaign(tmp_path, settings)).code == 0
    monkeypatch.delenv(PASSWORD_ENV)  # the secret goes missing before anything is sent

    clock = {"shift": timedelta(0)}
    app = App(database_url=database_url, data_dir=tmp_path / "data", now=lambda: utcnow() + clock["shift"])
    worker = start_worker(app, threads=2)
    stop = threading.Event()
    try:
        start_watchers(app, stop, idle_check_seconds=1)
        app.tick()

        def statuses():
            uow.session.expire_all()
            return [s.status for s in uow.session.scalars(sa.select(Step))]

        wait_for(
            lambda: (
                statuses() == [StepStatus.SCHEDULED] * 3
                and all("is not set" in (s.last_error or "") for s in uow.session.scalars(sa.select(Step)))
            ),
            timeout=60,
            what="the steps back in the queue",
        )
        assert uow.session.scalar(sa.select(sa.func.count()).select_from(Todo).where(Todo.kind == "mailbox")) == 1
        wait_for(
            lambda: (uow.session.expire_all(), uow.session.scalar(sa.select(WatcherHealth)))[1] is not None,
            timeout=30,
            what="the watcher's failure recorded",
        )
        assert "is not set" in uow.session.scalar(sa.select(WatcherHealth)).last_error
        assert all(s.attempts == 0 for s in uow.session.scalars(sa.select(Step)))  # no attempt burnt

        monkeypatch.setenv(PASSWORD_ENV, PASSWORD)  # the secret is back
        clock["shift"] = timedelta(minutes=6)
        # One message tries the mailbox first; once it went out, the scheduler's next ticks send the rest.
        wait_for(
            lambda: (app.tick(), statuses())[1] == [StepStatus.SENT] * 3, timeout=30, what="every first contact sent"
        )
        assert (
            uow.session.scalar(
                sa.select(sa.func.count()).select_from(Todo).where(Todo.kind == "mailbox", Todo.done_at.is_(None))
            )
            == 0
        )  # the to-do closed itself
        assert [len(messages(dovecot, a)) for a in addresses] == [1, 1, 1]
        assert StepStatus.UNCERTAIN not in statuses()

        first = uow.session.scalar(sa.select(Step).where(Step.status == StepStatus.SENT).limit(1))
        answer = EmailMessage(policy=SMTP)
        answer["From"], answer["To"], answer["Subject"] = first.contact.email, sender, "Re: Proposal"
        answer["Message-ID"], answer["In-Reply-To"] = f"<{uuid.uuid4().hex}@partner.test>", first.message_id
        answer.set_content("Yes, we are interested.")
        dovecot.deliver(sender, answer.as_bytes())
        wait_for(
            lambda: (
                (
                    uow.session.expire_all(),
                    uow.session.scalar(
                        sa.select(sa.func.count()).select_from(InboundMail).where(InboundMail.status == "processed")
                    ),
                )[1]
                == 1
            ),
            timeout=60,
            what="the reply logged by the watcher once its secret was back",
        )
        assert (
            uow.session.scalar(sa.select(Interaction.text).where(Interaction.direction == "in"))
            == "Yes, we are interested."
        )
    finally:
        stop.set()
        worker.stop()
        app.close()
