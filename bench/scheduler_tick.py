"""100,000 pending steps in PostgreSQL, 1,000 of them due: how long one scheduler tick takes
to find and queue them (goal: under 1 s), and the query plan of the due-steps query.

    python bench/scheduler_tick.py --database postgresql://postgres@127.0.0.1/bench_tick
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from outreach.campaign import CampaignFile
from outreach.db.engine import UnitOfWork, make_engine
from outreach.db.migrate import upgrade
from outreach.db.models import Campaign, Contact, Partner, Step
from outreach.db.types import utcnow
from outreach.domain.vocabulary import StepStatus
from outreach.services.outbound import scheduler
from tests.support.campaigns import campaign_settings


def fill(engine, pending: int, due: int, per_contact: int = 10) -> None:
    now = utcnow()
    contacts = pending // per_contact
    settings = campaign_settings("tick", 1, 1, [{"name": "x", "contacts": [{"email": "x@x.test"}]}])
    stored = CampaignFile.model_validate(settings).model_dump(mode="json", exclude={"partners", "partners_file"})
    with engine.begin() as connection:
        campaign_id = connection.execute(
            sa.insert(Campaign.__table__)
            .values(name="tick", mailbox="vet@school.test", settings=stored, created_at=now, updated_at=now)
            .returning(Campaign.id)
        ).scalar_one()
        connection.execute(
            sa.insert(Partner.__table__),
            [
                dict(
                    id=i + 1,
                    name=f"Firm {i}",
                    name_key=f"firm {i}",
                    source="other",
                    partnership_types=[],
                    tags=[],
                    phase="first_contact",
                    status="active",
                    created_at=now,
                    updated_at=now,
                )
                for i in range(contacts)
            ],
        )
        connection.execute(
            sa.insert(Contact.__table__),
            [
                dict(id=i + 1, partner_id=i + 1, email=f"p{i}@firm{i}.test", status="active", created_at=now)
                for i in range(contacts)
            ],
        )
        rows = []
        for number in range(pending):
            is_due = number < due
            rows.append(
                dict(
                    campaign_id=campaign_id,
                    partner_id=number % contacts + 1,
                    contact_id=number % contacts + 1,
                    name=f"step-{number // contacts}",
                    template="follow_up",
                    status=StepStatus.SCHEDULED,
                    due_at=now - timedelta(minutes=1) if is_due else now + timedelta(days=1 + number % 60),
                    message_id=f"<{number}@school.test>",
                    attempts=0,
                    created_at=now,
                )
            )
            if len(rows) == 10_000:
                connection.execute(sa.insert(Step.__table__), rows)
                rows = []
        if rows:
            connection.execute(sa.insert(Step.__table__), rows)
        connection.execute(sa.text("ANALYZE"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database", default=os.environ.get("DATABASE_URL"), required=not os.environ.get("DATABASE_URL")
    )
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    args = parser.parse_args()
    engine = make_engine(args.database)
    upgrade(engine)
    started = time.perf_counter()
    fill(engine, args.pending, args.due)
    print(f"steps:   {args.pending:,} pending, {args.due:,} due (filled in {time.perf_counter() - started:.1f} s)")
    compiled = scheduler.due_steps(utcnow(), args.due, postgresql=True).compile(dialect=engine.dialect)
    params = {
        name: (value.replace(tzinfo=None) if hasattr(value, "tzinfo") else value)  # the column holds naive UTC
        for name, value in compiled.params.items()
    }
    with engine.connect() as connection:  # the scheduler's own query, as it runs
        plan = [row[0] for row in connection.exec_driver_sql("EXPLAIN " + str(compiled), params).all()]
    queued = []
    started = time.perf_counter()
    with UnitOfWork(engine) as uow:
        result = scheduler.tick(
            uow, utcnow(), lambda step_id, delay: queued.append(step_id), lambda settings: None, lambda settings: None
        )
    seconds = time.perf_counter() - started
    print(f"tick:    {seconds:.3f} s to find and queue {len(result.queued):,} due steps (goal: under 1 s)")
    print("plan:    " + "\n         ".join(plan))
    uses_index = any("Index" in line for line in plan)
    print(f"index:   {'used' if uses_index else 'NOT used'}")
    engine.dispose()
    return 0 if len(queued) == args.due and seconds < 1 and uses_index else 1


if __name__ == "__main__":
    raise SystemExit(main())
