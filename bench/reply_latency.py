"""Time from a reply's delivery (LMTP into Dovecot) to its interaction in the logbook, with
the watcher in IDLE mode: median and worst over 50 replies (goal: a median under 1 s).

    python bench/reply_latency.py [--replies 50] [--database URL]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

import sqlalchemy as sa
from mail_fixture import SENDER, mail, sent_campaign, start_dovecot

from outreach.db.models import Interaction
from outreach.domain.vocabulary import Direction
from worker.app import App
from worker.processes import start_watchers, start_worker


def logged(app: App) -> int:
    with app.engine.connect() as connection:
        return connection.scalar(
            sa.select(sa.func.count()).select_from(Interaction).where(Interaction.direction == Direction.IN)
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replies", type=int, default=50)
    parser.add_argument("--database")
    args = parser.parse_args()
    dovecot = start_dovecot()
    stop = threading.Event()
    try:
        url, steps, folder = sent_campaign(args.database, args.replies, dovecot.imap_port)
        app = App(database_url=url, data_dir=folder)
        worker = start_worker(app, threads=1)
        [watcher] = start_watchers(app, stop)
        time.sleep(2)  # first sync done, IDLE entered
        latencies = []
        for number, (email, message_id) in enumerate(steps, start=1):
            raw = mail(email, "Re: Proposal for potential collaboration", "Yes, interested.", message_id)
            started = time.perf_counter()
            dovecot.deliver(SENDER, raw)
            while logged(app) < number:
                if time.perf_counter() - started > 30:
                    raise SystemExit(f"reply {number} was not logged within 30 s")
                time.sleep(0.005)
            latencies.append(time.perf_counter() - started)
        stop.set()
        watcher.join(40)
        worker.stop()
        app.close()
        median = statistics.median(latencies)
        print(f"replies:  {len(latencies)}, one at a time, watcher in IDLE, {app.engine.dialect.name}")
        print(
            f"latency:  median {median * 1000:.0f} ms, worst {max(latencies) * 1000:.0f} ms, "
            f"best {min(latencies) * 1000:.0f} ms (goal: median under 1 s)"
        )
        return 0 if median < 1 else 1
    finally:
        stop.set()
        dovecot.cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
