"""The scheduler keeps up (issue 25, part 2): N personalised messages already queued as steps in
PostgreSQL, sent by the real processes (`outreach scheduler --interval 30` and 1, 2 and 4
`outreach worker` processes over Redis) to a local SMTP server, beside a bare smtplib loop
sending the same messages (rendered beforehand, one connection) in the same run.

More messages than one scheduler batch (1,000) are due, so a scheduler that waited its interval
between batches would show it. Each configuration starts from a fresh database and an empty
Redis. The clock runs from the moment the scheduler is up (it logs so just before its first
tick; the workers are up and listening) until every step is logged as sent: the processes' own
start (Python and its imports, about a second each) is outside it, for the scheduler as for the
workers. Goal: two worker processes at >= 50 % of bare smtplib.

    python bench/worker_scaling.py [--messages 3000] [--processes 1 2 4] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis
import sqlalchemy as sa

from bench.send_throughput import Sink, bare_loop, campaign_file, free_port
from outreach.campaign import load_campaign
from outreach.db.engine import UnitOfWork, make_engine
from outreach.db.migrate import upgrade
from outreach.db.models import Step
from outreach.db.types import utcnow
from outreach.domain.vocabulary import StepStatus
from outreach.inbound import intent
from outreach.messages.render import renderer_for
from outreach.services.outbound import campaigns
from tests.support.databases import PostgresDatabases

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
GOAL = 0.5  # of bare smtplib, with two worker processes


def queued_database(databases: PostgresDatabases, path: Path) -> str:
    """A fresh database with every message scheduled as a due first-contact step."""
    url = databases.create()
    engine = make_engine(url)
    upgrade(engine)
    campaign = load_campaign(path)
    with UnitOfWork(engine) as uow:
        campaigns.queue(uow.session, campaign, renderer_for(campaign.settings), utcnow())
        uow.commit()
    engine.dispose()
    return url


def started(command: list[str], env: dict[str, str], ready: str) -> subprocess.Popen:
    """A process of ours, once it has logged that it is ready."""
    process = subprocess.Popen(
        [sys.executable, "-m", "outreach", *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if ready in line:  # from now on its log is read and dropped (a full pipe would stop it)
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return process
    raise SystemExit(f"{' '.join(command)} stopped before it was ready (exit {process.wait()})")


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=60)


def sent(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(sa.select(sa.func.count()).select_from(Step).where(Step.status == StepStatus.SENT))
    engine.dispose()
    return count or 0


def pipeline(
    databases: PostgresDatabases, path: Path, sink: Sink, count: int, processes: int, threads: int | None
) -> float:
    url = queued_database(databases, path)
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "OUTREACH_DATA": str(path.parent / "data")}
    options = ["--threads", str(threads)] if threads else []  # else the worker's own default
    workers = [started(["worker", *options], env, "worker:") for _ in range(processes)]
    scheduler = started(["scheduler", "--interval", "30"], env, "scheduler: a tick every")
    begin = time.perf_counter()
    try:
        if not sink.wait_for(count, 600):
            raise SystemExit(f"{processes} worker(s): only {sink.total} messages arrived")
        while sent(url) < count:  # every step logged as sent (the last commits follow the SMTP reply)
            time.sleep(0.02)
        return time.perf_counter() - begin
    finally:
        stop([scheduler, *workers])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument(
        "--threads", type=int, default=None, help="threads per worker process (default: the worker's own)"
    )
    args = parser.parse_args()
    os.environ["BENCH_PASSWORD"] = "unused"  # the local server asks for no login
    folder = Path(tempfile.mkdtemp(prefix="outreach-scale-bench-"))
    port = free_port()
    sink = Sink(port)
    path = campaign_file(folder, port, args.messages)
    # A worker trains its reply reader as it starts, in the background, unless it finds it kept in
    # its data folder: trained once here, so no worker trains it while the clock runs.
    (folder / "data" / "reply-model").mkdir(parents=True)
    intent.train(cache=folder / "data" / "reply-model")
    databases = PostgresDatabases()
    databases.check()
    n, rates = args.messages, {}
    try:
        bare = n / bare_loop(path, port, sink, n)
        for processes in args.processes:
            rates[processes] = n / pipeline(databases, path, sink, n, processes, args.threads)
    finally:
        sink.stop()
        databases.drop_all()
    print(f"messages:       {n} personalised (en/de/fr, formal/informal), one-pager attached; PostgreSQL, Redis")
    print(f"bare smtplib:   {bare:8.1f} msg/s  (one connection, rendered beforehand)")
    threads = f"{args.threads} threads" if args.threads else "default threads"
    for processes, rate in rates.items():
        print(
            f"{processes} worker process{'es' if processes > 1 else '  '}, {threads}: "
            f"{rate:8.1f} msg/s  {rate / bare * 100:5.1f} % of bare smtplib"
        )
    if 2 in rates:
        verdict = "met" if rates[2] / bare >= GOAL else "missed"
        print(f"goal:           two processes at >= {GOAL:.0%} of bare smtplib: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
