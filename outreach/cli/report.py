"""`outreach report`: the funnel per campaign and phase."""

from __future__ import annotations

import csv
import sys

import typer
from rich.table import Table

from outreach.cli.common import add_row, console, logbook, print_json
from outreach.services.workspace.funnel import COLUMNS
from outreach.services.workspace.funnel import funnel


def report(
    campaign: str = typer.Argument(None, help="A campaign's name (default: all)."),
    json_: bool = typer.Option(False, "--json", help="Print JSON."),
    csv_: bool = typer.Option(False, "--csv", help="Print CSV."),
    partnerships: bool = typer.Option(False, "--partnerships", help="Partnerships instead: phase, time in phase, "
                                                                      "KPI status, results."),
) -> None:
    """The funnel per campaign and phase: sent, replied, bounced, out of office, opted out, meetings, reply rate."""
    if partnerships:
        _partnerships(json_)
        return
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


def _partnerships(json_: bool) -> None:
    from outreach.db.types import utcnow
    from outreach.services.partners.partnerships import overview

    with logbook() as uow:
        rows = overview(uow.session, utcnow())
    if json_:
        print_json(rows)
        return
    table = Table("partner", "phase", "days in phase", "KPIs", "results", "tools", "schedule", title="Partnerships")
    for r in rows:
        add_row(table, r["partner"], r["phase"], "" if r["days_in_phase"] is None else str(r["days_in_phase"]),
                r["kpi_status"], str(r["results"]), r["tools"] or "", r["schedule"] or "")
    console.print(table)
