"""Matching inbound mail to partners and acting on it, against a real database."""

import uuid
from email.message import EmailMessage
from email.policy import SMTP

import sqlalchemy as sa

from outreach.campaign import load_campaign
from outreach.db.models import Contact, InboundMail, Interaction, Partner, Step
from outreach.db.types import utcnow
from outreach.domain.vocabulary import ContactStatus, Direction, Phase, StepStatus
from outreach.inbound.message import Fetched
from outreach.rendering import Renderer
from outreach.services.inbound import inbox
from outreach.services.outbound import campaigns
from outreach.services.partners import logbook
from tests.support.campaigns import campaign_settings, write_campaign

MAILBOX = "vet@school.test"


def queued(uow, tmp_path, **overrides):
    partners = [
        {
            "name": f"Firm {i}",
            "partnership_types": ["training"],
            "mail_domain": f"firm{i}.test",
            "contacts": [{"name": f"Person {i}", "email": f"person{i}@firm{i}.test"}],
        }
        for i in range(2)
    ]
    campaign = load_campaign(write_campaign(tmp_path, campaign_settings("match", 1, 1, partners, **overrides)))
    campaigns.queue(uow.session, campaign, Renderer(), utcnow())
    uow.commit()
    return {s.contact.email: s for s in uow.session.scalars(sa.select(Step))}


def mailed(uow, tmp_path, sent_at=None, **overrides):
    """The first contacts went out (at `sent_at`, else an hour ago); a follow-up is scheduled for
    each contact, as the send path does. The follow-ups by contact."""
    from datetime import timedelta

    first = queued(uow, tmp_path, **overrides)
    follow_ups = {}
    for email, step in first.items():
        step.status, step.sent_at = StepStatus.SENT, sent_at or utcnow() - timedelta(hours=1)
        follow_ups[email] = Step(
            campaign_id=step.campaign_id,
            partner_id=step.partner_id,
            contact_id=step.contact_id,
            name="follow-up-1",
            template="follow_up",
            status=StepStatus.SCHEDULED,
            due_at=utcnow() + timedelta(days=5),
            message_id=f"<{uuid.uuid4().hex}@school.test>",
        )
        uow.session.add(follow_ups[email])
    uow.commit()
    return first, follow_ups


def arrive(uow, tmp_path, sender, text, to=MAILBOX, subject="Re: Proposal", headers=None, raw=None, arrived=None):
    if raw is None:
        msg = EmailMessage(policy=SMTP)
        msg["From"], msg["To"], msg["Subject"] = sender, to, subject
        if "Message-ID" not in (headers or {}):
            msg["Message-ID"] = f"<{uuid.uuid4().hex}@partner.test>"
        for name, value in (headers or {}).items():
            msg[name] = value
        msg.set_content(text)
        raw = msg.as_bytes()
    uid = uuid.uuid4().int % 10**9
    [inbound_id] = inbox.store(uow, tmp_path, MAILBOX, "INBOX", 1, [Fetched(uid, raw, arrived)], uid, utcnow())
    return inbox.process(uow, inbound_id, utcnow())


def test_a_reply_token_matches_without_threading_headers(uow, tmp_path):
    steps, _ = mailed(uow, tmp_path, mailbox__plus_addressing=True)
    token = steps["person1@firm1.test"].reply_token
    result = arrive(uow, tmp_path, "Person 1 <person1@firm1.test>", "Interested!", to=f"vet+{token}@school.test")
    assert (result.status, result.partner, result.how) == ("processed", "Firm 1", "reply token")
    # the token from someone who is not one of the partner's people proves nothing about them
    stranger = arrive(uow, tmp_path, "someone@gmail.test", "Interested!", to=f"vet+{token}@school.test")
    assert (stranger.status, stranger.partner) == ("unproven", "Firm 1")


def test_threading_then_address_then_domain(uow, tmp_path):
    steps = queued(uow, tmp_path)
    by_thread = arrive(
        uow, tmp_path, "person0@firm0.test", "Yes", headers={"In-Reply-To": steps["person0@firm0.test"].message_id}
    )
    assert (by_thread.partner, by_thread.how) == ("Firm 0", "thread")
    by_address = arrive(uow, tmp_path, "Person 1 <person1@firm1.test>", "Yes")
    assert (by_address.partner, by_address.how) == ("Firm 1", "sender address")
    by_domain = arrive(uow, tmp_path, "Colleague <boss@firm0.test>", "I answer for Person 0")
    assert (by_domain.partner, by_domain.how) == ("Firm 0", "sender domain (new contact)")
    # nothing proves who wrote it, and it is older than our first message: no contact is added
    assert uow.session.scalar(sa.select(Contact).where(Contact.email == "boss@firm0.test")) is None
    # not yet mailed (still scouting): mail from before our first message is history; it changes nothing
    assert [r.status for r in (by_thread, by_address, by_domain)] == ["history"] * 3
    assert all(p.phase is Phase.SCOUTING for p in uow.session.scalars(sa.select(Partner)))
    assert all(s.status is StepStatus.SCHEDULED for s in uow.session.scalars(sa.select(Step)))
    assert all(i.history for i in uow.session.scalars(sa.select(Interaction)))


def test_partner_b_answering_in_partner_a_thread_changes_nothing_for_a(uow, tmp_path):
    steps, follow_ups = mailed(uow, tmp_path)
    a_thread = {"In-Reply-To": steps["person0@firm0.test"].message_id}
    from_b = arrive(uow, tmp_path, "person1@firm1.test", "Yes, we are interested", headers=a_thread)
    assert (from_b.status, from_b.partner) == ("processed", "Firm 1")  # B's own reply, for B
    assert follow_ups["person0@firm0.test"].status is StepStatus.SCHEDULED
    assert follow_ups["person1@firm1.test"].status is StepStatus.CANCELLED
    stranger = arrive(uow, tmp_path, "other@elsewhere.test", "Please remove me", headers=a_thread)
    assert (stranger.status, stranger.partner) == ("unproven", "Firm 0")
    assert follow_ups["person0@firm0.test"].status is StepStatus.SCHEDULED
    assert not logbook.is_suppressed(uow.session, "person0@firm0.test")
    from outreach.services.partners.todos import open_todos

    # B's sure "yes" is answered by an invitation (meeting.auto_invite defaults to confident)
    assert [t.kind for t in open_todos(uow.session)] == ["unproven"]
    from outreach.db.models import Meeting

    assert [m.partner.name for m in uow.session.scalars(sa.select(Meeting))] == ["Firm 1"]


def test_a_reply_dated_zone_unknown_missing_or_garbage_is_logged_in_arrival_order(uow, tmp_path):
    from datetime import UTC, datetime

    mailed(uow, tmp_path, sent_at=datetime(2026, 11, 1, tzinfo=UTC))
    dates = ["Tue, 24 Nov 2026 09:15:00 -0000", None, "yesterday-ish, at tea time", "Fri, 01 Jan 2100 00:00:00 +0000"]
    for n, date in enumerate(dates):
        arrived = datetime(2027, 3, 2, 10, n, tzinfo=UTC)
        result = arrive(
            uow,
            tmp_path,
            "person0@firm0.test",
            f"Answer {n}",
            headers={"Date": date} if date else None,
            arrived=arrived,
        )
        assert result.status == "processed", result
    logged = uow.session.scalars(
        sa.select(Interaction).where(Interaction.direction == Direction.IN).order_by(Interaction.occurred_at)
    ).all()
    assert [i.text for i in logged] == ["Answer 0", "Answer 1", "Answer 2", "Answer 3"]
    assert [i.occurred_at.minute for i in logged] == [0, 1, 2, 3]
    rows = uow.session.scalars(sa.select(InboundMail).order_by(InboundMail.id)).all()
    assert rows[0].sent_date == datetime(2026, 11, 24, 9, 15, tzinfo=UTC)
    assert [r.sent_date for r in rows[1:]] == [None, None, None]


def test_unrelated_mail_and_our_own_copies_are_left_alone(uow, tmp_path):
    queued(uow, tmp_path)
    assert arrive(uow, tmp_path, "stranger@nowhere.test", "Hello").status == "ignored"
    assert arrive(uow, tmp_path, MAILBOX, "our own copy").status == "ignored"
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Interaction)) == 0


def _bounce_of(step, status, diagnostic, message_id=None):
    from tests.samples.inbound import _report, _returned, _status

    returned = _returned(step.contact.email).replace(
        "<179587368356.14531.5476748913727748639@riverside.test>", message_id or step.message_id
    )
    return _report(
        "MAILER-DAEMON@mx.firm0.test",
        "Undelivered Mail Returned to Sender",
        "Sorry.",
        _status(step.contact.email, status, diagnostic=diagnostic),
        returned,
    )


def test_bounces_act_by_reason(uow, tmp_path):
    steps, follow_ups = mailed(uow, tmp_path)
    first, second = steps["person0@firm0.test"], steps["person1@firm1.test"]
    held = follow_ups["person1@firm1.test"]
    full = arrive(uow, tmp_path, None, None, raw=_bounce_of(first, "4.2.2", "smtp; 452 4.2.2 Mailbox full"))
    assert (full.kind, full.partner, full.status) == ("bounce", "Firm 0", "processed")
    assert first.contact.status is ContactStatus.ACTIVE
    [again] = uow.session.scalars(sa.select(Step).where(Step.retry_of == first.id)).all()
    assert again.status is StepStatus.SCHEDULED and again.template == first.template
    refused = arrive(
        uow, tmp_path, None, None, raw=_bounce_of(second, "5.7.1", "smtp; 550 5.7.1 Message rejected as spam")
    )
    assert refused.status == "processed"
    assert second.contact.status is ContactStatus.ACTIVE and held.status is StepStatus.HELD
    from outreach.services.partners.todos import open_todos

    [todo] = open_todos(uow.session)
    assert todo.kind == "rejected" and "rejected as spam" in todo.text
    assert logbook.resume(uow.session, "person1@firm1.test", utcnow()) == 1 and held.status is StepStatus.SCHEDULED
    gone = arrive(uow, tmp_path, None, None, raw=_bounce_of(first, "5.1.1", "smtp; 550 5.1.1 User unknown"))
    assert gone.status == "processed" and first.contact.status is ContactStatus.UNREACHABLE
    assert first.partner.status.value == "unreachable"


def test_a_forged_bounce_or_complaint_without_our_message_id_changes_nothing(uow, tmp_path):
    steps = queued(uow, tmp_path)
    step = steps["person0@firm0.test"]
    forged = arrive(
        uow,
        tmp_path,
        None,
        None,
        raw=_bounce_of(step, "5.1.1", "smtp; 550 5.1.1 User unknown", message_id="<forged@attacker.test>"),
    )
    plain = arrive(
        uow,
        tmp_path,
        "MAILER-DAEMON@attacker.test",
        "550 5.1.1 <person0@firm0.test>: User unknown",
        subject="Undelivered Mail Returned to Sender",
    )
    from tests.samples.inbound import _report, _returned

    complaint = _report(
        "feedback@isp.test",
        "Abuse report",
        "An abuse report.",
        "Feedback-Type: abuse\r\nVersion: 1\r\n",
        _returned("person0@firm0.test").replace(
            "<179587368356.14531.5476748913727748639@riverside.test>", "<forged@attacker.test>"
        ),
        report="feedback-report",
    )
    complained = arrive(uow, tmp_path, None, None, raw=complaint)
    assert [r.status for r in (forged, plain, complained)] == ["unproven"] * 3
    assert step.contact.status is ContactStatus.ACTIVE and step.status is StepStatus.SCHEDULED
    assert not logbook.is_suppressed(uow.session, "person0@firm0.test")
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Interaction)) == 0


def test_an_opt_out_suppresses_at_once_and_drops_queued_mail(uow, tmp_path):
    _, follow_ups = mailed(uow, tmp_path)
    result = arrive(uow, tmp_path, "person1@firm1.test", "Please remove me from your list.")
    assert result.kind == "opt_out"
    assert logbook.is_suppressed(uow.session, "person1@firm1.test")
    assert follow_ups["person1@firm1.test"].status is StepStatus.CANCELLED
    assert follow_ups["person0@firm0.test"].status is StepStatus.SCHEDULED
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
    assert (
        total["partners"],
        total["sent"],
        total["reached"],
        total["replied"],
        total["opted_out"],
        total["reply_rate"],
    ) == (2, 2, 2, 1, 1, 0.5)
    csv_out = cli("report", "--csv").out.splitlines()
    assert csv_out[0].startswith("campaign,phase,partners,queued,sent,reached,replied")
    assert len(csv_out) == len(rows) + 1


def test_each_answer_shows_on_the_next_reports_load(uow, tmp_path):
    """A reply, an out-of-office answer, a bounce, an opt-out and an accepted meeting, each
    processed as the product does, are on the very next Reports page (issue 25)."""
    from datetime import timedelta

    from outreach.calendar.invite import Answer
    from outreach.db.models import Campaign
    from outreach.services.meetings import invitations
    from outreach.services.workspace import reports

    def funnel() -> str:
        uow.session.expire_all()
        [(_, chart)] = reports.overview(uow.session, utcnow()).funnels
        return chart

    steps, _ = mailed(uow, tmp_path)
    assert "replied 0" in funnel() and "meetings accepted 0" in funnel()
    arrive(uow, tmp_path, "person0@firm0.test", "Thank you, we are interested. Let us talk.")
    assert "replied 1" in funnel()
    away = "I am out of the office until Monday and will read your message when I return."
    arrive(uow, tmp_path, "person1@firm1.test", away, subject="Automatic reply: Proposal")
    assert "replied 1" in funnel()
    partner, campaign = steps["person0@firm0.test"].partner, uow.session.scalar(sa.select(Campaign))
    meeting = invitations.invite(uow.session, partner, campaign, utcnow() + timedelta(days=3))
    uow.commit()
    assert "meetings invited 1" in funnel() and "meetings accepted 0" in funnel()
    answer = Answer("REPLY", meeting.uid, 0, "person0@firm0.test", "ACCEPTED", None, None)
    invitations.record_answer(uow.session, answer, utcnow())
    uow.commit()
    assert "meetings accepted 1" in funnel()
    bounce = _bounce_of(steps["person1@firm1.test"], "5.1.1", "smtp; 550 5.1.1 User unknown")
    arrive(uow, tmp_path, None, None, raw=bounce)
    arrive(uow, tmp_path, "person0@firm0.test", "Please remove me from your list.")
    row = next(r for r in funnel_rows(uow) if r["phase"] == "all")
    assert (row["replied"], row["out_of_office"], row["bounced"], row["opted_out"]) == (1, 1, 1, 1)


def funnel_rows(uow) -> list[dict]:
    from outreach.services.workspace import funnel

    return funnel.funnel(uow.session)


def test_a_new_message_reusing_a_message_id_is_kept(uow, tmp_path):
    mailed(uow, tmp_path)
    same_id = {"Message-ID": "<reused@firm0.test>"}
    first = arrive(uow, tmp_path, "person0@firm0.test", "First answer", headers=same_id)
    second = arrive(uow, tmp_path, "person0@firm0.test", "Second answer", headers=same_id)
    assert (first.status, second.status) == ("processed", "processed")
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(InboundMail)) == 2


def test_reply_intent_decides_what_happens_and_only_interest_invites(uow, tmp_path):
    from outreach.db.models import Meeting, Todo
    from outreach.domain.vocabulary import PartnerStatus

    partners = [
        {
            "name": f"Firm {i}",
            "partnership_types": ["training"],
            "mail_domain": f"firm{i}.test",
            "contacts": [{"name": f"Person {i}", "email": f"person{i}@firm{i}.test"}],
        }
        for i in range(4)
    ]
    settings = campaign_settings("intent", 1, 1, partners)
    settings["meeting"] = {
        "auto_invite": True,
        "availability": {"days": ["mon", "tue", "wed", "thu", "fri"], "min_working_days_ahead": 2},
    }
    campaigns.queue(uow.session, load_campaign(write_campaign(tmp_path, settings)), Renderer(), utcnow())
    for step in uow.session.scalars(sa.select(Step)):
        step.status = StepStatus.SENT
    uow.commit()
    later = arrive(uow, tmp_path, "person0@firm0.test", "Not this year, maybe September 2027.")
    refer = arrive(
        uow,
        tmp_path,
        "person1@firm1.test",
        "Please contact my colleague Anna Berg (anna.berg@firm1.test), she leads our apprenticeships.",
    )
    no = arrive(uow, tmp_path, "person2@firm2.test", "Thank you for thinking of us, but we are not interested.")
    yes = arrive(uow, tmp_path, "person3@firm3.test", "Yes, interested! Could we have a call next week?")
    assert all(r.status == "processed" for r in (later, refer, no, yes))
    meetings = uow.session.scalars(sa.select(Meeting)).all()
    assert [m.partner.name for m in meetings] == ["Firm 3"]  # only interest invites
    [again] = uow.session.scalars(sa.select(Step).where(Step.template == "later")).all()
    assert again.contact.email == "person0@firm0.test" and again.due_at.date().isoformat() == "2027-09-01"
    anna = uow.session.scalar(sa.select(Contact).where(Contact.email == "anna.berg@firm1.test"))
    assert anna.name == "Anna Berg" and anna.introduced_by_id == uow.session.scalar(
        sa.select(Contact.id).where(Contact.email == "person1@firm1.test")
    )
    kinds = sorted(t.kind for t in uow.session.scalars(sa.select(Todo)))
    assert kinds == ["introduction", "later"]
    assert "Write to anna.berg@firm1.test, introduced by person1@firm1.test" in uow.session.scalar(
        sa.select(Todo.text).where(Todo.kind == "introduction")
    )
    assert uow.session.scalar(sa.select(Partner).where(Partner.name == "Firm 2")).status is PartnerStatus.DECLINED
