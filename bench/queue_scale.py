"""Queue a campaign of 10,000 contacts as `outreach campaign queue` does, and preview 1,000 beside
mailmerge's dry run; print the figures against the goals.

- queue: a campaign file whose partners file lists 10,000 partners (one contact each, addresses
  on .test), loaded and queued by the call the CLI makes (`load_campaign`, `campaigns.queue`,
  commit), in a process of its own, on SQLite and on PostgreSQL where it is reachable: seconds
  and the process's peak memory (RSS high-water). Goal: under 5 s and 200 MiB.
- preview: `outreach campaign preview FILE --out DIR` on 1,000 of those contacts (one .eml file
  each, the one-pager attached) and `mailmerge --dry-run --no-limit` on the same contacts (a
  Markdown template: text and HTML, the same one-pager files attached), each as its own command
  in the same run. Goal: the preview at least as fast (ratio 1.0 x or better).

    python bench/queue_scale.py
    python bench/queue_scale.py --contacts 10000 --preview 1000 --postgresql postgresql://postgres@127.0.0.1/postgres
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.send_throughput import MAILMERGE_TEMPLATE  # the same letter mailmerge sends there

ROOT = Path(__file__).resolve().parent.parent
SENDER = "partnerships@riverside.test"
DEFAULT_POSTGRESQL = "postgresql://postgres@127.0.0.1:5432/postgres"
LANGUAGES = [("en", "formal"), ("de", "informal"), ("fr", "formal"), ("de", "formal")]
QUEUE_SECONDS, QUEUE_MIB = 5.0, 200.0


def partners_file(path: Path, count: int) -> None:
    """One contact per organisation, as a logbook export writes it."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "organisation",
                "country",
                "partnership_types",
                "focus_area",
                "contact_name",
                "email",
                "language",
                "register",
            ]
        )
        for i in range(count):
            language, register = LANGUAGES[i % len(LANGUAGES)]
            writer.writerow(
                [
                    f"Ausbildungsbetrieb {i}",
                    "DE",
                    "training, mobility",
                    "Ausbildung von Fachkräften" if i % 3 else "",
                    f"Person {i}",
                    f"person{i}@firm{i}.test",
                    language,
                    register,
                ]
            )


def campaign_file(folder: Path, count: int, name: str) -> Path:
    partners_file(folder / f"{name}.csv", count)
    settings = {
        "name": name,
        "partners_file": {"path": f"{name}.csv"},
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
            "smtp": {"host": "127.0.0.1", "port": 2525, "security": "none"},
            "imap": {"host": "127.0.0.1", "port": 1, "security": "none", "append_to_sent": False},
            "auth": {"username": SENDER, "password_env": "BENCH_PASSWORD"},
        },
        "message": {"attach_one_pager": True},
        "sending": {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "18:00", "timezone": "UTC"},
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return path


def queue_in_this_process(file: Path, database: str) -> dict:
    """What `outreach campaign queue FILE` does, timed; the peak RSS of this process."""
    from outreach.campaign import load_campaign
    from outreach.db.engine import UnitOfWork, make_engine
    from outreach.db.migrate import upgrade
    from outreach.db.types import utcnow
    from outreach.messages.render import renderer_for
    from outreach.services.outbound import campaigns

    engine = make_engine(database)
    upgrade(engine)
    started = time.perf_counter()
    campaign = load_campaign(file)
    with UnitOfWork(engine) as uow:
        summary = campaigns.queue(uow.session, campaign, renderer_for(campaign.settings), utcnow())
        uow.commit()
    seconds = time.perf_counter() - started
    engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"seconds": seconds, "mib": peak, "scheduled": summary.scheduled}


def queue_in_child(file: Path, database: str) -> dict:
    command = [sys.executable, __file__, "--child-queue", str(file), "--database", database]
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=bench_env())
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_env() -> dict:
    return {**os.environ, "BENCH_PASSWORD": "unused", "PYTHONPATH": str(ROOT)}


def fresh_postgresql(server: str) -> str | None:
    """A new empty database on the server, or None where no server answers."""
    import sqlalchemy as sa

    from outreach.db.engine import database_url

    name = "bench_queue_scale"
    try:
        admin = sa.create_engine(database_url(server), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
            connection.execute(sa.text(f"CREATE DATABASE {name}"))
        admin.dispose()
    except sa.exc.OperationalError:
        return None
    return sa.engine.make_url(database_url(server)).set(database=name).render_as_string(hide_password=False)


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=bench_env())
    return time.perf_counter() - started


def mailmerge_folder(folder: Path, campaign: Path, count: int) -> Path:
    """mailmerge's three files for the same contacts, attaching the campaign's one-pager files."""
    from outreach.campaign import load_campaign
    from outreach.messages.attachments import one_pager, one_pager_pdf
    from outreach.messages.render import renderer_for

    loaded = load_campaign(campaign)
    renderer = renderer_for(loaded.settings)
    names = []
    for attachment in (one_pager_pdf(loaded.settings, renderer, "en"), one_pager(loaded.settings, renderer, "en")):
        name = attachment.filename.replace(" ", "_")
        (folder / name).write_bytes(attachment.content)
        names.append(name)
    headers = "".join(f"ATTACHMENT: {name}\n" for name in names)
    (folder / "mailmerge_template.txt").write_text(
        MAILMERGE_TEMPLATE.format(sender=SENDER, attachments=headers), encoding="utf-8"
    )
    with (folder / "mailmerge_database.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "name", "organisation"])
        writer.writerows([f"person{i}@firm{i}.test", f"Person {i}", f"Ausbildungsbetrieb {i}"] for i in range(count))
    (folder / "mailmerge_server.conf").write_text(
        "[smtp_server]\nhost = 127.0.0.1\nport = 2525\nsecurity = Never\nusername = None\n", encoding="utf-8"
    )
    return folder


def preview_figures(folder: Path, count: int) -> tuple[float, float | None]:
    (folder / "mailmerge").mkdir(parents=True)
    campaign = campaign_file(folder, count, "preview")
    ours = timed([sys.executable, "-m", "outreach", "campaign", "preview", str(campaign), "--out", "eml"], folder)
    if shutil.which("mailmerge") is None:
        return ours, None
    peer = mailmerge_folder(folder / "mailmerge", campaign, count)
    return ours, timed(["mailmerge", "--dry-run", "--no-limit", "--output-format", "raw"], peer)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--preview", type=int, default=1_000, help="contacts previewed (0: no preview)")
    parser.add_argument("--postgresql", default=DEFAULT_POSTGRESQL, help="a server to make a database on")
    parser.add_argument("--child-queue", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_queue:
        print(json.dumps(queue_in_this_process(args.child_queue, args.database)))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="outreach-queue-bench-"))
    file = campaign_file(folder, args.contacts, "scale")
    databases = [("sqlite", f"sqlite:///{folder / 'bench.db'}")]
    postgresql = fresh_postgresql(args.postgresql) if args.postgresql else None
    if postgresql:
        databases.append(("postgresql", postgresql))
    print(f"queue:     {args.contacts} contacts (one per partner), one-pager attached, as `campaign queue` does")
    for name, url in databases:
        figures = queue_in_child(file, url)
        within = figures["seconds"] < QUEUE_SECONDS and figures["mib"] < QUEUE_MIB
        print(
            f"  {name:<11} {figures['seconds']:6.2f} s  {figures['mib']:6.1f} MiB peak RSS  "
            f"({figures['scheduled']} scheduled; goal < {QUEUE_SECONDS:.0f} s and < {QUEUE_MIB:.0f} MiB: "
            f"{'met' if within else 'NOT met'})"
        )
    if not postgresql:
        print("  postgresql  not reachable: skipped")
    if args.preview:
        ours, peer = preview_figures(folder / "preview", args.preview)
        print(f"preview:   {args.preview} contacts, .eml files with the one-pager, each command in its own process")
        print(f"  outreach campaign preview   {ours:6.2f} s")
        if peer is None:
            print("  mailmerge: not installed (pip install mailmerge to compare)")
        else:
            print(f"  mailmerge --dry-run         {peer:6.2f} s  (Markdown to text + HTML, the same attachments)")
            print(f"  ratio                       {peer / ours:6.2f} x  mailmerge's speed (goal: 1.0 x or better)")
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
