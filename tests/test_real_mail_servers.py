"""End to end on real mail servers: the campaign goes out through Postfix; Dovecot's LMTP
refuses an unknown user and a full mailbox, a filtering hop refuses content with 5.7.1,
Postfix writes the delivery status notifications itself, and Pigeonhole Sieve's `vacation`
answers for a partner who is away. The watcher reads what came back and acts on each by
its reason."""

from __future__ import annotations

import threading
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from outreach.db.models import Contact, InboundMail, Interaction, Step, Todo
from outreach.domain.vocabulary import ContactStatus, InteractionKind, StepStatus
from tests.support.campaigns import PASSWORD_ENV, campaign_settings, write_campaign
from tests.support.mailboxes import wait_for
from tests.support.mailworld import PASSWORD, MailWorld
from worker.app import App
from worker.processes import start_watchers, start_worker

pytestmark = pytest.mark.integration


@pytest.fixture
def world():
    tag = uuid.uuid4().hex[:6]
    partner_domain = f"partner-{tag}.test"
    world = MailWorld(["school.test", partner_domain])
    world.tag, world.partner_domain = tag, partner_domain
    yield world
    world.cleanup()


def test_real_bounces_and_a_sieve_vacation_reply_are_acted_on_by_reason(
    world, database_url, cli, uow, tmp_path, monkeypatch
):
    domain = world.partner_domain
    back = date.today() + timedelta(days=21)
    people = {
        "fine": f"fine@{domain}",
        "gone": f"gone@{domain}",
        "full": f"full@{domain}",
        "strict": f"strict@{domain}",
        "away": f"away@{domain}",
    }
    school = f"vet-{world.tag}@school.test"
    world.add_user(school)
    world.add_user(people["fine"])
    world.add_user(people["full"], quota="1K")
    world.refuse(people["strict"], "550 5.7.1 Message content rejected: it looks like unsolicited bulk mail")
    world.add_user(
        people["away"],
        sieve=(
            'require ["vacation"];\n'
            f'vacation :days 1 :addresses ["{people["away"]}"] "I am out of the office until {back:%d %B %Y}. '
            'Kind regards";\n'
        ),
    )
    world.start()
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    partners = [
        {
            "name": f"Partner {key}",
            "partnership_types": ["training"],
            "contacts": [{"name": key.title(), "email": address}],
        }
        for key, address in people.items()
    ]
    settings = campaign_settings(
        f"real-{world.tag}",
        world.smtp_port,
        world.imap_port,
        partners,
        sender=school,
        sequence=[{"name": "follow-up-1", "after_business_days": 5}],
    )
    settings["message"] = {"attach_one_pager": False}
    assert cli("campaign", "queue", write_campaign(tmp_path, settings)).code == 0

    app = App(database_url=database_url, data_dir=tmp_path / "data")
    worker = start_worker(app, threads=1)
    stop = threading.Event()
    try:
        app.tick()
        sent = lambda: uow.session.scalar(
            sa.select(sa.func.count()).select_from(Step).where(Step.status == StepStatus.SENT)
        )
        wait_for(lambda: (uow.session.expire_all(), sent())[1] == 5, timeout=30, what="five first contacts sent")
        start_watchers(app, stop, idle_check_seconds=1)

        def settled():
            uow.session.expire_all()
            return (
                uow.session.scalar(
                    sa.select(sa.func.count()).select_from(InboundMail).where(InboundMail.status == "processed")
                )
                == 4
            )

        wait_for(settled, timeout=60, what=f"three bounces and one vacation reply processed\n{world.log()[-3000:]}")
    finally:
        stop.set()
        worker.stop()
        app.close()

    contact = {
        key: uow.session.scalar(sa.select(Contact).where(Contact.email == address)) for key, address in people.items()
    }
    steps = {
        key: {s.name: s for s in uow.session.scalars(sa.select(Step).where(Step.contact_id == c.id))}
        for key, c in contact.items()
    }
    reasons = dict(
        uow.session.execute(
            sa.select(Interaction.contact_id, Interaction.text).where(Interaction.kind == InteractionKind.BOUNCE)
        ).all()
    )

    # 550 5.1.1 from Dovecot's LMTP: the address is gone
    assert contact["gone"].status is ContactStatus.UNREACHABLE
    assert reasons[contact["gone"].id].startswith("user_unknown")
    assert steps["gone"]["follow-up-1"].status is StepStatus.CANCELLED
    # 552 5.2.2: mailbox full, the same message again in three days; the contact stays
    assert contact["full"].status is ContactStatus.ACTIVE and reasons[contact["full"].id].startswith("mailbox_full")
    again = [s for s in steps["full"].values() if s.retry_of is not None]
    assert len(again) == 1 and again[0].status is StepStatus.SCHEDULED and again[0].template == "first_contact"
    # 550 5.7.1 content rejection: active, mail held, a staff to-do saying what the server objected to
    assert contact["strict"].status is ContactStatus.ACTIVE
    assert reasons[contact["strict"].id].startswith("spam_or_content")
    assert steps["strict"]["follow-up-1"].status is StepStatus.HELD
    [todo] = uow.session.scalars(sa.select(Todo).where(Todo.kind == "rejected")).all()
    assert "unsolicited bulk mail" in todo.text and people["strict"] in todo.text
    # Sieve vacation: paused until the return date read from its text
    auto = uow.session.scalar(sa.select(Interaction).where(Interaction.kind == InteractionKind.AUTO_REPLY))
    assert auto.contact_id == contact["away"].id and back.isoformat() in auto.text
    assert steps["away"]["follow-up-1"].due_at.date() >= back
    assert steps["away"]["follow-up-1"].status is StepStatus.SCHEDULED
    # the partner who got the mail is untouched
    assert contact["fine"].status is ContactStatus.ACTIVE
    assert steps["fine"]["follow-up-1"].status is StepStatus.SCHEDULED
