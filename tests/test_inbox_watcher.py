"""The inbox watcher with real parts: a campaign is sent through SMTP into Dovecot, the
partners answer into the school's mailbox, and `outreach`'s watcher (IDLE) logs each answer
against the right partner with the right effect."""

import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from imapclient import IMAPClient

from outreach.db.models import Contact, InboundMail, Interaction, Partner, Step, Suppression, Todo
from outreach.domain.vocabulary import ContactStatus, InteractionKind, PartnerStatus, Phase, StepStatus
from tests.support.campaigns import PASSWORD_ENV, campaign_settings, write_campaign
from tests.support.dovecot import PASSWORD
from tests.support.mailboxes import messages, wait_for
from worker.app import App
from worker.processes import start_watchers, start_worker


def reply(sender, to, subject, text, in_reply_to=None, headers=None) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@partner.test>"
    msg["Date"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    if in_reply_to:
        msg["In-Reply-To"], msg["References"] = in_reply_to, in_reply_to
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text)
    return msg.as_bytes()


def dsn(sender_mailbox, failed, returned_id) -> bytes:
    return (
        f"From: Mail Delivery System <MAILER-DAEMON@mx.partner.test>\r\nTo: {sender_mailbox}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nAuto-Submitted: auto-replied\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@mx.partner.test>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.partner.test\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: {sender_mailbox}\r\nTo: {failed}\r\nMessage-ID: {returned_id}\r\nSubject: x\r\n"
        "--b--\r\n"
    ).encode()


class Campaign:
    """Five partners, each on a domain of its own, mailed from a mailbox of this test's own."""

    def __init__(self, tmp_path, smtp_port, imap_port, processed_folder=None, meeting=None):
        tag = uuid.uuid4().hex[:8]
        self.sender = f"watch-{tag}@school.test"
        self.staff = f"staff-{tag}@school.test"
        self.addresses = [f"contact{i}@org{i}-{tag}.test" for i in range(5)]
        partners = [
            {
                "name": f"Organisation {i}",
                "partnership_types": ["training"],
                "contacts": [{"name": f"Person {i}", "email": a, "timezone": "Europe/Berlin"}],
            }
            for i, a in enumerate(self.addresses)
        ]
        settings = campaign_settings(
            f"watch-{tag}", smtp_port, imap_port, partners, sender=self.sender, notify_staff=self.staff
        )
        settings["mailbox"]["imap"]["processed_folder"] = processed_folder
        settings["meeting"] = {
            "auto_invite": False,
            "offer_next_slot_on_decline": False,
            "availability": {"days": ["mon", "tue", "wed", "thu", "fri"], "min_working_days_ahead": 2},
            **(meeting or {}),
        }
        self.path = write_campaign(tmp_path, settings)


@pytest.fixture
def sent_campaign(cli, database_url, tmp_path, dovecot, smtp_relay, monkeypatch, uow, request):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    campaign = Campaign(tmp_path, smtp_relay.port, dovecot.imap_port, **getattr(request, "param", {}))
    assert cli("campaign", "queue", campaign.path).code == 0
    app = App(database_url=database_url, data_dir=tmp_path / "data")
    worker = start_worker(app, threads=1)
    app.tick()
    wait_for(
        lambda: (
            uow.session.scalar(sa.select(sa.func.count()).select_from(Step).where(Step.status == StepStatus.SENT)) == 5
        ),
        what="the campaign sent",
    )
    stop = threading.Event()
    yield campaign, app, stop
    stop.set()
    worker.stop()
    app.close()


def step_of(uow, address) -> Step:
    return uow.session.scalar(sa.select(Step).join(Contact).where(Contact.email == address))


def test_replies_bounces_out_of_office_and_opt_outs_are_logged_while_idling(sent_campaign, dovecot, uow):
    campaign, app, stop = sent_campaign
    a = campaign.addresses
    follow_up = Step(
        campaign_id=step_of(uow, a[3]).campaign_id,
        partner_id=step_of(uow, a[3]).partner_id,
        contact_id=step_of(uow, a[3]).contact_id,
        name="follow-up-1",
        template="follow_up",
        status=StepStatus.SCHEDULED,
        due_at=datetime.now(UTC) + timedelta(days=1),
        message_id=f"<{uuid.uuid4().hex}@school.test>",
    )
    uow.session.add(follow_up)
    uow.commit()
    [thread] = start_watchers(app, stop, idle_check_seconds=1)
    time.sleep(1.5)  # let it sync and enter IDLE

    back = date.today() + timedelta(days=20)
    unrelated = reply(
        "news@elsewhere.test", campaign.sender, "Newsletter", "Hello list", headers={"List-Id": "<n.test>"}
    )
    answers = [
        reply(
            f"Person 0 <{a[0]}>",
            campaign.sender,
            "Re: Proposal for potential collaboration",
            "Dear Jana, we are interested. Tuesday?\n\nOn Mon, Jana wrote:\n> Dear ...",
            step_of(uow, a[0]).message_id,
        ),
        reply(
            f"Colleague <colleague@{a[1].split('@')[1]}>",
            campaign.sender,
            "About your email",
            "Hello, I answer for Person 1: let us meet.",
        ),
        dsn(campaign.sender, a[2], step_of(uow, a[2]).message_id),
        reply(
            f"Person 3 <{a[3]}>",
            campaign.sender,
            "Automatische Antwort: Proposal for potential collaboration",
            f"Ich bin bis zum {back:%d.%m.%Y} nicht im Büro.",
            headers={"X-MS-Exchange-Organization-AutoResponseSuppress": "All"},
        ),
        reply(
            f"Person 4 <{a[4]}>",
            campaign.sender,
            "AW: Proposal for potential collaboration",
            "Bitte entfernen Sie mich aus Ihrem Verteiler.",
            step_of(uow, a[4]).message_id,
        ),
        unrelated,
    ]
    delivered_at = time.monotonic()
    for raw in answers:
        dovecot.deliver(campaign.sender, raw)

    def done():
        uow.session.expire_all()
        return (
            uow.session.scalar(
                sa.select(sa.func.count())
                .select_from(InboundMail)
                .where(InboundMail.status.in_(["processed", "ignored", "unauthenticated"]))
            )
            == 5
        )

    wait_for(done, timeout=30, what="five answers processed")
    print(f"\nfive answers logged {time.monotonic() - delivered_at:.1f}s after delivery (watcher in IDLE)")

    partners = {p.name: p for p in uow.session.scalars(sa.select(Partner))}
    # "we are interested. Tuesday?" is not sure enough to act on: put before a person, the partner stays
    assert partners["Organisation 0"].phase is Phase.FIRST_CONTACT
    [review] = uow.session.scalars(sa.select(Todo).where(Todo.kind == "review_reply")).all()
    assert review.partner_id == partners["Organisation 0"].id and review.reading["intent"] == "interested"
    # a colleague nothing vouches for (the mailbox names no authserv-id) changes nothing: a to-do instead
    assert partners["Organisation 1"].phase is Phase.FIRST_CONTACT
    assert f"colleague@{a[1].split('@')[1]}" not in [c.email for c in partners["Organisation 1"].contacts]
    [asked] = uow.session.scalars(sa.select(Todo).where(Todo.kind == "unproved_sender")).all()
    assert asked.partner_id == partners["Organisation 1"].id and "Add them as a contact?" in asked.text
    bounced = uow.session.scalar(sa.select(Contact).where(Contact.email == a[2]))
    assert (
        bounced.status is ContactStatus.UNREACHABLE and partners["Organisation 2"].status is PartnerStatus.UNREACHABLE
    )
    uow.session.refresh(follow_up)
    # paused until the return date, in the contact's own timezone; the scheduler resumes it then
    assert follow_up.due_at.astimezone(ZoneInfo("Europe/Berlin")).date() == back
    assert follow_up.status is StepStatus.SCHEDULED
    opted = uow.session.scalar(sa.select(Contact).where(Contact.email == a[4]))
    assert opted.status is ContactStatus.OPTED_OUT
    assert uow.session.scalar(sa.select(Suppression).where(Suppression.email == a[4])) is not None
    kinds = {
        (i.partner.name, i.kind)
        for i in uow.session.scalars(sa.select(Interaction).where(Interaction.direction == "in"))
    }
    assert kinds == {
        ("Organisation 0", InteractionKind.EMAIL),
        ("Organisation 2", InteractionKind.BOUNCE),
        ("Organisation 3", InteractionKind.AUTO_REPLY),
        ("Organisation 4", InteractionKind.OPT_OUT),
    }
    logged = uow.session.scalar(
        sa.select(Interaction).where(
            Interaction.kind == InteractionKind.EMAIL,
            Interaction.direction == "in",
            Interaction.partner == partners["Organisation 0"],
        )
    )
    assert logged.text == "Dear Jana, we are interested. Tuesday?"  # quoted text stripped; the raw is kept
    with open(logged.raw_path, "rb") as stored:
        assert b"> Dear ..." in stored.read()
    notices = wait_for(
        lambda: messages(dovecot, campaign.staff) if len(messages(dovecot, campaign.staff)) == 2 else None,
        timeout=20,
        what="staff told of the two human replies",
    )
    assert sorted(n["Subject"].split(":")[0].strip() for n in notices) == ["Not proved", "Reply from Organisation 0"]
    assert all(any(p.get_content_type() == "message/rfc822" for p in n.iter_attachments()) for n in notices)
    # the newsletter is nobody's answer: never downloaded, never stored
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(InboundMail)) == 5
    assert not any(b"Hello list" in path.read_bytes() for path in app.data_dir.rglob("*.eml"))
    with IMAPClient("127.0.0.1", port=dovecot.imap_port, ssl=False) as imap:  # nothing marked read, moved or deleted
        imap.login(campaign.sender, PASSWORD)
        imap.select_folder("INBOX", readonly=True)
        flags = imap.get_flags(imap.search(["ALL"]))
        assert len(flags) == 6 and not any(b"\\Seen" in f for f in flags.values())
    stop.set()
    thread.join(10)


def test_a_dovecot_restart_while_idling_loses_nothing_and_logs_nothing_twice(sent_campaign, dovecot, uow):
    campaign, app, stop = sent_campaign
    first = campaign.addresses[0]
    dovecot.deliver(
        campaign.sender, reply(first, campaign.sender, "Re: Proposal", "Yes please.", step_of(uow, first).message_id)
    )
    [thread] = start_watchers(app, stop, idle_check_seconds=1)
    count = lambda: uow.session.scalar(sa.select(sa.func.count()).select_from(InboundMail))
    wait_for(lambda: (uow.session.expire_all(), count())[1] == 1, timeout=20, what="the first reply")
    time.sleep(1)
    dovecot.restart()
    second = campaign.addresses[1]
    delivered = time.monotonic()
    dovecot.deliver(
        campaign.sender, reply(second, campaign.sender, "Re: Proposal", "Gerne.", step_of(uow, second).message_id)
    )
    wait_for(lambda: (uow.session.expire_all(), count())[1] == 2, timeout=60, what="the reply after the restart")
    print(f"\nreply after a Dovecot restart logged {time.monotonic() - delivered:.1f}s after delivery")
    time.sleep(2)
    uow.session.expire_all()
    assert count() == 2
    logged = uow.session.scalar(
        sa.select(sa.func.count()).select_from(Interaction).where(Interaction.direction == "in")
    )
    assert logged == 2
    stop.set()
    thread.join(10)


@pytest.mark.parametrize("sent_campaign", [{"processed_folder": "Processed"}], indirect=True)
def test_processed_replies_move_only_when_a_folder_is_configured(sent_campaign, dovecot, uow):
    campaign, app, stop = sent_campaign
    first = campaign.addresses[0]
    dovecot.deliver(
        campaign.sender, reply(first, campaign.sender, "Re: Proposal", "Yes.", step_of(uow, first).message_id)
    )
    dovecot.deliver(campaign.sender, reply("stranger@else.test", campaign.sender, "Hello", "Unrelated."))
    [thread] = start_watchers(app, stop, idle_check_seconds=1)
    wait_for(lambda: len(messages(dovecot, campaign.sender, "Processed")) == 1, timeout=20, what="the reply moved")
    assert [m["Subject"] for m in messages(dovecot, campaign.sender)] == ["Hello"]  # unrelated mail stays
    stop.set()
    thread.join(10)


def test_a_reply_staff_write_in_their_own_mail_program_is_logged_from_sent(sent_campaign, dovecot, uow):
    """Staff answer a partner's question from Outlook or Thunderbird: the copy in Sent is logged
    as mail out and the to-do that wanted an answer is closed; the product's own copies in Sent
    are known by their Message-ID and never logged twice."""
    from outreach.db.models import Todo
    from outreach.domain.vocabulary import Direction

    campaign, app, stop = sent_campaign
    a = campaign.addresses
    start_watchers(app, stop, idle_check_seconds=1, sent_every_seconds=2)
    question = reply(
        f"Person 0 <{a[0]}>",
        campaign.sender,
        "Re: Proposal for potential collaboration",
        "What would a training partnership mean for us in hours per week?",
        step_of(uow, a[0]).message_id,
    )
    dovecot.deliver(campaign.sender, question)

    def open_question():
        uow.session.expire_all()
        return uow.session.scalar(sa.select(Todo).where(Todo.kind == "question", Todo.done_at.is_(None)))

    wait_for(open_question, timeout=30, what="the question raised as a to-do")
    outbound = lambda: uow.session.scalar(
        sa.select(sa.func.count()).select_from(Interaction).where(Interaction.direction == Direction.OUT)
    )
    assert outbound() == 5

    answer = EmailMessage(policy=SMTP)
    answer["From"], answer["To"] = campaign.sender, f"Person 0 <{a[0]}>"
    answer["Subject"], answer["Message-ID"] = (
        "Re: Proposal for potential collaboration",
        f"<{uuid.uuid4().hex}@school.test>",
    )
    answer["In-Reply-To"] = "<question@partner.test>"
    answer["Date"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    answer.set_content("About four hours a week for the mentor. Shall we talk it through on Tuesday?")
    with IMAPClient("127.0.0.1", port=dovecot.imap_port, ssl=False) as imap:  # as a mail program files it
        imap.login(campaign.sender, PASSWORD)
        imap.append("Sent", answer.as_bytes(), flags=[b"\\Seen"])
    wait_for(
        lambda: (uow.session.expire_all(), outbound())[1] == 6, timeout=30, what="the staff reply logged from Sent"
    )
    logged = uow.session.scalar(
        sa.select(Interaction).where(Interaction.direction == Direction.OUT, Interaction.text.like("About four hours%"))
    )
    assert logged.contact.email == a[0]
    assert open_question() is None
    uow.session.expire_all()
    assert uow.session.scalar(sa.select(Todo.done_reason).where(Todo.kind == "question")).startswith("answered from")


def html_reply(sender, to, subject, html, in_reply_to) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Message-ID"], msg["In-Reply-To"], msg["References"] = (
        f"<{uuid.uuid4().hex}@partner.test>",
        in_reply_to,
        in_reply_to,
    )
    msg["Date"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    msg.set_content(html, subtype="html")  # HTML only, as many mail programs send
    return msg.as_bytes()


def test_html_only_refusals_with_our_mail_quoted_log_only_the_partners_words(sent_campaign, dovecot, uow):
    """A warm refusal written in Gmail, Outlook and Apple Mail, HTML only, our first mail quoted
    below in each program's markup: the logbook keeps the partner's sentence alone and the
    reply is read from it (declined), never from our own words in the quote."""
    from html import escape

    from outreach.domain.vocabulary import Direction
    from tests.samples.replies import REFUSAL, apple_html, gmail_html, outlook_desktop_html

    campaign, app, stop = sent_campaign
    a = campaign.addresses
    for address, markup in zip(a[:3], (gmail_html, outlook_desktop_html, apple_html), strict=True):
        ours = uow.session.scalar(
            sa.select(Interaction)
            .join(Partner)
            .join(Contact)
            .where(Contact.email == address, Interaction.direction == Direction.OUT)
        )
        quoted = (
            "<div>"
            + escape(ours.text).replace("\n", "<br>")
            + "<br>Would you be available for a short meeting next week?</div>"
        )
        dovecot.deliver(
            campaign.sender,
            html_reply(
                f"Partner <{address}>",
                campaign.sender,
                f"Re: {ours.subject}",
                markup(REFUSAL, quoted=quoted),
                step_of(uow, address).message_id,
            ),
        )
    [thread] = start_watchers(app, stop, idle_check_seconds=1)  # the replies are there when it first looks

    def logged():
        uow.session.expire_all()
        rows = uow.session.scalars(
            sa.select(Interaction).where(
                Interaction.direction == Direction.IN, Interaction.kind == InteractionKind.EMAIL
            )
        ).all()
        return rows if len(rows) == 3 else None

    rows = wait_for(logged, timeout=30, what="three HTML replies logged")
    assert sorted(row.text for row in rows) == [REFUSAL] * 3
    declined = uow.session.scalars(
        sa.select(Partner).where(Partner.name.in_(["Organisation 0", "Organisation 1", "Organisation 2"]))
    ).all()
    assert {p.status for p in declined} == {PartnerStatus.DECLINED}
    notices = wait_for(
        lambda: messages(dovecot, campaign.staff) if len(messages(dovecot, campaign.staff)) == 3 else None,
        timeout=20,
        what="staff told of the three replies",
    )
    for notice in notices:
        body = notice.get_body(("plain",)).get_content()
        assert "reads as not interested" in body and "meeting" not in body.split("reads as", 1)[1]
    stop.set()
    thread.join(10)
