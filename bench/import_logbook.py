"""Import a generated 10,000-row CSV logbook; print the time and the peak memory.

Then export it, import the export again and check that nothing was duplicated and the
logbook is the same. Goal: the import under 10 s on this machine.

    python bench/import_logbook.py                 # embedded SQLite in a temporary folder
    python bench/import_logbook.py --database postgresql://postgres@127.0.0.1/test_bench
    python bench/import_logbook.py --rows 50000
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from outreach.adapters.tabular import read_rows, write_rows
from outreach.db.engine import UnitOfWork, make_engine
from outreach.db.migrate import upgrade
from outreach.db.models import Contact, Partner
from outreach.domain.logbook import Table, partners_from_table, table_from_partners
from outreach.services.partners import logbook

SOURCES = ["chamber", "employer", "municipality", "ngo", "alumni", "trade_fair", "linkedin"]
TYPES = ["training", "mobility", "innovation", "funding", "hr_talent", "quality", "community"]
FIRST = ["Jürgen", "Ayşe", "Élodie", "Łukasz", "Anna", "Søren", "María", "Ben", "Chloé", "Zoë"]
LAST = ["Schäfer", "Demir", "Fournier", "Nowak", "Müller", "Østergaard", "García", "Byrne"]
COUNTRIES = [
    ("DE", "Europe/Berlin", "de"),
    ("FR", "Europe/Paris", "fr"),
    ("PL", "Europe/Warsaw", "en"),
    ("IE", "Europe/Dublin", "en"),
    ("ES", "Europe/Madrid", "en"),
]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Two contacts per organisation, `;`-separated UTF-8 with a BOM, as Excel writes it."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(
            [
                "organisation",
                "country",
                "region",
                "source",
                "partnership_types",
                "focus_area",
                "contact_name",
                "role",
                "email",
                "language",
                "register",
                "timezone",
            ]
        )
        for index in range(rows):
            org = index // 2
            country, zone, language = COUNTRIES[org % len(COUNTRIES)]
            writer.writerow(
                [
                    f"Ausbildungsbetrieb Nr. {org} GmbH",
                    country,
                    "Region",
                    SOURCES[org % len(SOURCES)],
                    ", ".join(sorted({TYPES[org % 7], TYPES[(org * 3) % 7]})),
                    "Apprenticeships",
                    f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    "Head of Training",
                    f"contact{index}@firm{org}.example",
                    language,
                    "formal" if index % 3 else "informal",
                    zone,
                ]
            )


def import_file(engine, path: Path) -> tuple[logbook.UpsertSummary, float]:
    started = time.perf_counter()
    headers, rows = read_rows(path)
    records, problems = partners_from_table(Table(str(path), headers, rows))
    assert not problems, problems[:3]
    with UnitOfWork(engine) as uow:
        summary = logbook.upsert_partners(uow.session, records, by=f"import:{path.name}")
        uow.commit()
    return summary, time.perf_counter() - started


def export_file(engine, path: Path) -> float:
    started = time.perf_counter()
    with UnitOfWork(engine) as uow:
        records = [logbook.snapshot(p) for p in logbook.all_partners(uow.session)]
    write_rows(path, *table_from_partners(records))
    return time.perf_counter() - started


def counts(engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return (
            connection.scalar(sa.select(sa.func.count()).select_from(Partner)),
            connection.scalar(sa.select(sa.func.count()).select_from(Contact)),
        )


def peak_rss_mib() -> float:
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database", help="an empty database (default: a new SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="outreach-bench-"))
    engine = make_engine(args.database or f"sqlite:///{folder / 'bench.db'}")
    upgrade(engine)
    source = folder / "logbook.csv"
    generate(source, args.rows)
    print(f"database: {engine.dialect.name}; file: {args.rows} rows, {source.stat().st_size / 1e6:.1f} MB")

    rss_before = peak_rss_mib()
    summary, seconds = import_file(engine, source)
    print(
        f"import:    {seconds:6.2f} s  ({args.rows / seconds:,.0f} rows/s; goal < 10 s)  "
        f"{summary.partners_created} partners, {summary.contacts_created} contacts"
    )
    print(
        f"memory:    peak RSS {peak_rss_mib():.0f} MiB after the import "
        f"({rss_before:.0f} MiB before it: Python, SQLAlchemy and the drivers loaded)"
    )

    exported, again = folder / "export.csv", folder / "export-again.csv"
    print(f"export:    {export_file(engine, exported):6.2f} s")
    before = counts(engine)
    summary, seconds = import_file(engine, exported)
    print(
        f"re-import: {seconds:6.2f} s  {summary.partners_created} new partners, "
        f"{summary.contacts_created} new contacts, {summary.partners_unchanged} unchanged"
    )
    export_file(engine, again)
    same = read_rows(exported) == read_rows(again)
    no_duplicates = counts(engine) == before
    print(
        f"check:     partners/contacts before {before}, after {counts(engine)}; "
        f"export == export after re-import: {same}"
    )
    engine.dispose()
    return 0 if same and no_duplicates and summary.partners_created == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
