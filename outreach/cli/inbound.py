"""`outreach inbound ...`: look at inbound mail the way the watcher does."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from outreach.cli.common import console, print_json
from outreach.errors import InvalidInput, Problem
from outreach.inbound.classify import classify
from outreach.inbound.message import InboundMessage

app = typer.Typer(help="Inbound mail: classify messages as the inbox watcher does.", no_args_is_help=True)


@app.command("classify")
def classify_files(
    files: list[Path] = typer.Argument(..., help="Messages as .eml files."),
    json_: bool = typer.Option(False, "--json", help="Print a JSON array, one object per file."),
) -> None:
    """reply, auto_reply, bounce, complaint, opt_out, calendar_reply or other, for each file."""
    missing = [Problem(str(f), None, "(file)", "no such file") for f in files if not f.is_file()]
    if missing:
        raise InvalidInput(missing)
    results = [{"file": str(f), **classify(InboundMessage.parse(f.read_bytes())).as_json()} for f in files]
    if json_:
        print_json(results)
        return
    table = Table("file", "kind", "details")
    for result in results:
        details = ", ".join(f"{k}={v}" for k, v in result.items() if k not in ("file", "kind"))
        table.add_row(result["file"], result["kind"], details)
    console.print(table)
