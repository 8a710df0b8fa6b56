"""The workspace's pages at scale, in PostgreSQL: at each size, N partners with 2N contacts,
10N interactions (mail, notes, out-of-office answers, results), a sent first contact and a
scheduled follow-up each, check-ins of the partnerships, phase history, KPIs, meetings with
answers and 500 open to-dos. The server time of Today, Pipeline (whole, filtered, a later
page of one column), the busiest Partner and Reports, measured in process through the whole
application (routing, session, queries, rendering), with each page's size.

Goals: every page's p95 under 150 ms at 50,000 partners; from 2,000 to 20,000 partners no
page more than 3x slower (the ratio of the medians).

    python bench/web_pages.py [--sizes 2000 20000 50000] [--requests 40]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from outreach.db import outcomes
from outreach.db.models import Interaction
from outreach.services.accounts import users
from outreach.services.accounts.users import Role
from tests.support.campaigns import campaign_settings
from tests.support.databases import PostgresDatabases

GOAL_MS = 150
GOAL_RATIO = 3.0
PER_PARTNER = 10  # interactions

# One statement each, bound :n (partners) and :interactions; random() after setseed, so each run
# fills the same data. Enum columns hold the members' values.
FILL = [
    "SELECT setseed(0.3)",
    """INSERT INTO partners (id, name, name_key, country, source, partnership_types, tags, phase, status,
        influence, interest, created_at, updated_at)
    SELECT i, 'Partner ' || i || ' GmbH', 'partner ' || i || ' gmbh',
        (ARRAY['DE','FR','PL','ES','IT'])[1 + (i % 5)],
        (ARRAY['chamber','employer','ngo','alumni','epale'])[1 + floor(random() * 5)::int],
        (ARRAY['["training","mobility"]','["mobility","funding"]','["training","funding"]'])
            [1 + floor(random() * 3)::int]::json,
        CASE WHEN i % 3 = 0 THEN '[]' ELSE '["sme"]' END::json,
        (ARRAY['scouting','first_contact','proposal','collaboration_setup','maintenance'])
            [1 + floor(random() * 5)::int],
        CASE WHEN i % 17 = 0 THEN 'declined' WHEN i % 23 = 0 THEN 'paused' ELSE 'active' END,
        CASE WHEN i % 4 = 0 THEN 1 + i % 5 END, CASE WHEN i % 4 = 0 THEN 1 + (i / 5) % 5 END,
        now() at time zone 'utc' - random() * interval '400 days', now() at time zone 'utc'
    FROM generate_series(1, :n) i""",
    """INSERT INTO contacts (id, partner_id, name, email, status, created_at)
    SELECT i, (i + 1) / 2, 'Person ' || i, 'p' || i || '@partner.test', 'active', now() at time zone 'utc'
    FROM generate_series(1, 2 * :n) i""",
    """INSERT INTO interactions (partner_id, contact_id, direction, kind, occurred_at, subject, message_id,
        text, returns_on, history)
    SELECT p, 2 * p - 1, (ARRAY['out','in','internal','in'])[k], (ARRAY['email','email','note','auto_reply'])[k],
        now() at time zone 'utc' - random() * interval '140 days',
        CASE WHEN k = 3 AND j % 7 = 0 THEN 'result' ELSE 'Message ' || j END, '<m' || j || '@bench.test>',
        repeat('Thank you for your message. ', 8),
        CASE WHEN k = 4 AND j % 50 = 0 THEN current_date + (j % 9) - 1 END, false
    FROM (SELECT j, 1 + floor(random() * :n)::int AS p, 1 + floor(random() * 4)::int AS k
          FROM generate_series(1, :interactions) j) r""",
    """INSERT INTO steps (campaign_id, partner_id, contact_id, name, template, status, due_at, sent_at,
        message_id, attempts, created_at)
    SELECT 1, i, 2 * i - 1, 'first_contact', 'first_contact', 'sent',
        now() at time zone 'utc' - interval '150 days', now() at time zone 'utc' - interval '150 days',
        '<f' || i || '@bench.test>', 1, now() at time zone 'utc'
    FROM generate_series(1, :n) i""",
    """INSERT INTO steps (campaign_id, partner_id, contact_id, name, template, status, due_at, message_id,
        attempts, created_at)
    SELECT 1, p.id, 2 * p.id - 1, CASE WHEN p.phase = 'maintenance' THEN 'check-in-1' ELSE 'follow-up-1' END,
        CASE WHEN p.phase = 'maintenance' THEN 'check_in' ELSE 'follow_up' END, 'scheduled',
        now() at time zone 'utc' + random() * interval '30 days', '<s' || p.id || '@bench.test>', 0,
        now() at time zone 'utc'
    FROM partners p""",
    """INSERT INTO phase_changes (partner_id, from_phase, to_phase, at, reason, by)
    SELECT id, 'scouting', phase, now() at time zone 'utc' - random() * interval '100 days', 'bench', 'bench'
    FROM partners WHERE phase <> 'scouting'""",
    """INSERT INTO kpis (partner_id, name, target, unit, current, updated_at, updated_by)
    SELECT p.id, k.name, 10, 'learners', CASE WHEN p.id % 3 > 0 THEN (p.id % 15) END,
        now() at time zone 'utc', 'bench'
    FROM partners p CROSS JOIN (VALUES ('Learners on placement'), ('Joint projects')) k(name)
    WHERE p.phase IN ('collaboration_setup', 'maintenance')""",
    """INSERT INTO meetings (id, partner_id, campaign_id, uid, sequence, start_at, end_at, timezone, status,
        created_at, kind)
    SELECT row_number() OVER (ORDER BY id), id, 1, 'bench-' || id, 0,
        now() at time zone 'utc' + (id % 40 - 20) * interval '1 day',
        now() at time zone 'utc' + (id % 40 - 20) * interval '1 day' + interval '1 hour', 'Europe/Berlin',
        'invited', now() at time zone 'utc' - (id % 80) * interval '1 day', 'exploration'
    FROM partners WHERE phase <> 'scouting' AND id % 10 = 0""",
    """INSERT INTO meeting_attendees (meeting_id, contact_id, email, name, partstat, answered_at)
    SELECT m.id, 2 * m.partner_id - 1, 'p' || (2 * m.partner_id - 1) || '@partner.test', 'Person',
        CASE WHEN m.id % 3 = 0 THEN 'DECLINED' ELSE 'ACCEPTED' END,
        now() at time zone 'utc' - (m.id % 60) * interval '1 day'
    FROM meetings m""",
    """INSERT INTO todos (kind, partner_id, text, created_at, open_key)
    SELECT 'question', 1 + floor(random() * :n)::int, 'Answer question ' || i,
        now() at time zone 'utc' - i * interval '1 hour', 'question:' || i
    FROM generate_series(1, 500) i""",
    # what the logbook keeps as interactions are written
    """UPDATE partners SET last_activity_at = last.at
    FROM (SELECT partner_id, max(occurred_at) AS at FROM interactions GROUP BY partner_id) last
    WHERE last.partner_id = partners.id""",
    "SELECT setval(pg_get_serial_sequence('meetings', 'id'), (SELECT coalesce(max(id), 1) FROM meetings))",
]


def fill(engine: sa.Engine, partners: int) -> None:
    with engine.begin() as db:
        settings = campaign_settings("bench", 25, 143, [{"name": "x", "contacts": [{"email": "x@x.test"}]}])
        db.execute(
            sa.text(
                "INSERT INTO campaigns (id, name, mailbox, settings, created_at, updated_at) VALUES "
                "(1, 'bench', 'vet@school.test', :settings, now() at time zone 'utc', now() at time zone 'utc')"
            ).bindparams(sa.bindparam("settings", type_=sa.JSON)),
            {"settings": settings},
        )
        for statement in FILL:
            db.execute(sa.text(statement), {"n": partners, "interactions": PER_PARTNER * partners})
        outcomes.rebuild_all(db)  # what the logbook keeps as it is written: the funnel's facts
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
        db.execute(sa.text("VACUUM ANALYZE"))  # as autovacuum leaves a settled database


@dataclass(frozen=True)
class Measured:
    page: str
    p50: float
    p95: float
    kilobytes: float


def measure(client, name: str, path: str, requests: int) -> Measured:
    size = len(client.get(path).content)  # warm
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    times.sort()
    return Measured(name, statistics.median(times), times[int(0.95 * (len(times) - 1))], size / 1024)


def pages(busiest: int) -> list[tuple[str, str]]:
    return [
        ("Today", "/"),
        ("Pipeline", "/pipeline"),
        ("Pipeline, filtered", "/pipeline?country=DE&tag=sme"),
        ("Pipeline, page 20 of a column", "/pipeline?phase=proposal&page=20"),
        ("Partner (the busiest)", f"/partners/{busiest}"),
        ("Reports", "/reports"),
    ]


def run_size(partners: int, requests: int) -> list[Measured]:
    from starlette.testclient import TestClient

    from outreach.db.engine import make_engine
    from outreach.db.migrate import upgrade
    from outreach.db.types import utcnow
    from outreach.web.app import create_app
    from worker.app import App

    databases = PostgresDatabases()
    url = databases.create()
    try:
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
            app = App(database_url=url, data_dir=Path(folder), broker=None)
            started = time.perf_counter()
            fill(app.engine, partners)
            print(
                f"\n{partners:,} partners: {2 * partners:,} contacts, {PER_PARTNER * partners:,} interactions, "
                f"{2 * partners:,} messages; filled in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
            with app.uow() as uow:
                users.add(uow.session, "bench@school.test", Role.VIEWER, "a long pass phrase", utcnow())
                uow.commit()
            client = TestClient(create_app(app, secret="bench"))
            csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
            client.post("/login", data={"email": "bench@school.test", "password": "a long pass phrase", "csrf": csrf})
            with app.engine.connect() as db:
                busiest = db.execute(
                    sa.select(Interaction.partner_id)
                    .group_by(Interaction.partner_id)
                    .order_by(sa.func.count().desc())
                    .limit(1)
                ).scalar_one()
            results = []
            for name, path in pages(busiest):
                result = measure(client, name, path, requests)
                results.append(result)
                print(
                    f"  {name:32s} p50 {result.p50:7.1f} ms   p95 {result.p95:7.1f} ms   "
                    f"{result.kilobytes:6.1f} KB   {'ok' if result.p95 < GOAL_MS else 'OVER 150 ms'}",
                    flush=True,
                )
            app.close()
            return results
    finally:
        databases.drop_all()


def ratios(small: list[Measured], large: list[Measured], sizes: tuple[int, int]) -> bool:
    print(f"\nfrom {sizes[0]:,} to {sizes[1]:,} partners (median over median, goal at most {GOAL_RATIO:g}x):")
    met = True
    for before, after in zip(small, large, strict=True):
        ratio = after.p50 / before.p50
        met &= ratio <= GOAL_RATIO
        print(f"  {before.page:32s} {ratio:5.2f}x   {'ok' if ratio <= GOAL_RATIO else 'OVER 3x'}")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 20_000, 50_000])
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    measured = {size: run_size(size, args.requests) for size in args.sizes}
    met = all(m.p95 < GOAL_MS for m in measured[max(args.sizes)])
    if 2_000 in measured and 20_000 in measured:
        met &= ratios(measured[2_000], measured[20_000], (2_000, 20_000))
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
