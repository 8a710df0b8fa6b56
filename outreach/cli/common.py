"""What every command shares: the database option, output, and error reporting."""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress

from outreach.errors import InvalidInput

if TYPE_CHECKING:
    from outreach.db.engine import UnitOfWork

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


class State:
    database: str | None = None
    verbose: bool = False
    log_json: bool = False


state = State()


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on the terminal (none when output is not a terminal); yields `advance`."""
    with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task(description, total=total)
        yield lambda: progress.advance(task)


@contextmanager
def logbook() -> Iterator[UnitOfWork]:
    """A unit of work on a database whose schema is current.

    The embedded SQLite default is upgraded in place; a server database must have been
    upgraded with `outreach db upgrade`, else the command stops and says so.
    """
    from outreach.db.engine import UnitOfWork, make_engine  # here: a command without the logbook starts faster
    from outreach.db.migrate import ensure_ready

    engine = make_engine(state.database)
    try:
        ensure_ready(engine, auto_upgrade=engine.dialect.name == "sqlite")
        with UnitOfWork(engine) as uow:
            yield uow
    finally:
        engine.dispose()


def printed_without_table(rows: list[dict], json_: bool, empty: str) -> bool:
    """JSON when asked, or the line for an empty list; False when a table should follow."""
    if json_:
        print_json(rows)
        return True
    if not rows:
        console.print(empty)
        return True
    return False


def add_row(table, *values) -> None:
    """A table row of values as they are: text from partners and files is never read as
    rich markup (a name like "[/x]" prints as itself)."""
    table.add_row(*(escape("" if value is None else str(value)) for value in values))


def report_problems(error: InvalidInput, what_happened: str) -> None:
    for problem in error.problems:
        typer.echo(str(problem), err=True)
    count = len(error.problems)
    typer.echo(f"{count} problem{'s' if count != 1 else ''}; {what_happened}", err=True)


def flow_help(command: Any) -> Any:
    """Help texts that the terminal wraps: a line break inside a paragraph of a docstring is a
    space (typer keeps them after the first paragraph, so they broke lines mid-sentence)."""
    if command.help:
        paragraphs = inspect.cleandoc(command.help).split("\n\n")
        command.help = "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)
    for sub in getattr(command, "commands", {}).values():
        flow_help(sub)
    return command


def print_json(data) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def actor_name() -> str:
    """Who did what a command records (phase moves, notes, closed to-dos): OUTREACH_ACTOR when
    set (a person's name on a shared server account), else `cli:` and the operating-system
    account the process runs as (from the user table, as the audit log names it: USER may be
    unset under cron or in a container, and never made "staff:unknown" again)."""
    named = " ".join(os.environ.get("OUTREACH_ACTOR", "").split())
    from outreach.services.accounts import audit

    return named[:200] if named else audit.cli_actor()
