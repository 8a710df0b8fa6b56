"""Mail proves who wrote it before it changes anything: the policy carried out against a real
database, with the Authentication-Results the school's receiving server would add."""

from __future__ import annotations

import uuid
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP

import pytest
import sqlalchemy as sa

from outreach.campaign import load_campaign
from outreach.db.models import Contact, Partner, Step, Suppression, Todo
from outreach.db.types import utcnow
from outreach.domain.vocabulary import ContactStatus, Phase, StepStatus
from outreach.errors import InvalidInput
from outreach.inbound.message import Fetched
from outreach.rendering import Renderer
from outreach.services.inbound import inbox
from outreach.services.outbound import campaigns
from outreach.services.partners import logbook
from outreach.services.partners.todos import TodoKind, open_todos, raise_todo
from tests.support.campaigns import campaign_settings, write_campaign

MAILBOX = "vet@school.test"
OURS = "mx.school.test"
PASSES = f"{OURS}; dkim=pass header.d=firm0.test; dmarc=pass (p=reject dis=none) header.from=firm0.test"
FAILS = f"{OURS}; dkim=none; dmarc=fail (p=reject dis=none) header.from=firm0.test"


def queued(uow, tmp_path, authserv_id=OURS):
    """Two partners already written to (first contact), each with a follow-up waiting."""
    partners = [
        {
            "name": f"Firm {i}",
            "partnership_types": ["training"],
            "mail_domain": f"firm{i}.test",
            "contacts": [{"name": f"Person {i}", "email": f"person{i}@firm{i}.test"}],
        }
        for i in range(2)
    ]
    settings = campaign_settings("proof", 1, 1, partners)
    if authserv_id:
        settings["mailbox"]["authserv_id"] = authserv_id
    campaigns.queue(uow.session, load_campaign(write_campaign(tmp_path, settings)), Renderer(), utcnow())
    for step in list(uow.session.scalars(sa.select(Step))):
        step.status, step.sent_at = StepStatus.SENT, utcnow()
        uow.session.add(
            Step(
                campaign_id=step.campaign_id,
                partner_id=step.partner_id,
                contact_id=step.contact_id,
                name="follow-up-1",
                template="follow_up",
                status=StepStatus.SCHEDULED,
                due_at=utcnow() + timedelta(days=7),
                message_id=f"<{uuid.uuid4().hex}@school.test>",
            )
        )
    for partner in uow.session.scalars(sa.select(Partner)):
        partner.phase = Phase.FIRST_CONTACT
    uow.commit()
    return {(s.contact.email, s.name): s for s in uow.session.scalars(sa.select(Step))}


def arrive(uow, tmp_path, sender, text, results=(), subject="Re: Proposal", headers=None):
    message = EmailMessage(policy=SMTP)
    for value in results:  # the receiving server's fields come first
        message["Authentication-Results"] = value
    message["From"], message["To"], message["Subject"] = sender, MAILBOX, subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@firm0.test>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    uid = uuid.uuid4().int % 10**9
    [inbound_id] = inbox.store(uow, tmp_path, MAILBOX, "INBOX", 1, [Fetched(uid, message.as_bytes())], uid, utcnow())
    return inbox.process(uow, inbound_id, utcnow())


def contact(uow, email):
    return uow.session.scalar(sa.select(Contact).where(Contact.email == email))


def firm0(uow):
    return uow.session.scalar(sa.select(Partner).where(Partner.name == "Firm 0"))


def test_a_stranger_at_the_partners_domain_changes_nothing_until_staff_add_them(uow, tmp_path):
    steps = queued(uow, tmp_path)
    result = arrive(uow, tmp_path, "Eva Boss <boss@firm0.test>", "We are interested, let us talk.", [FAILS])
    assert (result.status, result.partner) == ("unauthenticated", "Firm 0")
    assert contact(uow, "boss@firm0.test") is None
    assert firm0(uow).phase is Phase.FIRST_CONTACT
    assert steps[("person0@firm0.test", "follow-up-1")].status is StepStatus.SCHEDULED
    [todo] = open_todos(uow.session)
    assert todo.kind == "unproved_sender" and "boss@firm0.test at Firm 0" in todo.text
    assert "DMARC fail" in todo.text and f"`outreach todo confirm {todo.id}`" in todo.text

    confirmed = inbox.confirm(uow, todo.id, utcnow(), "jana")
    assert confirmed.status == "processed"
    assert contact(uow, "boss@firm0.test").name == "Eva Boss"
    assert firm0(uow).phase is Phase.PROPOSAL
    assert steps[("person0@firm0.test", "follow-up-1")].status is StepStatus.CANCELLED
    assert uow.session.get(Todo, todo.id).done_by == "jana"


def test_a_proved_stranger_becomes_a_contact_and_moves_the_partner_on(uow, tmp_path):
    queued(uow, tmp_path)
    result = arrive(uow, tmp_path, "Eva Boss <boss@firm0.test>", "We are interested, let us talk.", [PASSES])
    assert (result.status, result.how) == ("processed", "sender domain (new contact)")
    assert contact(uow, "boss@firm0.test") is not None and firm0(uow).phase is Phase.PROPOSAL


def test_a_forged_field_naming_our_server_beside_ours_proves_nothing(uow, tmp_path):
    queued(uow, tmp_path)
    forged = f"{OURS}; dkim=pass header.d=firm0.test; dmarc=pass header.from=firm0.test"
    result = arrive(uow, tmp_path, "boss@firm0.test", "We are interested.", [FAILS, forged])
    assert result.status == "unauthenticated" and contact(uow, "boss@firm0.test") is None
    [todo] = open_todos(uow.session)
    assert "disagree" in todo.text


def test_a_forged_opt_out_holds_the_contacts_mail_and_waits_for_staff(uow, tmp_path):
    steps = queued(uow, tmp_path)
    follow_up = steps[("person0@firm0.test", "follow-up-1")]
    result = arrive(
        uow,
        tmp_path,
        "person0@firm0.test",
        "Please remove me from your list.",
        [FAILS],
        subject="Unsubscribe",
        headers={"In-Reply-To": steps[("person0@firm0.test", "first_contact")].message_id},
    )
    assert (result.status, result.kind) == ("unauthenticated", "opt_out")
    assert follow_up.status is StepStatus.HELD
    assert not logbook.is_suppressed(uow.session, "person0@firm0.test")
    assert contact(uow, "person0@firm0.test").status is ContactStatus.ACTIVE
    assert steps[("person1@firm1.test", "follow-up-1")].status is StepStatus.SCHEDULED  # only that contact's mail
    [todo] = open_todos(uow.session)
    assert todo.kind == "unproved_opt_out" and "scheduled message is held" in todo.text
    # staff confirm it: suppressed, opted out, the held mail cancelled
    inbox.confirm(uow, todo.id, utcnow(), "jana")
    assert logbook.is_suppressed(uow.session, "person0@firm0.test")
    assert contact(uow, "person0@firm0.test").status is ContactStatus.OPTED_OUT
    assert follow_up.status is StepStatus.CANCELLED
    assert open_todos(uow.session) == []


def test_a_forged_opt_out_that_staff_dismiss_leaves_the_mail_to_resume(uow, tmp_path):
    steps = queued(uow, tmp_path)
    arrive(uow, tmp_path, "person0@firm0.test", "unsubscribe", [FAILS], subject="Unsubscribe")
    assert logbook.resume(uow.session, "person0@firm0.test", utcnow()) == 1
    assert steps[("person0@firm0.test", "follow-up-1")].status is StepStatus.SCHEDULED


def test_a_signed_opt_out_suppresses_at_once(uow, tmp_path):
    steps = queued(uow, tmp_path)
    result = arrive(
        uow, tmp_path, "person0@firm0.test", "Please remove me from your list.", [PASSES], subject="Unsubscribe"
    )
    assert result.status == "processed"
    assert uow.session.scalar(sa.select(Suppression).where(Suppression.email == "person0@firm0.test")) is not None
    assert steps[("person0@firm0.test", "follow-up-1")].status is StepStatus.CANCELLED
    assert open_todos(uow.session) == []


def test_a_known_contacts_unproved_reply_acts_only_as_far_as_our_message_id_proves(uow, tmp_path):
    steps = queued(uow, tmp_path)
    in_thread = {"In-Reply-To": steps[("person0@firm0.test", "first_contact")].message_id}
    result = arrive(
        uow,
        tmp_path,
        "person0@firm0.test",
        "Please write to my colleague Eva Boss (eva.boss@firm0.test), she handles apprenticeships.",
        [FAILS],
        headers=in_thread,
    )
    assert result.status == "processed"  # the thread proves the answer
    assert firm0(uow).phase is Phase.FIRST_CONTACT  # a hand-over is no "yes": the partner stays in first contact
    assert contact(uow, "eva.boss@firm0.test") is None  # but nobody is added from an unproved text
    [todo] = open_todos(uow.session)
    assert todo.kind == "introduction" and "could not be proved" in todo.text


def test_a_known_contacts_unproved_mail_by_address_alone_changes_nothing(uow, tmp_path):
    steps = queued(uow, tmp_path)
    result = arrive(uow, tmp_path, "person0@firm0.test", "We are interested, let us talk.", [FAILS])
    assert result.status == "unauthenticated" and firm0(uow).phase is Phase.FIRST_CONTACT
    assert steps[("person0@firm0.test", "follow-up-1")].status is StepStatus.SCHEDULED
    [todo] = open_todos(uow.session)
    assert todo.kind == "unproved_message"
    inbox.confirm(uow, todo.id, utcnow(), "jana")
    assert firm0(uow).phase is Phase.PROPOSAL


def test_without_an_authserv_id_known_contacts_act_as_before_and_strangers_do_not(uow, tmp_path):
    steps = queued(uow, tmp_path, authserv_id=None)
    opted = arrive(
        uow, tmp_path, "person0@firm0.test", "Please remove me from your list.", [FAILS], subject="Unsubscribe"
    )
    assert opted.status == "processed" and logbook.is_suppressed(uow.session, "person0@firm0.test")
    # a field naming any server is not believed when none is configured
    stranger = arrive(uow, tmp_path, "boss@firm1.test", "We are interested.", [PASSES.replace("firm0", "firm1")])
    assert stranger.status == "unauthenticated" and contact(uow, "boss@firm1.test") is None
    assert steps[("person1@firm1.test", "follow-up-1")].status is StepStatus.SCHEDULED


def test_confirm_says_what_it_cannot_do(uow, tmp_path, cli):
    queued(uow, tmp_path)
    arrive(uow, tmp_path, "boss@firm0.test", "We are interested.", [FAILS])
    [todo] = open_todos(uow.session)
    plain = raise_todo(uow.session, TodoKind.QUESTION, "Answer them", utcnow())  # nothing to confirm in it
    uow.commit()
    with pytest.raises(InvalidInput, match="nothing to confirm"):
        inbox.confirm(uow, plain.id, utcnow())
    # the command line: confirmed once, then it is no longer open
    done = cli("todo", "confirm", str(todo.id))
    assert done.code == 0 and "confirmed" in done.out
    again = cli("todo", "confirm", str(todo.id))
    assert again.code != 0 and "no open to-do" in again.out + again.err
    uow.session.expire_all()
    assert contact(uow, "boss@firm0.test") is not None


def complaint(step, results) -> bytes:
    """A mailbox provider's abuse report about our message (non-ARF, as webmail providers send it)."""
    message = EmailMessage(policy=SMTP)
    for value in results:
        message["Authentication-Results"] = value
    message["From"], message["To"] = "staff@hotmail.test", MAILBOX
    message["Subject"] = "complaint about message from 192.0.2.1"
    message.set_content("This is an email abuse report for an email message received.")
    returned = EmailMessage(policy=SMTP)
    returned["From"], returned["To"], returned["Subject"] = MAILBOX, step.contact.email, "Proposal"
    returned["Message-ID"] = step.message_id
    returned.set_content("Dear Person 0, ...")
    message.add_attachment(returned)
    return message.as_bytes()


def test_a_complaint_is_proved_by_its_own_senders_domain(uow, tmp_path):
    steps = queued(uow, tmp_path)
    first = steps[("person0@firm0.test", "first_contact")]
    forged = complaint(first, [f"{OURS}; dkim=none; dmarc=fail header.from=hotmail.test"])
    uid = uuid.uuid4().int % 10**9
    [inbound_id] = inbox.store(uow, tmp_path, MAILBOX, "INBOX", 1, [Fetched(uid, forged)], uid, utcnow())
    result = inbox.process(uow, inbound_id, utcnow())
    assert (result.kind, result.status) == ("complaint", "unauthenticated")
    assert steps[("person0@firm0.test", "follow-up-1")].status is StepStatus.HELD
    assert not logbook.is_suppressed(uow.session, "person0@firm0.test")
    [todo] = open_todos(uow.session)
    assert todo.text.startswith("person0@firm0.test (Firm 0) asked to receive no more mail (complaint")
    signed = complaint(first, [f"{OURS}; dkim=pass header.d=hotmail.test; dmarc=pass header.from=hotmail.test"])
    uid = uuid.uuid4().int % 10**9
    [inbound_id] = inbox.store(uow, tmp_path, MAILBOX, "INBOX", 1, [Fetched(uid, signed)], uid, utcnow())
    assert inbox.process(uow, inbound_id, utcnow()).status == "processed"
    assert logbook.is_suppressed(uow.session, "person0@firm0.test")
    assert steps[("person0@firm0.test", "follow-up-1")].status is StepStatus.CANCELLED
