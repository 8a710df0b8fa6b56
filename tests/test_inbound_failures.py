"""A message that cannot be processed is never silent: kept, listed by `inbound failed`,
told to staff once as a to-do, shown by `campaign status`, and processed by `inbound retry`
once the cause is gone. One failure never blocks the next message."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import sqlalchemy as sa

from outreach.campaign import load_campaign
from outreach.db.models import InboundMail, Interaction, Step, Todo
from outreach.db.types import utcnow
from outreach.domain.vocabulary import Direction, StepStatus
from outreach.inbound.message import Fetched
from outreach.rendering import Renderer
from outreach.services.inbound import inbox
from outreach.services.outbound import campaigns
from tests.support.campaigns import campaign_settings, write_campaign
from worker.app import App

MAILBOX = "vet@school.test"


def reply(n: int) -> bytes:
    return (
        f"From: Person <person@firm.test>\r\nTo: {MAILBOX}\r\nSubject: Re: Proposal\r\n"
        f"Message-ID: <r{n}@firm.test>\r\nDate: Tue, 24 Nov 2026 09:15:00 -0000\r\n\r\nYes, interested ({n}).\r\n"
    ).encode()


def test_a_failed_message_is_listed_told_once_and_retried_after_a_fix(database_url, engine, uow, cli, tmp_path):
    partners = [
        {
            "name": "Firm",
            "partnership_types": ["training"],
            "contacts": [{"name": "Pat Person", "email": "person@firm.test"}],
        }
    ]
    campaign = load_campaign(write_campaign(tmp_path, campaign_settings("fail", 1, 1, partners, sender=MAILBOX)))
    campaigns.queue(uow.session, campaign, Renderer(), utcnow())
    [first] = uow.session.scalars(sa.select(Step)).all()
    first.status, first.sent_at = StepStatus.SENT, datetime(2026, 11, 1, tzinfo=UTC)  # before the replies
    uow.commit()
    ids = inbox.store(uow, tmp_path, MAILBOX, "INBOX", 1, [Fetched(1, reply(1)), Fetched(2, reply(2))], 2, utcnow())
    broken = uow.session.get(InboundMail, ids[0])
    kept = tmp_path / "kept.eml"
    shutil.move(broken.raw_path, kept)  # the raw file is briefly gone: processing fails

    app = App(database_url=database_url, data_dir=tmp_path)
    try:
        assert app.process_inbound(ids[0]).status == "failed"
        assert app.process_inbound(ids[1]).status == "processed"  # the next message is not blocked
    finally:
        app.close()

    listed = json.loads(cli("inbound", "failed", "--json").out)
    assert [(row["id"], row["attempts"]) for row in listed] == [(ids[0], 1)] and "FileNotFoundError" in listed[0][
        "error"
    ]
    status = json.loads(cli("campaign", "status", "fail", "--json").out)
    assert status[0]["inbound_failed"][0]["inbound"] == ids[0]
    assert "1 problem" not in cli("todo").err and f"inbound retry {ids[0]}" in cli("todo").out.replace("\n", "")
    assert cli("inbound", "retry", str(ids[0])).code == 1  # still broken: says so, told no twice
    uow.session.expire_all()
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Todo).where(Todo.kind == "failed_inbound")) == 1

    shutil.move(kept, broken.raw_path)  # the cause is gone
    result = cli("inbound", "retry", str(ids[0]))
    assert result.code == 0 and "processed reply" in result.out
    assert json.loads(cli("inbound", "failed", "--json").out) == []
    uow.session.expire_all()
    texts = sorted(i.text for i in uow.session.scalars(sa.select(Interaction)) if i.direction is Direction.IN)
    assert texts == ["Yes, interested (1).", "Yes, interested (2)."]  # each reply logged once, none lost
    assert cli("inbound", "retry").code == 2  # nothing named: a clear error


def test_raw_mail_is_kept_for_the_retention_then_removed(engine, uow, tmp_path):
    from datetime import timedelta

    old, new = utcnow() - timedelta(days=400), utcnow()
    ids = inbox.store(
        uow, tmp_path, MAILBOX, "INBOX", 1, [Fetched(1, reply(1), old), Fetched(2, reply(2), new)], 2, utcnow()
    )
    rows = [uow.session.get(InboundMail, i) for i in ids]
    paths = [row.raw_path for row in rows]
    assert all(path.startswith("/") for path in paths)  # absolute: `forget` works from any folder
    assert inbox.prune_raw(uow, utcnow(), timedelta(days=365)) == 1
    import os

    assert not os.path.exists(paths[0]) and os.path.exists(paths[1])
    assert oct(os.stat(paths[1]).st_mode & 0o777) == "0o600"


def test_a_watcher_failing_for_more_than_ten_minutes_shows_in_campaign_status(engine, uow, cli, tmp_path):
    from datetime import timedelta

    from outreach.services.inbound import relevance

    partners = [
        {"name": "Firm", "partnership_types": ["training"], "contacts": [{"name": "Pat", "email": "p@firm.test"}]}
    ]
    campaign = load_campaign(write_campaign(tmp_path, campaign_settings("health", 1, 1, partners, sender=MAILBOX)))
    campaigns.queue(uow.session, campaign, Renderer(), utcnow())
    uow.commit()
    relevance.record_health(uow, MAILBOX, "LoginError: refused", utcnow() - timedelta(minutes=4))
    assert json.loads(cli("campaign", "status", "health", "--json").out)[0]["watcher_failing"] is None
    from outreach.db.models import WatcherHealth

    uow.session.scalar(sa.select(WatcherHealth)).failing_since = utcnow() - timedelta(minutes=11)
    uow.commit()
    shown = json.loads(cli("campaign", "status", "health", "--json").out)[0]["watcher_failing"]
    assert "LoginError" in shown["error"]
    assert "has failed since" in cli("campaign", "status", "health").out
    relevance.record_health(uow, MAILBOX, None, utcnow())  # a good sync clears it
    assert json.loads(cli("campaign", "status", "health", "--json").out)[0]["watcher_failing"] is None
