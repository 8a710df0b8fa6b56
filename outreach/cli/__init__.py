"""The `outreach` command line."""

from __future__ import annotations

import os
import sys

import typer

from outreach.cli import (
    campaign,
    db,
    demo,
    inbound,
    init,
    intent,
    mailboxes,
    meeting,
    partners,
    processes,
    replies,
    report,
    sandbox,
    steps,
    todo,
    web,
)
from outreach.cli.common import flow_help, report_problems, state
from outreach.errors import InvalidInput, OutreachError

app = typer.Typer(
    help="Partnership outreach for VET providers: campaigns, the partner logbook, the inbox.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(campaign.app, name="campaign")
app.add_typer(partners.app, name="partners")
app.add_typer(inbound.app, name="inbound")
app.add_typer(intent.app, name="intent")
app.add_typer(replies.app, name="replies")
app.add_typer(meeting.app, name="meeting")
app.add_typer(db.app, name="db")
app.add_typer(todo.app, name="todo")
app.add_typer(web.users, name="users")
app.add_typer(mailboxes.app, name="mailboxes")
app.add_typer(steps.app, name="steps")
app.command()(processes.run)
app.command()(processes.worker)
app.command()(processes.scheduler)
app.command()(processes.watch)
app.command()(report.report)
app.command()(demo.demo)
app.command()(init.init)
app.command()(sandbox.sandbox)
app.add_typer(web.web_app, name="web")
app.command()(web.audit)


@app.callback()
def _options(
    database: str = typer.Option(
        None,
        "--database",
        envvar="DATABASE_URL",
        help="Database URL (default: the SQLite file outreach.db here).",
    ),
    verbose: bool = typer.Option(False, "--verbose", help="Debug logging for the long-running processes."),
    log_json: bool = typer.Option(False, "--log-json", help="Log one JSON object per line."),
) -> None:
    state.database, state.verbose, state.log_json = database, verbose, log_json


def main(argv: list[str] | None = None) -> int:
    """Run a command; return its exit code. Errors are reported, never shown as tracebacks.
    What the product writes (the logbook, raw mail, previews, the demo folder) is for its
    owner only: files 0600, folders 0700."""
    os.umask(0o077)
    try:
        flow_help(typer.main.get_command(app)).main(args=argv, prog_name="outreach")  # ends with SystemExit
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except InvalidInput as error:
        report_problems(error, "nothing was written")
        return error.exit_code
    except OutreachError as error:
        typer.echo(f"error: {error}", err=True)
        return error.exit_code
    return 0


def run() -> None:
    sys.exit(main())
