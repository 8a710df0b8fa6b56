"""First contact end to end with real parts: queue -> scheduler -> Dramatiq on Redis -> SMTP
on loopback -> the partners' Dovecot mailboxes; a copy in the sender's Sent folder."""

import json

import pytest
import redis
import sqlalchemy as sa

from outreach.db.models import Interaction, Partner, Step
from outreach.domain.vocabulary import Phase, StepStatus
from tests.support.campaigns import PASSWORD_ENV, campaign_settings, write_campaign
from tests.support.dovecot import PASSWORD
from tests.support.mailboxes import messages, new_address, wait_for
from tests.support.services import REDIS_TEST_URL, missing
from worker.app import App
from worker.processes import start_worker

SENDER = "vet@school.test"


@pytest.fixture
def redis_url():
    try:
        redis.Redis.from_url(REDIS_TEST_URL).ping()
    except redis.RedisError as error:
        missing("Redis", str(error))
    return REDIS_TEST_URL


@pytest.fixture
def mail_env(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)


def five_partners(dovecot) -> list[dict]:
    people = [
        ("Nordhafen Logistik GmbH", "DE", "Klaus Becker", "de", "formal", ["training", "hr_talent"]),
        ("Stadtwerke Südheide", "DE", "Jürgen Schäfer", "de", "informal", ["infrastructure"]),
        ("Atelier Lumière SARL", "FR", "Camille Martin", "fr", "formal", ["mobility"]),
        ("Harbourside Care Trust", "IE", "Aoife Byrne", "en", "informal", ["community"]),
        ("Kraków Skills Hub", "PL", "Łukasz Nowak", "en", "formal", ["innovation", "funding"]),
    ]
    partners = []
    for organisation, country, name, language, register, types in people:
        address = new_address()
        partners.append(
            {
                "name": organisation,
                "country": country,
                "partnership_types": types,
                "contacts": [{"name": name, "email": address, "language": language, "register": register}],
            }
        )
    return partners


def test_five_personalised_messages_arrive_with_copies_in_sent(
    cli, database_url, tmp_path, dovecot, smtp_relay, redis_url, mail_env, uow
):
    partners = five_partners(dovecot)
    path = write_campaign(tmp_path, campaign_settings("five-partners", smtp_relay.port, dovecot.imap_port, partners))
    queued = cli("campaign", "queue", path)
    assert queued.code == 0, queued
    assert "5 first-contact emails scheduled" in queued.out

    app = App(database_url=database_url, redis_url=redis_url)
    app.broker.flush_all()
    worker = start_worker(app, threads=2)
    try:
        result = app.tick()
        assert len(result.queued) == 5
        inboxes = {p["contacts"][0]["email"]: p for p in partners}
        wait_for(lambda: all(len(messages(dovecot, a)) == 1 for a in inboxes), what="five deliveries")
        wait_for(
            lambda: (
                uow.session.scalar(sa.select(sa.func.count()).select_from(Step).where(Step.status == StepStatus.SENT))
                == 5
            ),
            what="five steps marked sent",
        )
    finally:
        worker.stop()
        app.close()

    received = {}
    for address, partner in inboxes.items():
        [message] = messages(dovecot, address)
        received[address] = message
        contact = partner["contacts"][0]
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        if contact["register"] == "formal":  # the annex's informal version names no organisation
            assert partner["name"] in text
        assert str(message["To"].addresses[0].display_name) == contact["name"]
        assert message["From"].addresses[0].addr_spec == SENDER
        assert message["Message-ID"].endswith("@school.test>")
        assert message["List-Unsubscribe"] is None  # personal mail: out-of-office responders answer it
        assert [a.get_filename() for a in message.iter_attachments()] == [  # no German profile: the English one
            "Riverside Vocational College - one-pager.pdf",
            "Riverside Vocational College - one-pager.html",
        ]
        first_name = contact["name"].split()[0]
        expected = {
            ("de", "formal"): (
                "Anfrage zu einer möglichen Zusammenarbeit",
                f"Guten Tag {contact['name']},",
                "Hätten Sie",
            ),
            ("de", "informal"): ("Lust auf eine Zusammenarbeit?", f"Hallo {first_name},", "Hast du Lust"),
            ("fr", "formal"): ("Proposition de collaboration", "Madame, Monsieur,", "Accepteriez-vous"),
            ("en", "informal"): ("Let's connect: potential collaboration", f"Hi {first_name},", "Could we schedule"),
            ("en", "formal"): (
                "Proposal for potential collaboration",
                f"Dear {contact['name']},",
                "Would you be available",
            ),
        }[(contact["language"], contact["register"])]
        assert message["Subject"] == expected[0]
        assert text.startswith(expected[1]) and expected[2] in text

    sent_ids = {m["Message-ID"] for m in messages(dovecot, SENDER, "Sent")}
    assert {m["Message-ID"] for m in received.values()} <= sent_ids

    uow.session.expire_all()
    steps = uow.session.scalars(sa.select(Step)).all()
    assert {s.message_id for s in steps} == {m["Message-ID"] for m in received.values()}
    assert all(p.phase is Phase.FIRST_CONTACT for p in uow.session.scalars(sa.select(Partner)))
    logged = uow.session.scalars(sa.select(Interaction)).all()
    assert sorted(i.message_id for i in logged) == sorted(s.message_id for s in steps)
    assert all(i.direction.value == "out" and i.subject for i in logged)
    assert len(smtp_relay.handler.accepted) >= 5

    [status] = json.loads(cli("campaign", "status", "five-partners", "--json").out)
    assert status["counts"]["sent"] == 5 and status["attention"] == []

    again = cli("campaign", "queue", path)
    assert "0 first-contact emails scheduled, 5 already queued before" in again.out
