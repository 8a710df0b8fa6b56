"""`outreach report`: the funnel per campaign and phase."""

from __future__ import annotations

import csv
import sys

import typer
from rich.table import Table

from outreach.cli.common import add_row, console, logbook, print_json
from outreach.services.report import COLUMNS, funnel


def report(
    campaign: str = typer.Argument(None, help="A campaign's name (default: all)."),
    json_: bool = typer.Option(False, "--json", help="Print JSON."),
    csv_: bool = typer.Option(False, "--csv", help="Print CSV."),
) -> None:
    """The funnel per campaign and phase: sent, replied, bounced, out of office, opted out, meetings, reply rate."""
    with logbook() as uow:
        rows = funnel(uow.session, campaign)
    if json_:
        print_json(rows)
    elif csv_:
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    else:
        console.print(funnel_table(rows))


def funnel_table(rows: list[dict]) -> Table:
    table = Table(*COLUMNS, title="The funnel")
    for row in rows:
        add_row(table, *(f"{row[c]:.0%}" if c == "reply_rate" else str(row[c]) for c in COLUMNS))
    return table
