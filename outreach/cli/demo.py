"""`outreach demo`: see the whole product work, with nothing to set up."""

from __future__ import annotations

from pathlib import Path

import typer

from outreach.cli.common import console


def demo(
    folder: Path = typer.Option(
        Path("outreach-demo"),
        "--folder",
        help="Where the demo keeps its logbook, .eml and .ics files (replaced on the next run).",
    ),
    campaign: Path = typer.Option(
        None, "--campaign", help="The campaign file to play (default: the example that ships with outreach)."
    ),
    with_web: bool = typer.Option(False, "--web", help="Then serve the web workspace on the demo's logbook."),
    port: int = typer.Option(8000, "--port", help="With --web: the port (on 127.0.0.1)."),
) -> None:
    """Run the example campaign against a sandbox mail server on loopback: partners reply,
    bounce, are out of office, opt out, accept and decline the meeting; then the pipeline."""
    from outreach.resources import EXAMPLE_CAMPAIGN, packaged
    from worker.demo import Demo

    if not Demo(campaign or packaged(EXAMPLE_CAMPAIGN), folder.resolve(), console).run():
        raise typer.Exit(1)
    if with_web:
        _serve_demo(folder.resolve(), port)


def _serve_demo(folder: Path, port: int) -> None:
    """The workspace on the demo's logbook, with an account made for this run."""
    from outreach.cli.web import demo_account, server
    from worker.app import App

    app = App(database_url=f"sqlite:///{folder / 'outreach.db'}", data_dir=folder)
    try:
        email, password = demo_account(app)
        console.print(
            f"\nThe workspace: http://127.0.0.1:{port}/  (Ctrl-C stops)\n"
            f"  log in as {email} with the password {password}",
            markup=False,
        )
        server(app, "127.0.0.1", port).run()
    finally:
        app.close()
