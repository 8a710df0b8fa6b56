"""`outreach report`: the funnel per campaign and phase."""

from __future__ import annotations

import csv
import sys

import typer
from rich import box
from rich.table import Table

from outreach.cli.common import add_row, console, logbook, print_json
from outreach.domain.vocabulary import Phase
from outreach.services.workspace.funnel import COLUMNS, funnel


def report(
    campaign: str = typer.Argument(None, help="A campaign's name (default: all)."),
    json_: bool = typer.Option(False, "--json", help="Print JSON."),
    csv_: bool = typer.Option(False, "--csv", help="Print CSV."),
    partnerships: bool = typer.Option(
        False, "--partnerships", help="Partnerships instead: phase, time in phase, KPI status, results."
    ),
) -> None:
    """The funnel per campaign and phase: sent, reached, replied, bounced, out of office, opted out, meetings,
    reply rate."""
    if partnerships:
        _partnerships(json_)
        return
    from outreach.services.workspace.reports import by_status

    with logbook() as uow:
        rows = funnel(uow.session, campaign)
        statuses = by_status(uow.session)
    if json_:
        print_json(rows)
    elif csv_:
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    else:
        for table in funnel_tables(rows, console.width):
            console.print(table)
        table = Table("status", "partners", title="Partners by status (apart from the phase)")
        for label, count in statuses:
            add_row(table, label, str(count))
        console.print(table)


MEASURES = (
    ("partners", "partners"),
    ("queued", "first contacts queued"),
    ("sent", "messages sent"),
    ("reached", "partners reached"),
    ("replied", "replied"),
    ("bounced", "bounced"),
    ("out_of_office", "out of office"),
    ("opted_out", "opted out"),
    ("meetings_invited", "meetings invited"),
    ("meetings_accepted", "meetings accepted"),
    ("reply_rate", "reply rate"),
)


def funnel_tables(rows: list[dict], width: int = 80) -> list[Table]:
    """One table per campaign: the measures down, the phases across (all of them first). Each
    phase's column is as wide as its longest word or number, its name wrapping between words, so
    the table reads whole in a terminal of `width` columns (80 and more)."""
    tables = []
    for campaign in dict.fromkeys(row["campaign"] for row in rows):
        mine = sorted((row for row in rows if row["campaign"] == campaign), key=lambda row: _PHASE_ORDER[row["phase"]])
        cells = [[_cell(row, key) for key, _ in MEASURES] for row in mine]
        labels = [_PHASE_LABELS[row["phase"]] for row in mine]
        widths = [
            max([len(word) for word in label.split()] + [len(c) for c in column])
            for label, column in zip(labels, cells, strict=True)
        ]
        columns = len(widths) + 1
        room = width - sum(widths) - (2 * columns - 2 + (columns - 1) + 2)  # padding, separators, the two edges
        table = Table(title=f"The funnel of {campaign}", box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
        table.add_column("", width=max(8, min(room, max(len(label) for _, label in MEASURES))))
        for label, column_width in zip(labels, widths, strict=True):
            table.add_column(label, justify="right", width=column_width)
        for index, (_, label) in enumerate(MEASURES):
            add_row(table, label, *(column[index] for column in cells))
        tables.append(table)
    return tables


def _cell(row: dict[str, object], key: str) -> str:
    value = row[key]
    return f"{value:.0%}" if key == "reply_rate" and isinstance(value, float) else str(value)


_PHASE_LABELS = {"all": "all", **{phase.value: phase.label for phase in Phase}}
_PHASE_ORDER = {phase: order for order, phase in enumerate(_PHASE_LABELS)}


def _partnerships(json_: bool) -> None:
    from outreach.db.types import utcnow
    from outreach.services.partners.partnerships import overview

    with logbook() as uow:
        rows = overview(uow.session, utcnow())
    if json_:
        print_json(rows)
        return
    table = Table(
        "partner", "phase", "status", "days in phase", "KPIs", "results", "tools", "schedule", title="Partnerships"
    )
    for r in rows:
        add_row(
            table,
            r["partner"],
            r["phase"],
            r["status"],
            "" if r["days_in_phase"] is None else str(r["days_in_phase"]),
            r["kpi_status"],
            str(r["results"]),
            r["tools"] or "",
            r["schedule"] or "",
        )
    console.print(table)
