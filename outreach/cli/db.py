"""`outreach db ...`: the schema."""

from __future__ import annotations

import typer

from outreach.cli.common import console, state
from outreach.db import migrate
from outreach.db.engine import describe, make_engine

app = typer.Typer(help="Create or upgrade the database schema.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Bring the database schema up to this version (creates the tables on first use)."""
    engine = make_engine(state.database)
    try:
        migrate.upgrade(engine)
        console.print(f"database {describe(engine)} is at revision {migrate.current_revision(engine)}")
    finally:
        engine.dispose()


@app.command()
def status() -> None:
    """Show the schema revision the database has and the one this version needs."""
    engine = make_engine(state.database)
    try:
        current, head = migrate.current_revision(engine), migrate.head_revision()
        console.print(f"database {describe(engine)}: revision {current or 'none'}, needed {head}")
        if current != head:
            console.print("run `outreach db upgrade`")
            raise typer.Exit(4)
    finally:
        engine.dispose()
