"""`outreach worker`, `outreach scheduler`, `outreach run`: the long-running processes."""

from __future__ import annotations

from datetime import date

import typer

from outreach.cli.common import console, state
from outreach.errors import InvalidInput, Problem
from outreach.logs import configure


def _serve(verbose: bool, body, reads_replies: bool = True) -> None:
    """Set up logging and the app, run `body(app, stopper)` until stopped, then close."""
    from worker.app import App
    from worker.processes import Stopper

    configure(verbose or state.verbose, state.log_json)
    app = App(database_url=state.database, reads_replies=reads_replies)
    try:
        body(app, Stopper().install())
    finally:
        app.close()


def _threads(app, asked: int | None) -> int:
    """SQLite takes one writer at a time; a server database takes more."""
    return asked or (1 if app.embedded else 8)


THREADS_HELP = "Worker threads (default: 1 on SQLite, 8 otherwise)."
SINCE_HELP = (
    "Also read the mailboxes' mail from this day on (YYYY-MM-DD), as history where it is older than our "
    "first message to a partner. Without it, a mailbox's first start reads only mail from the day our "
    "first message went out from it, or from now."
)


def _since(text: str | None) -> dict[str, date]:
    """The watchers' options for --since."""
    if not text:
        return {}
    try:
        return {"since": date.fromisoformat(text.strip())}
    except ValueError:
        raise InvalidInput(
            [
                Problem(
                    "(command line)",
                    None,
                    "--since",
                    f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-09-01",
                )
            ]
        ) from None


def worker(
    threads: int = typer.Option(None, help=THREADS_HELP),
    verbose: bool = typer.Option(False, "--verbose"),
) -> None:
    """Send the messages the scheduler queues (Redis when REDIS_URL is set)."""
    from worker.processes import run_worker

    _serve(verbose, lambda app, stopper: run_worker(app, _threads(app, threads), stopper))


def scheduler(
    interval: float = typer.Option(30, help="Seconds between ticks."),
    once: bool = typer.Option(False, "--once", help="One tick, then exit."),
    verbose: bool = typer.Option(False, "--verbose"),
) -> None:
    """Queue the steps that are due (the database is the calendar; Redis only carries ids)."""
    from worker.processes import scheduler_loop

    # The scheduler reads no reply: no reply reader is loaded or trained in its process.
    _serve(verbose, lambda app, stopper: scheduler_loop(app, stopper, interval, once), reads_replies=False)


def run(
    interval: float = typer.Option(30, help="Seconds between scheduler ticks."),
    threads: int = typer.Option(None, help=THREADS_HELP),
    until_idle: bool = typer.Option(False, "--until-idle", help="Exit when nothing is due or in flight."),
    with_web: bool = typer.Option(False, "--web", help="Serve the web workspace in the same process."),
    host: str = typer.Option("127.0.0.1", "--host", help="With --web: the address to listen on."),
    port: int = typer.Option(8000, "--port", help="With --web: the port."),
    since: str = typer.Option(None, "--since", help=SINCE_HELP),
    verbose: bool = typer.Option(False, "--verbose"),
) -> None:
    """Worker and scheduler in one process: the embedded default for one machine (with --web,
    the workspace too: one process for a small school)."""
    from worker.processes import run_all

    watch_options = _since(since)

    def body(app, stopper):
        web = None
        if with_web:
            from outreach.cli.web import serve_in_thread

            web, _ = serve_in_thread(app, host, port)
            console.print(f"the workspace: http://{host}:{port}/", markup=False)
        try:
            run_all(app, _threads(app, threads), interval, stopper, until_idle, watch_options)
        finally:
            if web is not None:
                web.should_exit = True

    _serve(verbose, body)


def watch(
    mailbox: str = typer.Option(
        None,
        "--mailbox",
        envvar="OUTREACH_WATCH_MAILBOX",
        help="Watch only this mailbox (one watcher process per mailbox); default: all.",
    ),
    threads: int = typer.Option(None, help=THREADS_HELP + " Used when no REDIS_URL is set."),
    since: str = typer.Option(None, "--since", help=SINCE_HELP),
    verbose: bool = typer.Option(False, "--verbose"),
) -> None:
    """Watch the campaigns' mailboxes: log replies, bounces, out-of-office and opt-outs.

    Mailboxes of campaigns queued later are picked up within 30 seconds."""
    from worker.processes import run_watch

    options = _since(since)
    _serve(verbose, lambda app, stopper: run_watch(app, _threads(app, threads), stopper, mailbox, **options))
