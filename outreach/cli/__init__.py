"""The `outreach` command line."""

from __future__ import annotations

import importlib
import os
import sys

import typer

from outreach.cli.common import flow_help, report_problems, state
from outreach.errors import InvalidInput, OutreachError

# Every command by the name it is called with: its module, and the group (a Typer) or the command
# (a function) there, in the order help lists them. Only the module of the command that runs is
# imported, so a command starts with what it uses; help, or a name not known here, builds them all.
COMMANDS: dict[str, tuple[str, str]] = {
    "campaign": ("campaign", "app"),
    "partners": ("partners", "app"),
    "inbound": ("inbound", "app"),
    "intent": ("intent", "app"),
    "replies": ("replies", "app"),
    "meeting": ("meeting", "app"),
    "db": ("db", "app"),
    "todo": ("todo", "app"),
    "users": ("web", "users"),
    "mailboxes": ("mailboxes", "app"),
    "steps": ("steps", "app"),
    "run": ("processes", "run"),
    "worker": ("processes", "worker"),
    "scheduler": ("processes", "scheduler"),
    "watch": ("processes", "watch"),
    "report": ("report", "report"),
    "demo": ("demo", "demo"),
    "init": ("init", "init"),
    "sandbox": ("sandbox", "sandbox"),
    "web": ("web", "web_app"),
    "audit": ("web", "audit"),
}
ROOT_FLAGS = ("--verbose", "--log-json")


def build(names: list[str] | None = None) -> typer.Typer:
    """The command line with these commands (default: all)."""
    root = typer.Typer(
        help="Partnership outreach for VET providers: campaigns, the partner logbook, the inbox.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    root.callback()(_options)
    for name in names or COMMANDS:
        module, attribute = COMMANDS[name]
        found = getattr(importlib.import_module(f"outreach.cli.{module}"), attribute)
        if isinstance(found, typer.Typer):
            root.add_typer(found, name=name)
        else:
            root.command(name=name)(found)
    return root


def __getattr__(name: str):
    """`app`: the whole command line, built when asked for."""
    if name == "app":
        return build()
    raise AttributeError(name)


def _command_named(argv: list[str]) -> str | None:
    """The command the arguments run, when they name one (past the root's own options)."""
    words = iter(argv)
    for word in words:
        if word in ROOT_FLAGS or word.startswith("--database="):
            continue
        if word == "--database":
            next(words, None)
            continue
        return word if word in COMMANDS else None
    return None


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
        args = sys.argv[1:] if argv is None else argv
        named = _command_named(args)
        command = typer.main.get_command(build([named] if named else None))
        flow_help(command).main(args=args, prog_name="outreach")  # ends with SystemExit
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
