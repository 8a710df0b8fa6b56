"""Send the same 1,000 personalised messages (a) through the whole pipeline (queue, render,
claim, SMTP, log) and (b) by a bare smtplib loop on one connection, to the same local SMTP
server, in one run; print both rates and their ratio (goal: the pipeline at 30% of the bare
loop or better). With `mailmerge` installed, the same job through its command as a peer doing
equal work (goal: the pipeline at 1.0x mailmerge or better): a personalised Markdown template,
which mailmerge sends as text and HTML, with the very files our messages attach (the one-pager
as PDF and HTML), to the same server.

    python bench/send_throughput.py                       # embedded: SQLite, in-process broker
    python bench/send_throughput.py --database postgresql://postgres@127.0.0.1/bench_send \\
        --redis redis://127.0.0.1:6379/14 --threads 4
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
import yaml

from outreach.campaign import load_campaign
from outreach.db.engine import make_engine
from outreach.db.migrate import upgrade
from outreach.db.models import Step
from outreach.db.types import utcnow
from outreach.domain.vocabulary import StepStatus
from outreach.inbound import intent
from outreach.messages.envelope import build_message
from outreach.messages.render import draft_all, renderer_for
from outreach.services.outbound import campaigns
from worker.app import App
from worker.processes import start_worker

SENDER = "partnerships@riverside.test"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SINK = """
import sys, time
from aiosmtpd.controller import Controller

class Count:
    def __init__(self):
        self.n = 0
    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        if self.n % 50 == 0:
            print(self.n, flush=True)
        return "250 OK"

    async def handle_RSET(self, server, session, envelope):
        return "250 OK"

controller = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"""


class Sink:
    """A local SMTP server in a process of its own (as a real one would be); counts messages."""

    def __init__(self, port: int):
        self.process = subprocess.Popen(
            [sys.executable, "-c", SINK, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout.readline().strip() == "ready"
        self.total = 0

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until `count` more messages than before have been accepted."""
        target, deadline = self.total + count, time.monotonic() + timeout
        while self.total < target and time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                return False
            self.total = int(line)
        return self.total >= target

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


def campaign_file(folder: Path, port: int, count: int) -> Path:
    languages = [("en", "formal"), ("de", "informal"), ("fr", "formal"), ("de", "formal")]
    partners = [
        {
            "name": f"Ausbildungsbetrieb {i}",
            "partnership_types": ["training", "mobility"],
            "contacts": [
                {
                    "name": f"Person {i}",
                    "email": f"person{i}@firm{i}.test",
                    "language": languages[i % 4][0],
                    "register": languages[i % 4][1],
                }
            ],
        }
        for i in range(count)
    ]
    settings = {
        "name": "bench",
        "partners": partners,
        "institution": {
            "name": "Riverside Vocational College",
            "region": "Hamburg",
            "who_we_are": "A VET provider.",
            "what_we_offer": ["Dual education"],
            "what_we_are_looking_for": ["Host companies"],
            "why_partner_with_us": ["Experience"],
            "contact": {"name": "Jana Weber", "position": "Partnership Officer", "email": SENDER},
        },
        "mailbox": {
            "address": SENDER,
            "display_name": "Jana Weber",
            "smtp": {"host": "127.0.0.1", "port": port, "security": "none"},
            "imap": {"host": "127.0.0.1", "port": 1, "security": "none", "append_to_sent": False},
            "auth": {"username": SENDER, "password_env": "BENCH_PASSWORD"},
        },
        "message": {"attach_one_pager": True},
        "sending": {
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "start": "00:00",
            "end": "23:59",
            "timezone": "UTC",
            "max_per_hour": 10_000,
            "max_per_day": 100_000,
            "seconds_between_messages": 0,
        },
    }
    path = folder / "bench.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return path


def worker_processes(database: str, redis_url: str, count: int, threads: int) -> list[subprocess.Popen]:
    env = {**os.environ, "DATABASE_URL": database, "REDIS_URL": redis_url}
    return [
        subprocess.Popen(
            [sys.executable, "-m", "outreach", "worker", "--threads", str(threads)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def pipeline(
    path: Path, database: str, redis_url: str | None, threads: int, sink: Sink, count: int, processes: int = 0
) -> float:
    campaign = load_campaign(path)
    engine = make_engine(database)
    upgrade(engine)
    engine.dispose()
    app = App(database_url=database, redis_url=redis_url)
    intent.current()  # a worker trains its reply reader once, as it starts: not while the clock runs
    if redis_url:
        app.broker.flush_all()
    started = time.perf_counter()
    with app.uow() as uow:  # queue: upsert partners, schedule the steps
        campaigns.queue(uow.session, campaign, app.renderer(campaign.settings), utcnow())
        uow.commit()
    workers = worker_processes(database, redis_url, processes, threads) if processes else []
    worker = None if processes else start_worker(app, threads)
    app.tick()
    if not sink.wait_for(count, 300):
        raise SystemExit(f"pipeline: only {sink.total} messages arrived")
    while True:  # until every step is logged as sent
        with app.engine.connect() as connection:
            sent = connection.scalar(sa.select(sa.func.count()).select_from(Step).where(Step.status == StepStatus.SENT))
        if sent == count:
            break
        time.sleep(0.005)
    seconds = time.perf_counter() - started
    if worker is not None:
        worker.stop()
    for process in workers:
        process.terminate()
        process.wait(timeout=30)
    app.close()
    return seconds


def bare_loop(path: Path, port: int, sink: Sink, count: int) -> float:
    """The same messages, rendered beforehand, sent by smtplib on one connection."""
    campaign = load_campaign(path)
    renderer = renderer_for(campaign.settings)
    drafts = draft_all(campaign, renderer)
    messages = [
        build_message(campaign.settings, renderer, d.contact, d.rendered, f"<bare{i}@riverside.test>", utcnow())
        for i, d in enumerate(drafts)
    ]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for message, draft in zip(messages, drafts, strict=False):
            smtp.send_message(message, SENDER, [draft.contact.email])
    if not sink.wait_for(count, 60):
        raise SystemExit("bare loop: messages missing")
    return time.perf_counter() - started


MAILMERGE_TEMPLATE = """TO: {{{{email}}}}
FROM: Jana Weber <{sender}>
SUBJECT: Proposal for potential collaboration with {{{{organisation}}}}
CONTENT-TYPE: text/markdown
{attachments}
Dear {{{{name}}}},

I hope this message finds you well. I am writing on behalf of **Riverside Vocational College**, a
provider of vocational education and training in Hamburg.

We are currently seeking partnerships in the field of training and mobility and believe that the
profile of {{{{organisation}}}} aligns well with our objectives.

Would you be available for a short introductory call to explore potential areas of cooperation?

I have attached a one-page introduction to our institution and a collaboration offer for your
reference.

If this is not of interest to you, a short reply ("No, thank you") is enough, and we will not
write again.

Looking forward to your response.

Best regards,

Jana Weber
Partnership Officer
Riverside Vocational College
{sender}
"""


def one_pager_files(path: Path, folder: Path) -> list[Path]:
    """The campaign's attachments (the one-pager as PDF and HTML) as files, for mailmerge to attach:
    the same bytes our messages carry."""
    from outreach.messages.attachments import one_pager, one_pager_pdf

    campaign = load_campaign(path)
    renderer = renderer_for(campaign.settings)
    files = []
    for attachment in (one_pager_pdf(campaign.settings, renderer, "en"), one_pager(campaign.settings, renderer, "en")):
        file = folder / attachment.filename.replace(" ", "_")
        file.write_bytes(attachment.content)
        files.append(file)
    return files


def mailmerge_peer(folder: Path, attachments: list[Path], port: int, sink: Sink, count: int) -> float | None:
    """The same job through mailmerge's own command: a personalised Markdown template (its
    text/plain and text/html parts) with the same attachments, to the same server."""
    if shutil.which("mailmerge") is None:
        return None
    headers = "".join(f"ATTACHMENT: {file.name}\n" for file in attachments)
    (folder / "mailmerge_template.txt").write_text(
        MAILMERGE_TEMPLATE.format(sender=SENDER, attachments=headers), encoding="utf-8"
    )
    with (folder / "mailmerge_database.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "name", "organisation"])
        writer.writerows([f"person{i}@firm{i}.test", f"Person {i}", f"Ausbildungsbetrieb {i}"] for i in range(count))
    (folder / "mailmerge_server.conf").write_text(
        f"[smtp_server]\nhost = 127.0.0.1\nport = {port}\nsecurity = Never\nusername = None\n", encoding="utf-8"
    )
    started = time.perf_counter()
    subprocess.run(["mailmerge", "--no-dry-run", "--no-limit"], cwd=folder, check=True, capture_output=True)
    if not sink.wait_for(count, 120):
        raise SystemExit(f"mailmerge: only {sink.total} messages arrived in all")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--database", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--redis", help="Redis URL (default: the in-process broker)")
    parser.add_argument("--threads", type=int, default=1, help="worker threads (per process)")
    parser.add_argument(
        "--processes",
        type=int,
        default=0,
        help="separate `outreach worker` processes (needs --redis and a server --database)",
    )
    args = parser.parse_args()
    if args.processes and not (args.redis and args.database):
        parser.error("--processes needs --redis and --database (workers in other processes share them)")
    os.environ["BENCH_PASSWORD"] = "unused"  # the local server asks for no login
    folder = Path(tempfile.mkdtemp(prefix="outreach-send-bench-"))
    port = free_port()
    sink = Sink(port)
    path = campaign_file(folder, port, args.messages)
    database = args.database or f"sqlite:///{folder / 'bench.db'}"
    attachments = one_pager_files(path, folder)
    try:
        bare = bare_loop(path, port, sink, args.messages)
        piped = pipeline(path, database, args.redis, args.threads, sink, args.messages, args.processes)
        peer = mailmerge_peer(folder, attachments, port, sink, args.messages)
    finally:
        sink.stop()
    n = args.messages
    workers = (
        f"{args.processes} worker processes x {args.threads} thread(s)"
        if args.processes
        else f"{args.threads} thread(s)"
    )
    where = (
        f"{sa.engine.make_url(database).get_backend_name()}, "
        f"{'Redis' if args.redis else 'in-process broker'}, {workers}"
    )
    sizes = " + ".join(f"{file.suffix[1:].upper()} {file.stat().st_size / 1024:.1f} KB" for file in attachments)
    print(f"messages:      {n} personalised (en/de/fr, formal/informal), text + HTML, one-pager attached ({sizes})")
    print(f"bare smtplib:  {n / bare:8.1f} msg/s  ({bare:.2f} s, one connection, rendered beforehand)")
    print(f"pipeline:      {n / piped:8.1f} msg/s  ({piped:.2f} s: queue, render, claim, SMTP, log; {where})")
    print(f"ratio:         {bare / piped * 100:8.1f} %  of the bare loop (goal: 30 % or better)")
    if peer is None:
        print("mailmerge:     not installed (pip install mailmerge to compare)")
    else:
        print(
            f"mailmerge:     {n / peer:8.1f} msg/s  ({peer:.2f} s, its own command: Markdown to text + HTML, "
            f"the same attachments, a new connection per message)"
        )
        print(f"vs mailmerge:  {peer / piped:8.2f} x  mailmerge's rate, equal work, this run (goal: 1.0 x or better)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
