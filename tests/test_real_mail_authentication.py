"""End to end with real DKIM and DMARC: the partner's server signs with OpenDKIM; the school's
MX (Postfix) checks with OpenDKIM and OpenDMARC and writes Authentication-Results as
`mx.school.test`; the partner domain publishes `p=reject`. Forged mail goes straight to the
school's MX, unsigned, as an attacker's own server would send it.

- a forged opt-out holds that contact's mail and raises a to-do; nothing is suppressed;
- a signed opt-out suppresses the address;
- a stranger at the partner's domain (forged) creates no contact and moves no phase;
- a signed colleague at the partner's domain becomes a contact.
"""

from __future__ import annotations

import smtplib
import threading
import uuid
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest
import sqlalchemy as sa

from outreach.db.models import Contact, InboundMail, Partner, Step, Todo
from outreach.domain.vocabulary import ContactStatus, Phase, StepStatus
from outreach.inbound.message import InboundMessage
from outreach.services.partners import logbook
from tests.support.campaigns import PASSWORD_ENV, campaign_settings, write_campaign
from tests.support.mailauth import AUTHSERV_ID, MailAuthentication
from tests.support.mailboxes import wait_for
from tests.support.mailworld import PASSWORD, MailWorld
from worker.app import App
from worker.processes import start_watchers, start_worker

pytestmark = pytest.mark.integration

DOMAIN = "partner.example"


@pytest.fixture
def world():
    world = MailWorld(["school.test", DOMAIN])
    world.tag = uuid.uuid4().hex[:6]
    world.auth = MailAuthentication(world, DOMAIN)
    try:
        yield world
    finally:
        world.auth.stop()
        world.cleanup()


def partner_mail(sender: str, to: str, subject: str, text: str, headers: dict | None = None) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@{DOMAIN}>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    return message


def delivered(world, address: str) -> int:
    """Messages Dovecot has put in the mailbox (the watcher starts once all are there)."""
    return len(list((world.tmp / "mail" / address / "Maildir").glob("[nc][eu][wr]/*")))


def sender_of(row: InboundMail) -> str:
    return InboundMessage.parse(Path(row.raw_path).read_bytes()).sender


def send(port: int, message: EmailMessage, envelope_from: str) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.send_message(message, from_addr=envelope_from)


def test_forged_and_signed_mail_from_a_dmarc_reject_domain(world, database_url, cli, uow, tmp_path, monkeypatch):
    school = f"vet-{world.tag}@school.test"
    people = {"signed": f"k.becker@{DOMAIN}", "forged": f"m.weber@{DOMAIN}"}
    for address in (school, *people.values()):
        world.add_user(address)
    world.start()
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    partners = [
        {
            "name": "Nordhafen Logistics",
            "partnership_types": ["training"],
            "mail_domain": DOMAIN,
            "contacts": [
                {"name": "Klaus Becker", "email": people["signed"]},
                {"name": "Mia Weber", "email": people["forged"]},
            ],
        }
    ]
    settings = campaign_settings(
        f"auth-{world.tag}",
        world.smtp_port,
        world.imap_port,
        partners,
        sender=school,
        sequence=[{"name": "follow-up-1", "after_business_days": 5}],
    )
    settings["message"] = {"attach_one_pager": False}
    settings["mailbox"]["authserv_id"] = AUTHSERV_ID
    assert cli("campaign", "queue", write_campaign(tmp_path, settings)).code == 0

    app = App(database_url=database_url, data_dir=tmp_path / "data")
    worker = start_worker(app, threads=1)
    stop = threading.Event()
    try:
        app.tick()
        sent = lambda: uow.session.scalar(
            sa.select(sa.func.count()).select_from(Step).where(Step.status == StepStatus.SENT)
        )
        wait_for(lambda: (uow.session.expire_all(), sent())[1] == 2, timeout=30, what="two first contacts sent")
        first = {s.contact.email: s for s in uow.session.scalars(sa.select(Step).where(Step.status == StepStatus.SENT))}

        # An attacker's server: unsigned, From the contact, with an Authentication-Results of its own
        # that names the school's server.
        forged = partner_mail(
            people["forged"],
            school,
            "Unsubscribe",
            "Please remove me from your mailing list.",
            {
                "Authentication-Results": f"{AUTHSERV_ID}; dkim=pass header.d={DOMAIN}; "
                f"dmarc=pass header.from={DOMAIN}",
                "In-Reply-To": first[people["forged"]].message_id,
            },
        )
        send(world.auth.mx_port, forged, people["forged"])
        stranger = partner_mail(
            f"Eva Boss <boss@{DOMAIN}>",
            school,
            "Our partnership",
            "Hello, I run apprenticeships here: we are interested, let us meet next week.",
        )
        send(world.auth.mx_port, stranger, f"boss@{DOMAIN}")
        # The partner's own server signs.
        signed = partner_mail(people["signed"], school, "Unsubscribe", "Please remove me from your mailing list.")
        send(world.auth.outbound_port, signed, people["signed"])
        wait_for(
            lambda: delivered(world, school) == 3, timeout=30, what=f"three messages delivered\n{world.auth.log()}"
        )

        start_watchers(app, stop, idle_check_seconds=1)

        def settled():
            uow.session.expire_all()
            return (
                uow.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(InboundMail)
                    .where(InboundMail.status.in_(["processed", "unauthenticated"]))
                )
                == 3
            )

        wait_for(settled, timeout=60, what=f"three messages processed\n{world.log()[-3000:]}\n{world.auth.log()}")
    finally:
        stop.set()
        worker.stop()
        app.close()

    rows = {sender_of(row): row for row in uow.session.scalars(sa.select(InboundMail))}
    raw = {who: Path(row.raw_path).read_text(errors="replace") for who, row in rows.items()}
    # the milters did their work, and the forged field naming our server did not survive OpenDKIM
    assert f"{AUTHSERV_ID}; dmarc=pass" in raw[people["signed"]] and "dkim=pass" in raw[people["signed"]]
    assert f"{AUTHSERV_ID}; dmarc=fail" in raw[people["forged"]], world.auth.log()
    assert f"{AUTHSERV_ID}; dmarc=fail" in raw[f"boss@{DOMAIN}"]

    contact = {
        key: uow.session.scalar(sa.select(Contact).where(Contact.email == address)) for key, address in people.items()
    }
    follow_up = {
        key: uow.session.scalar(sa.select(Step).where(Step.contact_id == c.id, Step.name == "follow-up-1"))
        for key, c in contact.items()
    }
    todos = {t.kind: t for t in uow.session.scalars(sa.select(Todo).where(Todo.done_at.is_(None)))}

    # the forged opt-out: that contact's mail held at once, a to-do, nothing suppressed
    assert rows[people["forged"]].status == "unauthenticated"
    assert follow_up["forged"].status is StepStatus.HELD
    assert contact["forged"].status is ContactStatus.ACTIVE
    assert not logbook.is_suppressed(uow.session, people["forged"])
    assert people["forged"] in todos["unproved_opt_out"].text and "DMARC fail" in todos["unproved_opt_out"].text

    # the signed opt-out: suppressed, opted out, its follow-up cancelled
    assert rows[people["signed"]].status == "processed"
    assert logbook.is_suppressed(uow.session, people["signed"])
    assert contact["signed"].status is ContactStatus.OPTED_OUT
    assert follow_up["signed"].status is StepStatus.CANCELLED

    # the stranger at the partner's domain: no contact, no phase move, a to-do
    partner = uow.session.scalar(sa.select(Partner))
    assert rows[f"boss@{DOMAIN}"].status == "unauthenticated"
    assert uow.session.scalar(sa.select(Contact).where(Contact.email == f"boss@{DOMAIN}")) is None
    assert partner.phase is Phase.FIRST_CONTACT
    assert f"boss@{DOMAIN}" in todos["unproved_sender"].text

    # staff confirm the opt-out: now it is suppressed
    assert cli("todo", "confirm", str(todos["unproved_opt_out"].id)).code == 0
    uow.session.expire_all()
    assert logbook.is_suppressed(uow.session, people["forged"])
    assert follow_up["forged"].status is StepStatus.CANCELLED


def test_a_signed_colleague_at_the_partners_domain_becomes_a_contact(
    world, database_url, cli, uow, tmp_path, monkeypatch
):
    school = f"vet-{world.tag}@school.test"
    world.add_user(school)
    world.add_user(f"k.becker@{DOMAIN}")
    world.start()
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    partners = [
        {
            "name": "Nordhafen Logistics",
            "partnership_types": ["training"],
            "mail_domain": DOMAIN,
            "contacts": [{"name": "Klaus Becker", "email": f"k.becker@{DOMAIN}"}],
        }
    ]
    settings = campaign_settings(f"auth-{world.tag}", world.smtp_port, world.imap_port, partners, sender=school)
    settings["message"] = {"attach_one_pager": False}
    settings["mailbox"]["authserv_id"] = [AUTHSERV_ID, "mx2.school.test"]
    assert cli("campaign", "queue", write_campaign(tmp_path, settings)).code == 0
    app = App(database_url=database_url, data_dir=tmp_path / "data")
    worker = start_worker(app, threads=1)
    stop = threading.Event()
    try:
        app.tick()
        wait_for(
            lambda: (
                (
                    uow.session.expire_all(),
                    uow.session.scalar(
                        sa.select(sa.func.count()).select_from(Step).where(Step.status == StepStatus.SENT)
                    ),
                )[1]
                == 1
            ),
            timeout=30,
            what="the first contact sent",
        )
        colleague = partner_mail(
            f"Eva Boss <boss@{DOMAIN}>",
            school,
            "Our partnership",
            "Hello, I run apprenticeships here: we are interested, let us meet next week.",
        )
        send(world.auth.outbound_port, colleague, f"boss@{DOMAIN}")
        wait_for(lambda: delivered(world, school) == 1, timeout=30, what=f"the message delivered\n{world.auth.log()}")
        start_watchers(app, stop, idle_check_seconds=1)

        def settled():
            uow.session.expire_all()
            return uow.session.scalar(sa.select(InboundMail.status).where(InboundMail.status != "new"))

        status = wait_for(settled, timeout=60, what=f"the message processed\n{world.auth.log()}")
    finally:
        stop.set()
        worker.stop()
        app.close()
    assert status == "processed", world.auth.log()
    added = uow.session.scalar(sa.select(Contact).where(Contact.email == f"boss@{DOMAIN}"))
    assert added is not None and added.name == "Eva Boss"
    assert uow.session.scalar(sa.select(Partner)).phase is Phase.PROPOSAL
