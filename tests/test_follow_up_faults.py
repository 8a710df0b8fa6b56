"""Fault test with real Redis and PostgreSQL and two worker processes: while 300 follow-ups
fall due, one worker is SIGKILLed twice and Redis is emptied once; in the end every due step
was sent exactly once, counted in Dovecot."""

import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa

from outreach.db.models import Step
from outreach.db.types import utcnow
from outreach.domain.vocabulary import StepStatus
from tests.support.campaigns import PASSWORD_ENV, campaign_settings, write_campaign
from tests.support.dovecot import PASSWORD
from tests.support.mailboxes import new_address, wait_for
from tests.support.services import REDIS_TEST_URL
from tests.test_crash_recovery import SENDER, count_received, gmail_like_relay, start_worker  # noqa: F401
from worker.app import App

PARTNERS = 300


def sent(engine, name: str) -> int:
    with engine.connect() as connection:
        return connection.scalar(
            sa.select(sa.func.count()).select_from(Step).where(Step.name == name, Step.status == StepStatus.SENT)
        )


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_killed_workers_and_an_emptied_redis_lose_and_repeat_nothing(
    cli, database_url, engine, tmp_path, dovecot, gmail_like_relay, monkeypatch
):
    broker = redis.Redis.from_url(REDIS_TEST_URL)
    broker.ping()
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    addresses = [new_address("faults.test") for _ in range(PARTNERS)]
    partners = [
        {"name": f"Betrieb {i}", "partnership_types": ["training"], "contacts": [{"name": f"Person {i}", "email": a}]}
        for i, a in enumerate(addresses)
    ]
    settings = campaign_settings(
        "faults",
        gmail_like_relay.port,
        dovecot.imap_port,
        partners,
        sender=SENDER,
        sequence=[{"name": "follow-up-1", "after_business_days": 3, "template": "follow_up"}],
    )
    settings["mailbox"]["imap"]["append_to_sent"] = False
    settings["message"] = {"attach_one_pager": False}
    assert cli("campaign", "queue", write_campaign(tmp_path, settings)).code == 0
    log = tmp_path / "workers.log"
    app = App(database_url=database_url, redis_url=REDIS_TEST_URL)
    app.broker.flush_all()
    workers = [start_worker(database_url, log), start_worker(database_url, log)]
    try:
        app.tick()
        wait_for(lambda: sent(engine, "first_contact") == PARTNERS, timeout=120, what="the first contacts")
        with engine.begin() as connection:  # three business days later: the follow-ups fall due
            connection.execute(sa.update(Step).where(Step.name == "follow-up-1").values(due_at=utcnow()))
        accepted = len(gmail_like_relay.handler.accepted)
        app.tick()
        events = []
        for threshold, fault in ((60, "kill"), (120, "kill"), (200, "flush")):
            wait_for(
                lambda: len(gmail_like_relay.handler.accepted) - accepted >= threshold,
                timeout=120,
                what=f"{threshold} follow-ups before the {fault}",
            )
            if fault == "kill":
                workers[0].send_signal(signal.SIGKILL)
                workers[0].wait()
                workers[0] = start_worker(database_url, log)
            else:
                broker.flushdb()  # every queued message gone (the test database of the shared Redis)
            events.append((fault, sent(engine, "follow-up-1")))
        time.sleep(2)
        later = App(database_url=database_url, redis_url=REDIS_TEST_URL, now=lambda: utcnow() + timedelta(minutes=15))
        recovery = later.tick()
        later.close()
        wait_for(
            lambda: sent(engine, "follow-up-1") == PARTNERS,
            timeout=180,
            what=f"every follow-up sent (now {sent(engine, 'follow-up-1')})",
        )
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
        app.close()
    print(
        f"\nfaults during the follow-ups (sent so far): {events}; recovery: {len(recovery.requeued)} sent again, "
        f"{recovery.recovered_sent} found in Sent, {recovery.uncertain} uncertain"
    )
    received = count_received(dovecot, addresses)
    assert Counter(received.values()) == Counter({2: PARTNERS})  # first contact + follow-up, once each
    assert len(gmail_like_relay.handler.accepted) == 2 * PARTNERS
