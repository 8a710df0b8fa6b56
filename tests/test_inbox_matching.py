"""Matching inbound mail to partners and acting on it, against a real database."""

import uuid
from email.message import EmailMessage
from email.policy import SMTP

import sqlalchemy as sa

from outreach.campaign import load_campaign
from outreach.db.models import Contact, InboundMail, Interaction, Partner, Step
from outreach.db.types import utcnow
from outreach.domain.vocabulary import ContactStatus, InteractionKind, Phase, StepStatus
from outreach.rendering import Renderer
from outreach.services import campaigns, inbox, logbook
from tests.support.campaigns import campaign_settings, write_campaign

MAILBOX = "vet@school.test"


def queued(uow, tmp_path, **overrides):
    partners = [{"name": f"Firm {i}", "partnership_types": ["training"], "mail_domain": f"firm{i}.test",
                 "contacts": [{"name": f"Person {i}", "email": f"person{i}@firm{i}.test"}]} for i in range(2)]
    campaign = load_campaign(write_campaign(tmp_path, campaign_settings("match", 1, 1, partners, **overrides)))
    campaigns.queue(uow.session, campaign, Renderer(), utcnow())
    uow.commit()
    return {s.contact.email: s for s in uow.session.scalars(sa.select(Step))}


def arrive(uow, tmp_path, sender, text, to=MAILBOX, subject="Re: Proposal", headers=None, raw=None):
    if raw is None:
        msg = EmailMessage(policy=SMTP)
        msg["From"], msg["To"], msg["Subject"] = sender, to, subject
        msg["Message-ID"] = f"<{uuid.uuid4().hex}@partner.test>"
        for name, value in (headers or {}).items():
            msg[name] = value
        msg.set_content(text)
        raw = msg.as_bytes()
    [inbound_id] = inbox.store(uow, tmp_path, MAILBOX, "INBOX", 1, [(uuid.uuid4().int % 10**9, raw)])
    return inbox.process(uow, inbound_id, utcnow())


def test_a_reply_token_matches_without_threading_headers_or_a_known_sender(uow, tmp_path):
    steps = queued(uow, tmp_path, mailbox__plus_addressing=True)
    token = steps["person1@firm1.test"].reply_token
    result = arrive(uow, tmp_path, "someone@gmail.test", "Interested!", to=f"vet+{token}@school.test")
    assert (result.status, result.partner, result.how) == ("processed", "Firm 1", "reply token")


def test_threading_then_address_then_domain(uow, tmp_path):
    steps = queued(uow, tmp_path)
    by_thread = arrive(uow, tmp_path, "other@elsewhere.test", "Yes", headers={"In-Reply-To": steps["person0@firm0.test"].message_id})
    assert (by_thread.partner, by_thread.how) == ("Firm 0", "thread")
    by_address = arrive(uow, tmp_path, "Person 1 <person1@firm1.test>", "Yes")
    assert (by_address.partner, by_address.how) == ("Firm 1", "sender address")
    by_domain = arrive(uow, tmp_path, "Colleague <boss@firm0.test>", "I answer for Person 0")
    assert (by_domain.partner, by_domain.how) == ("Firm 0", "sender domain (new contact)")
    assert uow.session.scalar(sa.select(Contact).where(Contact.email == "boss@firm0.test")).name == "Colleague"
    # not yet mailed (still scouting): the reply is logged, the phase model moves only first_contact
    assert all(p.phase is Phase.SCOUTING for p in uow.session.scalars(sa.select(Partner)))
    assert all(s.status is StepStatus.CANCELLED for s in uow.session.scalars(sa.select(Step)))


def test_unrelated_mail_and_our_own_copies_are_left_alone(uow, tmp_path):
    queued(uow, tmp_path)
    assert arrive(uow, tmp_path, "stranger@nowhere.test", "Hello").status == "ignored"
    assert arrive(uow, tmp_path, MAILBOX, "our own copy").status == "ignored"
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Interaction)) == 0


def test_a_soft_bounce_is_logged_and_the_contact_stays(uow, tmp_path):
    steps = queued(uow, tmp_path)
    from tests.samples.inbound import _report, _returned, _status

    raw = _report("MAILER-DAEMON@mx.firm0.test", "Undelivered Mail", "Mailbox full",
                  _status("person0@firm0.test", "4.2.2"), _returned("person0@firm0.test"))
    result = arrive(uow, tmp_path, None, None, raw=raw)
    assert (result.kind, result.partner) == ("bounce", "Firm 0")
    contact = uow.session.scalar(sa.select(Contact).where(Contact.email == "person0@firm0.test"))
    assert contact.status is ContactStatus.ACTIVE
    assert steps["person0@firm0.test"].status is StepStatus.SCHEDULED
    [logged] = uow.session.scalars(sa.select(Interaction)).all()
    assert logged.kind is InteractionKind.BOUNCE and "soft bounce" in logged.text


def test_an_opt_out_suppresses_at_once_and_drops_queued_mail(uow, tmp_path):
    steps = queued(uow, tmp_path)
    result = arrive(uow, tmp_path, "person1@firm1.test", "Please remove me from your list.")
    assert result.kind == "opt_out"
    assert logbook.is_suppressed(uow.session, "person1@firm1.test")
    assert steps["person1@firm1.test"].status is StepStatus.CANCELLED
    assert steps["person0@firm0.test"].status is StepStatus.SCHEDULED
    assert uow.session.scalar(sa.select(InboundMail).where(InboundMail.id == 1)).status == "processed"


def test_the_funnel_report(uow, tmp_path, cli):
    steps = queued(uow, tmp_path)
    for step in steps.values():
        step.status = StepStatus.SENT
    uow.commit()
    arrive(uow, tmp_path, "person0@firm0.test", "Interested!")
    arrive(uow, tmp_path, "person1@firm1.test", "Please remove me from your list.")
    import json

    rows = json.loads(cli("report", "match", "--json").out)
    total = next(r for r in rows if r["phase"] == "all")
    assert (total["partners"], total["sent"], total["replied"], total["opted_out"], total["reply_rate"]) == (2, 2, 1, 1, 0.5)
    csv_out = cli("report", "--csv").out.splitlines()
    assert csv_out[0].startswith("campaign,phase,partners,queued,sent,replied") and len(csv_out) == len(rows) + 1
