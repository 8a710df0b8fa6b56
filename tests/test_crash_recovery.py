"""Crash test with real parts: the worker process is SIGKILLed in the middle of a
200-partner campaign and started again; every partner then has exactly one message.

The mailbox is set up as Gmail and Microsoft 365 work: the provider files each accepted
message in Sent itself (append_to_sent: false), so a step left in `sending` by the crash is
settled by its Message-ID in Sent: there means it went out, absent means it was never
accepted and may be sent.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from imapclient import IMAPClient

from outreach.db.models import Step
from outreach.db.types import utcnow
from outreach.domain.vocabulary import StepStatus
from tests.support.campaigns import PASSWORD_ENV, campaign_settings, write_campaign
from tests.support.dovecot import PASSWORD
from tests.support.mailboxes import new_address, wait_for
from tests.support.services import REDIS_TEST_URL
from tests.support.smtp_relay import SmtpRelay
from worker.app import App

SENDER = "crash@school.test"
PARTNERS = 200


@pytest.fixture
def gmail_like_relay(dovecot):
    relay = SmtpRelay(dovecot.lmtp_port)
    relay.handler.file_sent_for[SENDER] = (dovecot.imap_port, PASSWORD)
    relay.start()
    yield relay
    relay.stop()


def start_worker(database_url: str, log_path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": REDIS_TEST_URL, PASSWORD_ENV: PASSWORD}
    return subprocess.Popen(
        [sys.executable, "-m", "outreach", "worker", "--threads", "4"],
        env=env,
        stdout=log_path.open("ab"),
        stderr=subprocess.STDOUT,
    )


def count_received(dovecot, addresses) -> Counter:
    counts = Counter()
    for address in addresses:
        with IMAPClient("127.0.0.1", port=dovecot.imap_port, ssl=False) as imap:
            imap.login(address, PASSWORD)
            counts[address] = imap.select_folder("INBOX", readonly=True)[b"EXISTS"]
    return counts


def status_counts(engine) -> Counter:
    with engine.connect() as connection:
        return Counter(dict(connection.execute(sa.select(Step.status, sa.func.count()).group_by(Step.status)).all()))


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # several processes: a server database
def test_a_killed_worker_sends_nothing_twice_and_loses_nothing(
    cli, database_url, engine, tmp_path, dovecot, gmail_like_relay, monkeypatch
):
    import redis

    redis.Redis.from_url(REDIS_TEST_URL).ping()
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    addresses = [new_address("crash.test") for _ in range(PARTNERS)]
    partners = [
        {"name": f"Betrieb {i}", "partnership_types": ["training"], "contacts": [{"name": f"Person {i}", "email": a}]}
        for i, a in enumerate(addresses)
    ]
    settings = campaign_settings("crash", gmail_like_relay.port, dovecot.imap_port, partners, sender=SENDER)
    settings["mailbox"]["imap"]["append_to_sent"] = False
    settings["message"] = {"attach_one_pager": False}
    assert cli("campaign", "queue", write_campaign(tmp_path, settings)).code == 0

    log = tmp_path / "worker.log"
    scheduler = App(database_url=database_url, redis_url=REDIS_TEST_URL)
    scheduler.broker.flush_all()
    worker = start_worker(database_url, log)
    try:
        assert len(scheduler.tick().queued) == PARTNERS
        wait_for(lambda: len(gmail_like_relay.handler.accepted) >= 40, timeout=60, what="40 messages sent")
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        time.sleep(1)
        before = status_counts(engine)
        assert before[StepStatus.SENT] < PARTNERS, "the kill came too late to test anything"

        # Start again; the scheduler's clock is moved past the stuck and stale limits.
        later = App(database_url=database_url, redis_url=REDIS_TEST_URL, now=lambda: utcnow() + timedelta(minutes=15))
        worker = start_worker(database_url, log)
        recovery = later.tick()
        later.close()
        wait_for(
            lambda: status_counts(engine)[StepStatus.SENT] == PARTNERS,
            timeout=120,
            what=f"all steps sent (now {status_counts(engine)})",
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        scheduler.close()
    print(
        f"\nat the kill: {dict(before)}; recovery tick: {len(recovery.requeued)} sent again, "
        f"{recovery.recovered_sent} found in Sent, {recovery.uncertain} uncertain"
    )
    received = count_received(dovecot, addresses)
    assert set(received.values()) == {1}, {a: n for a, n in received.items() if n != 1}
    assert len(gmail_like_relay.handler.accepted) == PARTNERS
