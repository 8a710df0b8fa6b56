"""What a reply brings, end to end on the logbook: a referral adds the colleague and drafts a
warm introduction that names the one who introduced us (held until staff send it); a "no"
stops the sequence and, only where the campaign asks for it, brings one polite closing mail
in the partner's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP

import sqlalchemy as sa

from outreach.campaign import load_campaign
from outreach.db.models import Contact, Partner, Todo
from outreach.db.types import utcnow
from outreach.domain.vocabulary import PartnerStatus
from outreach.inbound.message import Fetched
from outreach.rendering import Renderer
from outreach.services.inbound import inbox
from outreach.services.outbound import campaigns
from outreach.services.partners.logbook import resume
from tests.support.campaigns import campaign_settings, write_campaign
from tests.test_sending_rules import Clock, FakeOutbox, run_tick, send_all

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday


def first_mail_and_answer(uow, tmp_path, text: str, language: str = "de", **message):
    partners = [
        {
            "name": "Stadtwerke Südheide",
            "country": "DE",
            "partnership_types": ["training"],
            "contacts": [
                {"name": "Jürgen Schäfer", "salutation": "Herr", "email": "j@suedheide.test", "language": language}
            ],
        }
    ]
    settings = campaign_settings(
        "answers", 1, 1, partners, sequence=[{"name": "follow-up-1", "after_business_days": 5}]
    )
    settings["meeting"] = {"auto_invite": True}
    settings["message"] = {"language": "en", **message}
    campaigns.queue(uow.session, load_campaign(write_campaign(tmp_path, settings)), Renderer(), START)
    uow.commit()
    outbox, clock = FakeOutbox(), Clock(START)
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    [first] = outbox.sent
    answer = EmailMessage(policy=SMTP)
    answer["From"], answer["To"], answer["Subject"] = "j@suedheide.test", "vet@school.test", "AW: " + first["Subject"]
    answer["Message-ID"], answer["In-Reply-To"] = "<answer@suedheide.test>", first["Message-ID"]
    answer.set_content(text)
    [inbound_id] = inbox.store(
        uow, tmp_path, "vet@school.test", "INBOX", 1, [Fetched(1, answer.as_bytes(), START)], 1, utcnow()
    )
    outcome = inbox.process(uow, inbound_id, START + timedelta(hours=1))
    assert outcome.status == "processed"
    assert not any(type(event).__name__ == "SendMeeting" for event in outcome.events)  # never an invitation
    return outbox, clock, first


def run_for(uow, outbox, clock, days: int) -> None:
    end = clock.now + timedelta(days=days)
    while clock.now < end:
        send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
        clock.now += timedelta(hours=6)


def test_a_referral_drafts_a_warm_introduction_that_staff_send(uow, tmp_path):
    outbox, clock, first = first_mail_and_answer(
        uow, tmp_path, "Dafür ist meine Kollegin Frau Anna Berg zuständig: anna.berg@suedheide.test. Viele Grüße"
    )
    colleague = uow.session.scalar(sa.select(Contact).where(Contact.email == "anna.berg@suedheide.test"))
    introducer = uow.session.scalar(sa.select(Contact).where(Contact.email == "j@suedheide.test"))
    assert colleague.introduced_by_id == introducer.id and colleague.language == "de"
    [todo] = uow.session.scalars(sa.select(Todo).where(Todo.done_at.is_(None))).all()
    assert "Write to anna.berg@suedheide.test, introduced by j@suedheide.test" in todo.text
    assert "warm introduction" in todo.text and "outreach partners resume" in todo.text
    run_for(uow, outbox, clock, 10)
    assert len(outbox.sent) == 1  # held: nothing goes before staff say so
    assert resume(uow.session, "anna.berg@suedheide.test", clock.now) == 1
    uow.commit()
    run_for(uow, outbox, clock, 1)
    introduction = outbox.sent[-1]
    assert introduction["To"].addresses[0].addr_spec == "anna.berg@suedheide.test"
    assert introduction["Subject"] == "Auf Empfehlung von Jürgen Schäfer: mögliche Zusammenarbeit"
    text = introduction.get_body(("plain",)).get_content()
    assert "Jürgen Schäfer hat mir freundlicherweise empfohlen, mich an Sie zu wenden." in text


def test_a_no_stops_the_sequence_and_brings_a_closing_mail_only_when_asked(uow, tmp_path):
    outbox, clock, first = first_mail_and_answer(
        uow, tmp_path, "Vielen Dank, aber wir haben leider kein Interesse an einer Kooperation.", closing_mail=True
    )
    partner = uow.session.scalar(sa.select(Partner))
    assert partner.status is PartnerStatus.DECLINED
    run_for(uow, outbox, clock, 20)
    assert len(outbox.sent) == 2  # the closing mail; no follow-up
    closing = outbox.sent[1]
    assert closing["Subject"] == "Re: " + first["Subject"] and closing["In-Reply-To"] == first["Message-ID"]
    text = closing.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Sehr geehrter Herr Schäfer,\n") and "nicht mehr schreiben" in text


def test_without_the_campaigns_word_a_no_brings_no_mail_at_all(uow, tmp_path):
    outbox, clock, first = first_mail_and_answer(
        uow, tmp_path, "Vielen Dank, aber wir haben leider kein Interesse an einer Kooperation."
    )
    run_for(uow, outbox, clock, 20)
    assert len(outbox.sent) == 1


def test_a_mutual_contact_is_asked_for_a_warm_introduction(cli, uow, tmp_path):
    from tests.test_sending_rules import queue

    queue(uow, tmp_path, count=2)  # Partner 0 (person0@partner0.test) knows Partner 1
    asked = cli("partners", "introduce", "2", "--via", "person0@partner0.test")
    assert asked.code == 0, asked
    assert cli("partners", "introduce", "2", "--via", "person1@partner1.test").code == 2  # not their own contact
    assert cli("partners", "introduce", "2", "--via", "nobody@else.test").code == 3
    outbox, clock = FakeOutbox(), Clock(START)
    from datetime import datetime

    clock.now = datetime.now(UTC) + timedelta(minutes=1)
    while not any(m["Subject"].startswith("Could you introduce us") for m in outbox.sent):
        sent = send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
        assert sent or outbox.sent, "nothing went out"
        clock.now += timedelta(hours=1)
    request = next(m for m in outbox.sent if m["Subject"].startswith("Could you introduce us"))
    assert request["To"].addresses[0].addr_spec == "person0@partner0.test"
    assert request["Subject"] == "Could you introduce us to Partner 1?"
    text = request.get_body(("plain",)).get_content()
    assert "get in touch with Partner 1, in particular with Person 1, about a possible partnership in training" in text
    assert "Introduction asked from Person 0 (person0@partner0.test)" in cli("partners", "show", "2", "--json").out
