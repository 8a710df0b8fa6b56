"""`outreach worker`, `outreach scheduler`, `outreach run`: the long-running processes."""

from __future__ import annotations

import logging

import typer

from outreach.cli.common import state


def _app():
    from worker.app import App

    return App(database_url=state.database)


def _logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("dramatiq").setLevel(logging.WARNING)


def worker(
    threads: int = typer.Option(None, help="Worker threads (default: 1 on SQLite, 8 otherwise)."),
    verbose: bool = typer.Option(False, "--verbose"),
) -> None:
    """Send the messages the scheduler queues (Redis when REDIS_URL is set)."""
    from worker.processes import Stopper, run_worker

    _logging(verbose)
    app = _app()
    try:
        run_worker(app, threads or (1 if app.embedded else 8), Stopper().install())
    finally:
        app.close()


def scheduler(
    interval: float = typer.Option(30, help="Seconds between ticks."),
    once: bool = typer.Option(False, "--once", help="One tick, then exit."),
    verbose: bool = typer.Option(False, "--verbose"),
) -> None:
    """Queue the steps that are due (the database is the calendar; Redis only carries ids)."""
    from worker.processes import Stopper, scheduler_loop

    _logging(verbose)
    app = _app()
    try:
        scheduler_loop(app, Stopper().install(), interval, once)
    finally:
        app.close()


def run(
    interval: float = typer.Option(30, help="Seconds between scheduler ticks."),
    threads: int = typer.Option(None, help="Worker threads (default: 1 on SQLite, 8 otherwise)."),
    until_idle: bool = typer.Option(False, "--until-idle", help="Exit when nothing is due or in flight."),
    verbose: bool = typer.Option(False, "--verbose"),
) -> None:
    """Worker and scheduler in one process: the embedded default for one machine."""
    from worker.processes import Stopper, run_all

    _logging(verbose)
    app = _app()
    try:
        run_all(app, threads or (1 if app.embedded else 8), interval, Stopper().install(), until_idle)
    finally:
        app.close()
