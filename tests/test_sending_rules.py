"""The send path's rules against a real database and a fake mailbox: at-most-once, stop
conditions, refusals, retries, the window and the caps, and recovery after a crash."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from outreach.campaign import load_campaign
from outreach.db.models import Contact, Interaction, Partner, Step
from outreach.domain.vocabulary import ContactStatus, Direction, InteractionKind, PartnerStatus, Phase, StepStatus
from outreach.mail.smtp import PermanentRefusal, TemporaryFailure
from outreach.rendering import Renderer
from outreach.services.outbound import campaigns, scheduler, sending
from outreach.services.partners import logbook
from outreach.services.partners.erasure import forget
from outreach.services.workspace.status import campaign_status
from tests.support.campaigns import campaign_settings, write_campaign
from tests.support.services import closed_port

MONDAY_10_UTC = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


class FakeOutbox:
    def __init__(self):
        self.sent, self.filed, self.failures = [], [], {}
        self.in_sent_folder: set[str] = set()

    def send(self, message, sender, recipients):
        failure = self.failures.get(recipients[0])
        if failure:
            raise failure
        self.sent.append(message)

    def file_sent(self, message, when):
        self.filed.append(message["Message-ID"])
        self.in_sent_folder.add(message["Message-ID"])

    def was_sent(self, message_id):
        return message_id in self.in_sent_folder


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def outbox():
    return FakeOutbox()


def queue(uow, tmp_path, count=3, now=MONDAY_10_UTC, smtp_port=None, **overrides):
    """The campaign's mail servers are ports where nothing answers (unless the test names one)."""
    partners = [
        {
            "name": f"Partner {i}",
            "partnership_types": ["training"],
            "contacts": [{"name": f"Person {i}", "email": f"person{i}@partner{i}.test"}],
        }
        for i in range(count)
    ]
    settings = campaign_settings("rules", smtp_port or closed_port(), closed_port(), partners, **overrides)
    campaign = load_campaign(write_campaign(tmp_path, settings))
    campaigns.queue(uow.session, campaign, Renderer(), now)
    uow.commit()
    return campaign


def run_tick(uow, outbox, clock):
    enqueued = []
    scheduler.tick(
        uow, clock(), lambda step_id, delay: enqueued.append(step_id), lambda s: outbox, lambda s: Renderer()
    )
    return enqueued


def send_all(uow, outbox, clock, ids):
    return [sending.send_step(uow, i, lambda s: outbox, lambda s: Renderer(), clock) for i in ids]


def steps(uow):
    uow.session.expire_all()
    return uow.session.scalars(sa.select(Step).order_by(Step.id)).all()


def test_a_step_is_sent_once_even_when_its_message_arrives_twice(uow, tmp_path, outbox):
    queue(uow, tmp_path, count=2)
    clock = Clock(MONDAY_10_UTC)
    ids = run_tick(uow, outbox, clock)
    outcomes = send_all(uow, outbox, clock, ids + ids)
    assert [o.result for o in outcomes] == ["sent", "sent", "skipped", "skipped"]
    assert len(outbox.sent) == 2 and len(outbox.filed) == 2
    assert all(s.status is StepStatus.SENT and s.attempts == 1 for s in steps(uow))
    assert [m["Message-ID"] for m in outbox.sent] == [s.message_id for s in steps(uow)]
    assert all(p.phase is Phase.FIRST_CONTACT for p in uow.session.scalars(sa.select(Partner)))
    history = uow.session.scalars(sa.select(Partner)).first().phase_history
    assert [(h.from_phase, h.to_phase, h.by) for h in history][-1] == (
        Phase.SCOUTING,
        Phase.FIRST_CONTACT,
        "event:first_contact_sent",
    )


def test_a_reply_or_an_opt_out_before_sending_stops_the_message(uow, tmp_path, outbox):
    queue(uow, tmp_path, count=3)
    clock = Clock(MONDAY_10_UTC)
    ids = run_tick(uow, outbox, clock)
    partner0 = logbook.find_partner(uow.session, "person0@partner0.test")
    uow.session.add(Interaction(partner=partner0, direction=Direction.IN, kind=InteractionKind.EMAIL, subject="Re: hi"))
    forget(uow.session, "person1@partner1.test")  # erased: suppressed, contact gone
    contact2 = uow.session.scalar(sa.select(Contact).where(Contact.email == "person2@partner2.test"))
    contact2.status = ContactStatus.OPTED_OUT
    uow.commit()
    outcomes = send_all(uow, outbox, clock, ids)
    assert [o.result for o in outcomes] == ["cancelled", "skipped", "cancelled"]
    assert "replied" in outcomes[0].detail and "opted_out" in outcomes[2].detail
    assert outbox.sent == []


def test_a_permanent_refusal_marks_the_contact_and_the_partner_unreachable(uow, tmp_path, outbox):
    queue(uow, tmp_path, count=1)
    clock = Clock(MONDAY_10_UTC)
    outbox.failures["person0@partner0.test"] = PermanentRefusal("550 5.1.1 no such user", 550)
    [outcome] = send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    assert outcome.result == "refused"
    [step] = steps(uow)
    assert step.status is StepStatus.FAILED and "550" in step.last_error
    contact = uow.session.scalar(sa.select(Contact))
    assert contact.status is ContactStatus.UNREACHABLE
    assert contact.partner.status is PartnerStatus.UNREACHABLE
    [bounce] = uow.session.scalars(sa.select(Interaction)).all()
    assert bounce.kind is InteractionKind.BOUNCE and "550" in bounce.text


def test_a_temporary_failure_is_retried_with_backoff_then_given_up(uow, tmp_path, outbox):
    queue(uow, tmp_path, count=1)
    clock = Clock(MONDAY_10_UTC)
    outbox.failures["person0@partner0.test"] = TemporaryFailure("451 try later", 451)
    results, dues = [], []
    for _ in range(sending.MAX_ATTEMPTS + 1):
        ids = run_tick(uow, outbox, clock)
        results += [o.result for o in send_all(uow, outbox, clock, ids)]
        step = steps(uow)[0]
        dues.append(step.due_at - clock.now)
        clock.now = max(clock.now, step.due_at) + timedelta(seconds=1)
    assert results == ["retry"] * (sending.MAX_ATTEMPTS - 1) + ["failed"]
    assert dues[:4] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]
    assert steps(uow)[0].status is StepStatus.FAILED and outbox.sent == []
    contact = uow.session.scalar(sa.select(Contact))
    assert contact.status is ContactStatus.ACTIVE  # a temporary problem is never held against them


def test_mail_outside_the_window_waits_for_it(uow, tmp_path, outbox):
    saturday_night = datetime(2027, 3, 6, 22, 0, tzinfo=UTC)
    queue(
        uow,
        tmp_path,
        count=1,
        now=saturday_night,
        sending={
            "days": ["mon", "tue", "wed", "thu", "fri"],
            "start": "09:00",
            "end": "17:00",
            "timezone": "Europe/Berlin",
            "seconds_between_messages": 0,
        },
    )
    clock = Clock(saturday_night)
    assert run_tick(uow, outbox, clock) == []
    [step] = steps(uow)
    assert step.status is StepStatus.SCHEDULED
    assert step.due_at == datetime(2027, 3, 8, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
    clock.now = step.due_at
    assert len(run_tick(uow, outbox, clock)) == 1


def test_the_contacts_own_timezone_decides(uow, tmp_path, outbox):
    settings = {
        "days": ["mon", "tue", "wed", "thu", "fri"],
        "start": "09:00",
        "end": "17:00",
        "timezone": "Europe/Berlin",
        "seconds_between_messages": 0,
    }
    queue(uow, tmp_path, count=2, sending=settings)
    contact = uow.session.scalar(sa.select(Contact).where(Contact.email == "person1@partner1.test"))
    contact.timezone = "America/New_York"  # 10:00 UTC is 05:00 there
    uow.commit()
    clock = Clock(MONDAY_10_UTC)
    ids = run_tick(uow, outbox, clock)
    assert len(ids) == 1
    waiting = [s for s in steps(uow) if s.status is StepStatus.SCHEDULED]
    assert waiting[0].due_at == datetime(2027, 3, 1, 14, 0, tzinfo=UTC)


def test_caps_per_hour_hold_and_the_rest_waits(uow, tmp_path, outbox):
    queue(
        uow,
        tmp_path,
        count=5,
        sending={
            "max_per_hour": 2,
            "max_per_day": 3,
            "days": ["mon"],
            "start": "00:00",
            "end": "23:59",
            "timezone": "UTC",
            "seconds_between_messages": 10,
        },
    )
    clock = Clock(MONDAY_10_UTC)
    enqueued = []
    scheduler.tick(uow, clock(), lambda i, d: enqueued.append((i, d)), lambda s: outbox, lambda s: Renderer())
    assert [d for _, d in enqueued] == [0, 10]
    first, second = [i for i, _ in enqueued]
    # Both messages arrive at once (a worker's backlog, a message sent again): the second waits its turn.
    assert [(o.result, o.wait_seconds) for o in send_all(uow, outbox, clock, [first, second])] == [
        ("sent", 0),
        ("later", 10),
    ]
    assert run_tick(uow, outbox, clock) == []  # hourly cap reached: the one in flight counts
    clock.now += timedelta(seconds=10)
    assert [o.result for o in send_all(uow, outbox, clock, [second])] == ["sent"]
    clock.now += timedelta(hours=1, minutes=1)
    later = run_tick(uow, outbox, clock)
    assert len(later) == 1  # the daily cap leaves room for one more
    send_all(uow, outbox, clock, later)
    clock.now += timedelta(hours=1, minutes=1)
    assert run_tick(uow, outbox, clock) == []  # daily cap reached
    assert [s.status for s in steps(uow)].count(StepStatus.SCHEDULED) == 2 and len(outbox.sent) == 3


def test_a_lost_queue_message_is_sent_again_by_the_scheduler(uow, tmp_path, outbox):
    queue(uow, tmp_path, count=1)
    clock = Clock(MONDAY_10_UTC)
    first = run_tick(uow, outbox, clock)  # the message is "lost": never delivered to a worker
    clock.now += scheduler.STALE_QUEUED + timedelta(seconds=1)
    again = run_tick(uow, outbox, clock)
    assert again == first
    assert [o.result for o in send_all(uow, outbox, clock, again + first)] == ["sent", "skipped"]


@pytest.mark.parametrize(
    "append_to_sent, in_sent, expected",
    [
        (True, True, StepStatus.SENT),  # filed before the crash: it went out
        (False, False, StepStatus.SENT),  # the provider files sent mail: absent means never accepted
        (True, False, StepStatus.UNCERTAIN),  # we file it ourselves: absent proves nothing; never resent
    ],
)
def test_a_step_left_in_sending_is_settled_by_the_sent_folder(uow, tmp_path, outbox, append_to_sent, in_sent, expected):
    queue(
        uow,
        tmp_path,
        count=1,
        mailbox__imap={
            "host": "127.0.0.1",
            "port": closed_port(),
            "security": "none",
            "append_to_sent": append_to_sent,
        },
    )
    clock = Clock(MONDAY_10_UTC)
    [step_id] = run_tick(uow, outbox, clock)
    step = steps(uow)[0]
    step.status, step.claimed_at = StepStatus.SENDING, clock.now  # the worker died here
    uow.commit()
    if in_sent:
        outbox.in_sent_folder.add(step.message_id)
    clock.now += scheduler.STUCK_SENDING + timedelta(seconds=1)
    enqueued = run_tick(uow, outbox, clock)
    send_all(uow, outbox, clock, enqueued)
    assert steps(uow)[0].status is expected
    assert len(outbox.sent) == (1 if not append_to_sent else 0)
    logged = uow.session.scalars(sa.select(Interaction)).all()
    assert len(logged) == (0 if expected is StepStatus.UNCERTAIN else 1)
    [status] = campaign_status(uow.session, "rules")
    assert [a["status"] for a in status.attention] == (["uncertain"] if expected is StepStatus.UNCERTAIN else [])


def test_queuing_again_mails_only_the_partner_added_since(uow, tmp_path, outbox):
    queue(uow, tmp_path, count=2)
    clock = Clock(MONDAY_10_UTC)
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    assert len(outbox.sent) == 2
    again = load_campaign(
        write_campaign(
            tmp_path,
            campaign_settings(
                "rules",
                closed_port(),
                closed_port(),
                [
                    {
                        "name": f"Partner {i}",
                        "partnership_types": ["training"],
                        "contacts": [{"name": f"Person {i}", "email": f"person{i}@partner{i}.test"}],
                    }
                    for i in range(3)
                ],
            ),
        )
    )
    summary = campaigns.queue(uow.session, again, Renderer(), clock.now)
    uow.commit()
    assert (summary.scheduled, summary.already_queued) == (1, 2)
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    assert [m["To"].addresses[0].addr_spec for m in outbox.sent] == [
        "person0@partner0.test",
        "person1@partner1.test",
        "person2@partner2.test",
    ]


def test_plus_addressing_gives_each_message_its_own_reply_address(uow, tmp_path, outbox):
    queue(uow, tmp_path, count=2, mailbox__plus_addressing=True)
    clock = Clock(MONDAY_10_UTC)
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    tokens = [s.reply_token for s in steps(uow)]
    assert all(t and len(t) == 12 for t in tokens) and len(set(tokens)) == 2
    assert [m["Reply-To"] for m in outbox.sent] == [f"vet+{t}@school.test" for t in tokens]
