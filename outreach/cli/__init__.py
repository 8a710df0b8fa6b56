"""The `outreach` command line."""

from __future__ import annotations

import sys

import click
import typer

from outreach.cli import campaign, db, partners
from outreach.cli.common import report_problems, state
from outreach.errors import InvalidInput, OutreachError

app = typer.Typer(
    help="Partnership outreach for VET providers: campaigns, the partner logbook, the inbox.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(campaign.app, name="campaign")
app.add_typer(partners.app, name="partners")
app.add_typer(db.app, name="db")


@app.callback()
def _options(
    database: str = typer.Option(
        None, "--database", envvar="DATABASE_URL",
        help="Database URL (default: the SQLite file outreach.db here).",
    ),
) -> None:
    state.database = database


def main(argv: list[str] | None = None) -> int:
    """Run a command; return its exit code. Errors are reported, never shown as tracebacks."""
    try:
        result = app(args=argv, prog_name="outreach", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except InvalidInput as error:
        report_problems(error, "nothing was written")
        return error.exit_code
    except OutreachError as error:
        typer.echo(f"error: {error}", err=True)
        return error.exit_code
    except click.exceptions.Exit as error:
        return error.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Abort:
        typer.echo("aborted; nothing was changed", err=True)
        return 1


def run() -> None:
    sys.exit(main())
