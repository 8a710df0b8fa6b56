"""The workspace's pages at scale: 10,000 partners, 20,000 contacts and 100,000 interactions
in PostgreSQL (plus 10,000 scheduled messages and 500 open to-dos); the server time of the
Today, Pipeline and Partner pages, measured in process through the whole application
(routing, session, queries, rendering). Goal: p95 under 150 ms on this machine.

    python bench/web_pages.py [--partners 10000] [--requests 40]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from outreach.db.models import Campaign, Contact, Interaction, Partner, Step, Todo
from outreach.domain.vocabulary import Direction, InteractionKind, Phase, Source, StepStatus
from outreach.services.accounts import users
from outreach.services.accounts.users import Role
from tests.support.campaigns import campaign_settings
from tests.support.databases import PostgresDatabases

NOW = datetime.now(UTC)
KINDS = [
    (Direction.OUT, InteractionKind.EMAIL),
    (Direction.IN, InteractionKind.EMAIL),
    (Direction.INTERNAL, InteractionKind.NOTE),
    (Direction.IN, InteractionKind.AUTO_REPLY),
]


def fill(engine, partners: int, interactions: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    phases, sources = list(Phase), list(Source)
    with engine.begin() as db:
        settings = campaign_settings("bench", 25, 143, [{"name": "x", "contacts": [{"email": "x@x.test"}]}])
        campaign_id = db.execute(
            sa.insert(Campaign)
            .values(name="bench", mailbox="vet@school.test", settings=settings, created_at=NOW, updated_at=NOW)
            .returning(Campaign.id)
        ).scalar()
        db.execute(
            sa.insert(Partner),
            [
                dict(
                    id=i,
                    name=f"Partner {i} GmbH",
                    name_key=f"partner {i} gmbh",
                    country=rng.choice(["DE", "FR", "PL", "ES", "IT"]),
                    source=rng.choice(sources),
                    partnership_types=rng.sample(["training", "mobility", "funding"], 2),
                    tags=["sme"] if i % 3 else [],
                    phase=rng.choice(phases),
                    status="active",
                    created_at=NOW,
                    updated_at=NOW,
                )
                for i in range(1, partners + 1)
            ],
        )
        db.execute(
            sa.insert(Contact),
            [
                dict(
                    id=i,
                    partner_id=(i + 1) // 2,
                    name=f"Person {i}",
                    email=f"p{i}@partner.test",
                    status="active",
                    created_at=NOW,
                )
                for i in range(1, 2 * partners + 1)
            ],
        )
        for start in range(0, interactions, 20_000):
            rows = []
            for n in range(start, min(interactions, start + 20_000)):
                partner = rng.randint(1, partners)
                direction, kind = rng.choice(KINDS)
                rows.append(
                    dict(
                        partner_id=partner,
                        contact_id=2 * partner - 1,
                        direction=direction,
                        kind=kind,
                        occurred_at=NOW - timedelta(minutes=rng.randint(0, 200_000)),
                        subject=f"Message {n}",
                        message_id=f"<m{n}@bench.test>",
                        text="Thank you for your message. " * 8,
                    )
                )
            db.execute(sa.insert(Interaction), rows)
        db.execute(
            sa.insert(Step),
            [
                dict(
                    campaign_id=campaign_id,
                    partner_id=i,
                    contact_id=2 * i - 1,
                    name="follow-up-1",
                    template="follow_up",
                    status=StepStatus.SCHEDULED,
                    due_at=NOW + timedelta(hours=rng.randint(1, 24 * 30)),
                    message_id=f"<s{i}@bench.test>",
                    attempts=0,
                    created_at=NOW,
                )
                for i in range(1, partners + 1)
            ],
        )
        db.execute(
            sa.insert(Todo),
            [
                dict(
                    kind="question",
                    partner_id=rng.randint(1, partners),
                    text=f"Answer question {i}",
                    created_at=NOW - timedelta(hours=i),
                    open_key=f"question:{i}",
                )
                for i in range(500)
            ],
        )
    with engine.begin() as db:  # what the logbook keeps as interactions are written
        db.execute(
            sa.text(
                "UPDATE partners SET last_activity_at = (SELECT max(occurred_at) FROM interactions "
                "WHERE interactions.partner_id = partners.id)"
            )
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
        db.execute(sa.text("VACUUM ANALYZE"))  # as autovacuum leaves a settled database


def measure(client, path: str, requests: int) -> list[float]:
    client.get(path)  # warm
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    return times


def main() -> int:
    import re
    import tempfile
    from pathlib import Path

    from starlette.testclient import TestClient

    from outreach.db.types import utcnow
    from outreach.web.app import create_app
    from worker.app import App

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    databases = PostgresDatabases()
    url = databases.create()
    try:
        with tempfile.TemporaryDirectory() as folder:
            from outreach.db.engine import make_engine
            from outreach.db.migrate import upgrade

            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
            app = App(database_url=url, data_dir=Path(folder), broker=None)
            started = time.perf_counter()
            fill(app.engine, args.partners, args.interactions)
            print(
                f"filled: {args.partners:,} partners, {2 * args.partners:,} contacts, {args.interactions:,} "
                f"interactions, {args.partners:,} scheduled messages, 500 to-dos in "
                f"{time.perf_counter() - started:.1f} s"
            )
            with app.uow() as uow:
                users.add(uow.session, "bench@school.test", Role.VIEWER, "a long pass phrase", utcnow())
                uow.commit()
            client = TestClient(create_app(app, secret="bench"))
            csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
            client.post("/login", data={"email": "bench@school.test", "password": "a long pass phrase", "csrf": csrf})
            busiest = (
                app.engine.connect()
                .execute(
                    sa.select(Interaction.partner_id)
                    .group_by(Interaction.partner_id)
                    .order_by(sa.func.count().desc())
                    .limit(1)
                )
                .scalar()
            )
            failed = False
            for name, path in (
                ("Today", "/"),
                ("Pipeline", "/pipeline"),
                ("Pipeline, filtered", "/pipeline?country=DE&tag=sme"),
                (f"Partner (the busiest, {busiest})", f"/partners/{busiest}"),
            ):
                times = sorted(measure(client, path, args.requests))
                p95 = times[int(0.95 * (len(times) - 1))]
                failed |= p95 >= 150
                print(
                    f"{name:34s} median {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms   "
                    f"{'ok' if p95 < 150 else 'OVER the 150 ms goal'}"
                )
            app.close()
            return 1 if failed else 0
    finally:
        databases.drop_all()


if __name__ == "__main__":
    raise SystemExit(main())
