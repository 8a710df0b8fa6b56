"""A mailbox of 10,000 messages, 1% of them replies to our campaign: the time and peak
memory of the watcher's first sync (headers first; only our messages downloaded and stored
raw, then processed), and proof that a second sync with no new mail fetches no message body.
Goals: at most 200 bodies fetched, a first sync under 3 s.

    python bench/inbox_sync.py [--messages 10000] [--database URL]
"""

from __future__ import annotations

import argparse
import resource
import threading
import time

from imapclient import IMAPClient
from mail_fixture import PASSWORD, SENDER, fill_maildir, mail, sent_campaign, start_dovecot

from outreach.campaign import CampaignFile
from outreach.db.engine import UnitOfWork, make_engine
from outreach.db.types import utcnow
from outreach.mail.watcher import MailboxWatcher, Position, WatchPorts
from outreach.services.inbound import inbox, relevance
from tests.support.campaigns import campaign_settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--database")
    args = parser.parse_args()
    replies = args.messages // 100
    dovecot = start_dovecot()
    try:
        url, steps, folder = sent_campaign(args.database, replies, dovecot.imap_port)
        messages = [
            mail(f"news{i}@elsewhere.test", f"Newsletter {i}", "Unrelated mail. " * 40)
            for i in range(args.messages - replies)
        ]
        messages += [
            mail(email, "Re: Proposal for potential collaboration", "We are interested, let us talk.", message_id)
            for email, message_id in steps
        ]
        fill_maildir(dovecot, SENDER, messages)
        engine = make_engine(url)
        found: list[int] = []
        settings = CampaignFile.model_validate(
            campaign_settings(
                "bench", 1, dovecot.imap_port, [{"name": "x", "contacts": [{"email": "x@x.test"}]}], sender=SENDER
            )
        ).mailbox
        ports = WatchPorts(  # a mailbox watched from its start: the sync reads every message
            lambda f, v: Position(0, _last(engine, f, v)),
            lambda f, v, uid: None,
            lambda f, v, batch, through: _store(engine, folder, f, v, batch, through),
            found.append,
            lambda folder, headers: _relevant(engine, headers),
        )
        watcher = MailboxWatcher(settings, ports, threading.Event())
        with IMAPClient("127.0.0.1", port=dovecot.imap_port, ssl=False) as client:
            client.login(SENDER, PASSWORD)
            fetched = []
            original = client.fetch
            client.fetch = lambda uids, items: (
                fetched.extend(uids) if "BODY.PEEK[]" in items else None,
                original(uids, items),
            )[1]
            rss_before = _peak_rss_mib()
            started = time.perf_counter()
            stored = watcher.sync(client)
            sync_seconds = time.perf_counter() - started
            rss_after = _peak_rss_mib()
            started = time.perf_counter()
            results = []
            for inbound_id in found:
                with UnitOfWork(engine) as uow:
                    results.append(inbox.process(uow, inbound_id, utcnow()))
            process_seconds = time.perf_counter() - started
            bodies_first = len(fetched)
            fetched.clear()
            second = watcher.sync(client)
        logged = sum(1 for r in results if r.status == "processed")
        print(f"mailbox:      {args.messages} messages, {replies} of them replies to the campaign")
        print(
            f"first sync:   {sync_seconds:6.2f} s to read {args.messages} headers and store {stored} messages raw "
            f"({bodies_first} bodies fetched; goals: under 3 s, at most 200 bodies)"
        )
        print(
            f"processing:   {process_seconds:6.2f} s to classify and match them: {logged} replies logged, "
            f"{sum(1 for r in results if r.status == 'ignored')} unrelated left alone"
        )
        print(
            f"memory:       process peak RSS {rss_before:.0f} MiB before the sync, {rss_after:.0f} MiB after it, "
            f"{_peak_rss_mib():.0f} MiB at the end"
        )
        print(f"second sync:  {second} new messages, {len(fetched)} bodies fetched (goal: 0)")
        return 0 if logged == replies and not fetched and bodies_first <= 200 and sync_seconds < 3 else 1
    finally:
        dovecot.cleanup()


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _last(engine, folder, uidvalidity):
    with UnitOfWork(engine) as uow:
        return inbox.last_uid(uow.session, SENDER, folder, uidvalidity)


def _store(engine, data, folder, uidvalidity, batch, through):
    with UnitOfWork(engine) as uow:
        return inbox.store(uow, data, SENDER, folder, uidvalidity, batch, through, utcnow())


def _relevant(engine, headers):
    with UnitOfWork(engine) as uow:
        return relevance.relevant(uow.session, SENDER, headers)


if __name__ == "__main__":
    raise SystemExit(main())
