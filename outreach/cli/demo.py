"""`outreach demo`: see the whole product work, with nothing to set up."""

from __future__ import annotations

from pathlib import Path

import typer

from outreach.cli.common import console


def demo(
    folder: Path = typer.Option(Path("outreach-demo"), "--folder",
                                help="Where the demo keeps its logbook, .eml and .ics files (replaced on the next run)."),
    campaign: Path = typer.Option(None, "--campaign",
                                  help="The campaign file to play (default: the example that ships with outreach)."),
) -> None:
    """Run the example campaign against a sandbox mail server on loopback: partners reply,
    bounce, are out of office, opt out, accept and decline the meeting; then the pipeline."""
    from outreach.resources import EXAMPLE_CAMPAIGN, packaged
    from worker.demo import Demo

    if not Demo(campaign or packaged(EXAMPLE_CAMPAIGN), folder.resolve(), console).run():
        raise typer.Exit(1)
