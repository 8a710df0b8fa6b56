"""Replies the product is not sure of are put before a person (issue 20 parts 3-5): a review
item holds the reading, the follow-ups wait; a decision from the command line does what the
automatic path does for that meaning and becomes the school's label; `meeting.auto_invite`
says when an invitation goes out on its own; the partner's status is kept apart from its
phase. Against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP

import pytest
import sqlalchemy as sa

from outreach.campaign import load_campaign
from outreach.db.models import Meeting, Partner, ReplyLabel, Step, Todo
from outreach.db.types import utcnow
from outreach.domain.vocabulary import PartnerStatus, Phase, StepStatus
from outreach.inbound.message import Fetched
from outreach.rendering import Renderer
from outreach.services.inbound import inbox
from outreach.services.inbound.labels import school_labels
from outreach.services.outbound import campaigns
from outreach.services.workspace import pages
from tests.support.campaigns import campaign_settings, write_campaign

MAILBOX = "vet@school.test"
SURE_YES = "Yes, we are interested, let us talk."
UNSURE_YES = "Dear Jana, we are interested. Tuesday?"
LATER_DAY = date(2027, 3, 1)


def queued(uow, tmp_path, auto_invite=None):
    """One partner written to (first contact), a follow-up waiting."""
    partners = [
        {
            "name": "Firm 0",
            "partnership_types": ["training"],
            "mail_domain": "firm0.test",
            "contacts": [{"name": "Person 0", "email": "person0@firm0.test"}],
        }
    ]
    settings = campaign_settings("review", 1, 1, partners)
    if auto_invite is not None:
        settings["meeting"] = {"auto_invite": auto_invite}
    campaigns.queue(uow.session, load_campaign(write_campaign(tmp_path, settings)), Renderer(), utcnow())
    [first] = uow.session.scalars(sa.select(Step)).all()
    first.status, first.sent_at = StepStatus.SENT, utcnow()
    follow_up = Step(
        campaign_id=first.campaign_id,
        partner_id=first.partner_id,
        contact_id=first.contact_id,
        name="follow-up-1",
        template="follow_up",
        status=StepStatus.SCHEDULED,
        due_at=utcnow() + timedelta(days=7),
        message_id=f"<{uuid.uuid4().hex}@school.test>",
    )
    uow.session.add(follow_up)
    uow.session.scalar(sa.select(Partner)).phase = Phase.FIRST_CONTACT
    uow.commit()
    return first, follow_up


def arrive(uow, tmp_path, text, in_reply_to):
    message = EmailMessage(policy=SMTP)
    message["From"], message["To"], message["Subject"] = "Person 0 <person0@firm0.test>", MAILBOX, "Re: Proposal"
    message["Message-ID"], message["In-Reply-To"] = f"<{uuid.uuid4().hex}@firm0.test>", in_reply_to
    message.set_content(text)
    uid = uuid.uuid4().int % 10**9
    [inbound_id] = inbox.store(uow, tmp_path, MAILBOX, "INBOX", 1, [Fetched(uid, message.as_bytes())], uid, utcnow())
    return inbox.process(uow, inbound_id, utcnow())


def firm(uow) -> Partner:
    uow.session.expire_all()
    return uow.session.scalar(sa.select(Partner))


def reviews(uow) -> list[Todo]:
    return list(uow.session.scalars(sa.select(Todo).where(Todo.kind == "review_reply", Todo.done_at.is_(None))))


def test_an_unsure_reply_waits_for_a_person_and_the_decision_does_what_the_reading_would(uow, tmp_path, cli):
    first, follow_up = queued(uow, tmp_path)
    assert arrive(uow, tmp_path, UNSURE_YES, first.message_id).status == "processed"
    [item] = reviews(uow)
    assert item.reading["intent"] == "interested" and item.reading["acts"] is False
    assert item.reading["new_text"] == UNSURE_YES
    uow.session.refresh(follow_up)
    assert follow_up.status is StepStatus.HELD  # waits with the decision, neither sent nor dropped
    assert firm(uow).phase is Phase.FIRST_CONTACT and uow.session.scalar(sa.select(Meeting)) is None

    listed = cli("replies", "review", "--json")
    assert listed.code == 0, listed
    [row] = json.loads(listed.out)
    assert (row["id"], row["partner"], row["read_as"], row["text"]) == (item.id, "Firm 0", "interested", UNSURE_YES)

    decided = cli("replies", "decide", str(item.id), "not_now", "--until", LATER_DAY.isoformat())
    assert decided.code == 0, decided
    assert "later until 2027-03-01" in decided.out
    partner = firm(uow)
    assert (partner.status, partner.later_until) == (PartnerStatus.PAUSED, LATER_DAY)
    assert partner.phase is Phase.FIRST_CONTACT
    later = uow.session.scalar(sa.select(Step).where(Step.template == "later"))
    assert later.status is StepStatus.SCHEDULED
    assert later.due_at.astimezone(UTC) == datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    uow.session.refresh(follow_up)
    assert follow_up.status is StepStatus.CANCELLED  # as for any reply acted on
    assert reviews(uow) == []
    assert pages.pipeline(uow.session, pages.Filters())[1].cards[0].status_text == "Later until 2027-03-01"

    [label] = uow.session.scalars(sa.select(ReplyLabel)).all()
    assert (label.text, label.intent, label.until, label.read_as) == (UNSURE_YES, "not_now", LATER_DAY, "interested")
    assert label.decided_by.startswith("cli:")  # who decided: the OS account, or OUTREACH_ACTOR
    [learned] = school_labels(uow.session)
    assert (learned.text, learned.intent, learned.until) == (UNSURE_YES, "not_now", "2027-03")


def test_not_a_reply_lets_the_sequence_go_on(uow, tmp_path, cli):
    first, follow_up = queued(uow, tmp_path)
    arrive(uow, tmp_path, UNSURE_YES, first.message_id)
    [item] = reviews(uow)
    assert cli("replies", "decide", str(item.id), "not_a_reply").code == 0
    uow.session.refresh(follow_up)
    assert follow_up.status is StepStatus.SCHEDULED
    assert firm(uow).status is PartnerStatus.ACTIVE
    assert [lab.intent for lab in school_labels(uow.session)] == ["unclear"]


def test_a_hand_over_decided_adds_the_colleague_and_drafts_the_introduction(uow, tmp_path, cli):
    first, _ = queued(uow, tmp_path)
    arrive(uow, tmp_path, UNSURE_YES, first.message_id)
    [item] = reviews(uow)
    done = cli(
        "replies",
        "decide",
        str(item.id),
        "referral",
        "--referral",
        "Sabine.Hoffmann@firm0.test",
        "--name",
        "Sabine Hoffmann",
    )
    assert done.code == 0, done
    colleague = [c for c in firm(uow).contacts if c.email == "sabine.hoffmann@firm0.test"]
    assert colleague and colleague[0].name == "Sabine Hoffmann"
    assert uow.session.scalar(sa.select(Step).where(Step.template == "introduction")).status is StepStatus.HELD
    assert firm(uow).phase is Phase.FIRST_CONTACT


@pytest.mark.parametrize(
    "args, field",
    [
        (("not_now",), "until"),
        (("not_now", "--until", "2001-01-01"), "until"),
        (("referral",), "referral"),
        (("maybe",), "intent"),
        (("not_now", "--until", "1.3.2027"), "--until"),
    ],
)
def test_a_decision_that_cannot_be_done_says_what_to_fix(uow, tmp_path, cli, args, field):
    first, _ = queued(uow, tmp_path)
    arrive(uow, tmp_path, UNSURE_YES, first.message_id)
    [item] = reviews(uow)
    result = cli("replies", "decide", str(item.id), *args)
    assert result.code != 0 and "Traceback" not in result.err
    assert field in result.out + result.err
    assert len(reviews(uow)) == 1 and uow.session.scalar(sa.select(ReplyLabel)) is None


def test_an_unknown_review_item_is_named(cli, uow):
    result = cli("replies", "decide", "999", "interested")
    assert result.code != 0 and "no open review item 999" in result.out + result.err


@pytest.mark.parametrize(
    "mode, text, invited, review",
    [
        ("confident", SURE_YES, True, False),
        ("confident", UNSURE_YES, False, True),
        ("always", UNSURE_YES, True, False),
        ("never", SURE_YES, False, True),
        (True, SURE_YES, True, False),  # campaign files of before: true is "confident"
        (False, SURE_YES, False, True),  # and false is "never"
    ],
)
def test_auto_invite_says_when_an_invitation_goes_out_on_its_own(uow, tmp_path, mode, text, invited, review):
    first, _ = queued(uow, tmp_path, auto_invite=mode)
    outcome = arrive(uow, tmp_path, text, first.message_id)
    meetings = uow.session.scalars(sa.select(Meeting)).all()
    assert bool(meetings) is invited
    assert bool(reviews(uow)) is review
    assert any(type(e).__name__ == "SendMeeting" for e in outcome.events) is invited
    assert firm(uow).phase is (Phase.PROPOSAL if invited else Phase.FIRST_CONTACT)


def test_never_leaves_the_invitation_to_one_click_and_the_click_invites(uow, tmp_path, cli):
    first, _ = queued(uow, tmp_path, auto_invite="never")
    arrive(uow, tmp_path, SURE_YES, first.message_id)
    [item] = reviews(uow)
    from outreach.services.inbound.review import Decision, decide

    decided = decide(uow, item.id, Decision("interested"), utcnow(), "jana@school.test")
    [meeting] = uow.session.scalars(sa.select(Meeting)).all()
    assert [type(e).__name__ for e in decided.events] == ["SendMeeting"] and decided.events[0].meeting_id == meeting.id
    assert firm(uow).phase is Phase.PROPOSAL


def test_a_sure_refusal_declines_the_partner_and_leaves_the_active_board(uow, tmp_path):
    first, follow_up = queued(uow, tmp_path, auto_invite="always")
    arrive(
        uow,
        tmp_path,
        "Thank you for your message. We have decided not to take part; we cover our training "
        "needs with our existing partners.",
        first.message_id,
    )
    partner = firm(uow)
    assert (partner.status, partner.phase) == (PartnerStatus.DECLINED, Phase.FIRST_CONTACT)
    assert uow.session.scalar(sa.select(Meeting)) is None and reviews(uow) == []
    active = pages.pipeline(uow.session, pages.Filters())
    closed = pages.pipeline(uow.session, pages.Filters(board="closed"))
    assert sum(c.count for c in active) == 0
    [card] = [card for column in closed for card in column.cards]
    assert (card.name, card.status_text) == ("Firm 0", "Declined")


def test_an_opt_out_of_every_contact_marks_the_partner_opted_out(uow, tmp_path):
    first, _ = queued(uow, tmp_path)
    arrive(uow, tmp_path, "Please remove me from your mailing list.", first.message_id)
    assert firm(uow).status is PartnerStatus.OPTED_OUT
    [card] = [card for column in pages.pipeline(uow.session, pages.Filters(board="closed")) for card in column.cards]
    assert card.status_text == "Opted out"


def test_the_manager_export_and_the_partnerships_report_say_the_status(uow, tmp_path, cli):
    first, _ = queued(uow, tmp_path)
    arrive(uow, tmp_path, UNSURE_YES, first.message_id)
    [item] = reviews(uow)
    cli("replies", "decide", str(item.id), "not_now", "--until", LATER_DAY.isoformat())
    from outreach.services.workspace.reports import by_status, manager_rows

    uow.session.expire_all()
    [row] = manager_rows(uow.session)
    assert row[5] == "Later until 2027-03-01"
    assert dict(by_status(uow.session))["Later"] == 1
    out = cli("report").out
    assert "Partners by status" in out and "Later" in out


def test_the_worker_retrains_weekly_on_the_schools_decisions(database_url, engine, tmp_path, monkeypatch):
    from outreach.inbound import intent
    from worker.app import App

    trained: list[list] = []
    monkeypatch.setattr(intent, "warm_up", lambda extra=(), cache=None: trained.append(list(extra)))
    clock = [datetime(2027, 1, 4, 9, 0, tzinfo=UTC)]
    app = App(database_url=database_url, data_dir=tmp_path / "data", now=lambda: clock[0])
    try:
        assert trained == [[]]  # at start: the shipped set alone, nothing decided yet
        with app.uow() as uow:
            uow.session.add(
                ReplyLabel(
                    text="Nicht vor dem Sommer, bitte.",
                    intent="not_now",
                    language="de",
                    until=date(2027, 6, 1),
                    decided_by="jana",
                    decided_at=clock[0],
                )
            )
            uow.commit()
        clock[0] += timedelta(days=6)
        app._retrain_weekly()
        assert len(trained) == 1  # not yet a week
        clock[0] += timedelta(days=1)
        app._retrain_weekly()
        assert [(r.text, r.intent, r.until) for r in trained[-1]] == [
            ("Nicht vor dem Sommer, bitte.", "not_now", "2027-06")
        ]
        app._retrain_weekly()
        assert len(trained) == 2  # once a week
        clock[0] += timedelta(days=7)
        app.process_inbound(10**9)  # a worker process of its own (no tick): a reply to read asks too
        assert len(trained) == 3
    finally:
        app.close()


def test_a_scheduler_process_loads_no_reply_reader(database_url, tmp_path, monkeypatch):
    """The scheduler reads no reply: it neither loads the reader at start nor trains it weekly."""
    from outreach.inbound import intent
    from worker.app import App

    trained: list[list] = []
    monkeypatch.setattr(intent, "warm_up", lambda extra=(), cache=None: trained.append(list(extra)))
    clock = [datetime(2027, 1, 4, 9, 0, tzinfo=UTC)]
    app = App(database_url=database_url, data_dir=tmp_path / "data", now=lambda: clock[0], reads_replies=False)
    try:
        clock[0] += timedelta(days=8)
        app.tick()
        assert trained == []
    finally:
        app.close()


def test_forgetting_the_person_forgets_the_label_made_from_their_reply(uow, tmp_path, cli):
    first, _ = queued(uow, tmp_path)
    arrive(uow, tmp_path, UNSURE_YES, first.message_id)
    [item] = reviews(uow)
    assert cli("replies", "decide", str(item.id), "not_interested").code == 0
    assert len(school_labels(uow.session)) == 1
    from outreach.services.partners import erasure

    erasure.forget(uow.session, "person0@firm0.test")
    uow.commit()
    assert school_labels(uow.session) == []
