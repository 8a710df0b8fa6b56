"""The weekly digest: Monday morning in the campaign's timezone, one mail to notify_staff with
the open to-dos, last week's replies and meetings, and what goes out this week; once a week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from outreach.db.models import Interaction, Partner
from outreach.domain.vocabulary import Direction, InteractionKind
from outreach.services.partners.todos import TodoKind, raise_todo
from outreach.services.workspace import digest
from tests.test_sending_rules import FakeOutbox, queue

MONDAY_0730_BRUSSELS = datetime(2027, 3, 1, 6, 30, tzinfo=UTC)  # 07:30 local: too early
MONDAY_0830_BRUSSELS = datetime(2027, 3, 1, 7, 30, tzinfo=UTC)


class Mailboxes:
    def __init__(self):
        self.outbox = FakeOutbox()

    def get(self, mailbox):
        return self.outbox

    def close(self):
        pass


def test_one_digest_on_monday_morning_with_the_weeks_work(uow, tmp_path, database_url, monkeypatch):
    from worker.app import App

    monkeypatch.delenv("REDIS_URL", raising=False)
    queue(
        uow,
        tmp_path,
        count=2,
        now=MONDAY_0730_BRUSSELS - timedelta(days=6),
        notify_staff="team@school.test",
        sending={"timezone": "Europe/Brussels"},
    )
    partner = uow.session.scalar(sa.select(Partner))
    uow.session.add(
        Interaction(
            partner_id=partner.id,
            direction=Direction.IN,
            kind=InteractionKind.EMAIL,
            occurred_at=MONDAY_0730_BRUSSELS - timedelta(days=2),
            subject="Re: Proposal",
        )
    )
    raise_todo(
        uow.session, TodoKind.QUESTION, "Partner 0 asks how long a placement lasts", MONDAY_0730_BRUSSELS, partner.id
    )
    uow.commit()

    assert digest.due(uow.session, MONDAY_0730_BRUSSELS) == []  # before 08:00 there
    assert digest.due(uow.session, MONDAY_0730_BRUSSELS - timedelta(days=1)) == []  # a Sunday
    clock = {"now": MONDAY_0830_BRUSSELS}
    mailboxes = Mailboxes()
    app = App(database_url=database_url, now=lambda: clock["now"], mailboxes=mailboxes, data_dir=tmp_path / "data")
    try:
        app._send_digests()
        [mail] = mailboxes.outbox.sent
        assert mail["To"] == "team@school.test" and mail["Subject"] == "Partnership outreach: the week of 01 March 2027"
        text = mail.get_body(("plain",)).get_content()
        assert "Open to-dos: 1" in text and "question: Partner 0 asks how long a placement lasts" in text
        assert "Replies last week: 1" in text and "Partner 0: Re: Proposal" in text
        assert "Going out this week: 2 messages" in text and "first contact: 2" in text
        clock["now"] += timedelta(hours=3)
        app._send_digests()
        assert len(mailboxes.outbox.sent) == 1  # once a week
        clock["now"] += timedelta(days=7)
        app._send_digests()
        assert len(mailboxes.outbox.sent) == 2
    finally:
        app.close()
